#include "config/properties_file.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace siphon::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

Properties parse_ok(std::string_view text) {
  auto result = parse_properties(text);
  EXPECT_TRUE(result.has_value()) << result.error().message;
  return result.value_or(Properties{});
}

TEST(PropertiesFileTest, AcceptsAllThreeSeparators) {
  EXPECT_THAT(
      parse_ok("a=1\nb: 2\nc 3\nd   =   4\ne\t:\t5\n"),
      ElementsAre(Pair("a", "1"), Pair("b", "2"), Pair("c", "3"), Pair("d", "4"), Pair("e", "5")));
}

TEST(PropertiesFileTest, OnlyTheFirstSeparatorCounts) {
  EXPECT_THAT(parse_ok("a==1\nb:=2\nc = =3\nurl=jdbc:postgresql://h:5432/db\n"),
              ElementsAre(Pair("a", "=1"), Pair("b", "=2"), Pair("c", "=3"),
                          Pair("url", "jdbc:postgresql://h:5432/db")));
}

TEST(PropertiesFileTest, KeyWithoutValueHasEmptyValue) {
  EXPECT_THAT(parse_ok("alone\nempty=\n"), ElementsAre(Pair("alone", ""), Pair("empty", "")));
}

TEST(PropertiesFileTest, SkipsCommentsAndBlankLines) {
  EXPECT_THAT(parse_ok("# comment\n! also a comment\n   # indented comment\n\n   \t\na=1\n"),
              ElementsAre(Pair("a", "1")));
}

TEST(PropertiesFileTest, HashInsideValueIsNotAComment) {
  EXPECT_THAT(parse_ok("a=x # y\n"), ElementsAre(Pair("a", "x # y")));
}

TEST(PropertiesFileTest, TrimsLeadingWhitespaceButKeepsTrailing) {
  EXPECT_THAT(parse_ok("   a = value  \n"), ElementsAre(Pair("a", "value  ")));
}

TEST(PropertiesFileTest, JoinsContinuationLinesDroppingTheirLeadingWhitespace) {
  EXPECT_THAT(parse_ok("list=a,\\\n      b,\\\n\t\tc\nnext=1\n"),
              ElementsAre(Pair("list", "a,b,c"), Pair("next", "1")));
}

TEST(PropertiesFileTest, ContinuationLineStartingWithHashIsValue) {
  EXPECT_THAT(parse_ok("a=x\\\n  #y\n"), ElementsAre(Pair("a", "x#y")));
}

TEST(PropertiesFileTest, CommentLineEndingInBackslashDoesNotContinue) {
  EXPECT_THAT(parse_ok("# comment \\\na=1\n"), ElementsAre(Pair("a", "1")));
}

TEST(PropertiesFileTest, EvenNumberOfBackslashesIsAnEscapedBackslash) {
  EXPECT_THAT(parse_ok("a=x\\\\\nb=2\n"), ElementsAre(Pair("a", "x\\"), Pair("b", "2")));
}

TEST(PropertiesFileTest, ContinuationAtEndOfFileIsDropped) {
  EXPECT_THAT(parse_ok("a=x\\"), ElementsAre(Pair("a", "x")));
}

TEST(PropertiesFileTest, ResolvesEscapes) {
  EXPECT_THAT(parse_ok("a=tab\\there\nb=line\\nbreak\nc=back\\\\slash\nd=\\=\\:\\#\\!\\ x\n"),
              ElementsAre(Pair("a", "tab\there"), Pair("b", "line\nbreak"),
                          Pair("c", "back\\slash"), Pair("d", "=:#! x")));
}

TEST(PropertiesFileTest, DecodesUnicodeEscapesToUtf8) {
  EXPECT_THAT(parse_ok("a=caf\\u00e9\nb=\\u20AC\nc=\\uD83D\\uDE00\nd=\\u0041\n"),
              ElementsAre(Pair("a", "caf\xC3\xA9"), Pair("b", "\xE2\x82\xAC"),
                          Pair("c", "\xF0\x9F\x98\x80"), Pair("d", "A")));
}

TEST(PropertiesFileTest, EscapedSeparatorsAndSpacesBelongToTheKey) {
  EXPECT_THAT(parse_ok("a\\=b=1\nmy\\ key=2\nc\\:d:3\n"),
              ElementsAre(Pair("a=b", "1"), Pair("my key", "2"), Pair("c:d", "3")));
}

TEST(PropertiesFileTest, LastOccurrenceWinsInFirstPosition) {
  EXPECT_THAT(parse_ok("a=1\nb=2\na=3\n"), ElementsAre(Pair("a", "3"), Pair("b", "2")));
}

TEST(PropertiesFileTest, AcceptsCrLfAndCrLineEndings) {
  EXPECT_THAT(parse_ok("a=1\r\nb=2\rc=x\\\r\n  y\r\n"),
              ElementsAre(Pair("a", "1"), Pair("b", "2"), Pair("c", "xy")));
}

TEST(PropertiesFileTest, SkipsUtf8ByteOrderMark) {
  EXPECT_THAT(parse_ok("\xEF\xBB\xBF"
                       "a=1\n"),
              ElementsAre(Pair("a", "1")));
}

TEST(PropertiesFileTest, EmptyInputHasNoProperties) {
  EXPECT_TRUE(parse_ok("").empty());
  EXPECT_TRUE(parse_ok("\n\n# only comments\n").empty());
}

TEST(PropertiesFileTest, MalformedUnicodeEscapeNamesTheLine) {
  auto result = parse_properties("a=1\n# comment\nb=\\u12G4\n");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kConfig);
  EXPECT_THAT(result.error().message, HasSubstr("line 3"));
  EXPECT_THAT(result.error().message, HasSubstr("\\uXXXX"));
}

TEST(PropertiesFileTest, ErrorInContinuedLineNamesThePhysicalLine) {
  auto result = parse_properties("a=ok,\\\n  still ok,\\\n  bad \\u00\n");
  ASSERT_FALSE(result.has_value());
  EXPECT_THAT(result.error().message, HasSubstr("line 3"));
}

TEST(PropertiesFileTest, UnpairedSurrogateIsAnError) {
  auto high = parse_properties("a=\\uD83D\n");
  ASSERT_FALSE(high.has_value());
  EXPECT_THAT(high.error().message, HasSubstr("line 1"));
  EXPECT_FALSE(parse_properties("a=\\uDE00\n").has_value());
}

class TempFile {
 public:
  explicit TempFile(std::string_view content) {
    char name[] = "/tmp/siphon_properties_test_XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    path_ = name;
    EXPECT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    close(fd);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(PropertiesFileTest, ReadsAFile) {
  TempFile file("# Debezium Server\ndebezium.sink.type=stdout\n");
  auto result = read_properties_file(file.path());
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_THAT(*result, ElementsAre(Pair("debezium.sink.type", "stdout")));
}

TEST(PropertiesFileTest, FileErrorsNameThePathAndLine) {
  TempFile file("a=1\nb=\\uZZZZ\n");
  auto result = read_properties_file(file.path());
  ASSERT_FALSE(result.has_value());
  EXPECT_THAT(result.error().message, HasSubstr(file.path() + ": line 2"));
}

TEST(PropertiesFileTest, MissingFileIsAConfigError) {
  auto result = read_properties_file("/nonexistent/siphon/application.properties");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kConfig);
  EXPECT_THAT(result.error().message, HasSubstr("/nonexistent/siphon/application.properties"));
}

TEST(PropertiesFileTest, DirectoryIsAConfigError) {
  auto result = read_properties_file("/tmp");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kConfig);
}

}  // namespace
}  // namespace siphon::config
