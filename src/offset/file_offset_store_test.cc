#include "offset/file_offset_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace siphon::offset {
namespace {

namespace fs = std::filesystem;

class FileOffsetStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "siphon-offset-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "offsets.json").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void write_file(const std::string& text) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << text;
  }
  std::string read_file() {
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  fs::path dir_;
  std::string path_;
};

const nlohmann::json kOffset = {{"lsn", 24023128},
                                {"txId", 555},
                                {"ts_usec", 1714557600123456},
                                {"lsn_commit", 24023119},
                                {"snapshot_completed", true}};

TEST_F(FileOffsetStoreTest, MissingFileMeansNoOffset) {
  FileOffsetStore store(path_, "siphon", "pg");
  auto loaded = store.load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_FALSE(loaded->has_value());
}

TEST_F(FileOffsetStoreTest, RoundTrip) {
  FileOffsetStore store(path_, "siphon", "pg");
  ASSERT_TRUE(store.store(kOffset));
  auto loaded = store.load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, kOffset);

  // Another store object on the same file, as after a restart.
  FileOffsetStore again(path_, "siphon", "pg");
  auto reloaded = again.load();
  ASSERT_TRUE(reloaded && reloaded->has_value());
  EXPECT_EQ(**reloaded, kOffset);
}

TEST_F(FileOffsetStoreTest, FileHoldsKafkaConnectOffsetRecords) {
  FileOffsetStore store(path_, "siphon-connector", "pg");
  ASSERT_TRUE(store.store(kOffset));
  std::string text = read_file();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  auto doc = nlohmann::json::parse(text);
  ASSERT_TRUE(doc.is_array());
  ASSERT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc[0]["key"], nlohmann::json::parse(R"(["siphon-connector",{"server":"pg"}])"));
  EXPECT_EQ(doc[0]["value"], kOffset);
}

TEST_F(FileOffsetStoreTest, StoreReplacesAtomicallyAndLeavesNoTemporaryFile) {
  FileOffsetStore store(path_, "siphon", "pg");
  for (int i = 1; i <= 5; ++i) {
    nlohmann::json offset = kOffset;
    offset["lsn"] = 1000 * i;
    ASSERT_TRUE(store.store(offset));
    EXPECT_FALSE(fs::exists(path_ + ".tmp")) << "after store " << i;
    auto loaded = store.load();
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((**loaded)["lsn"], 1000 * i);
  }
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1u) << "only the offset file remains";
}

TEST_F(FileOffsetStoreTest, StaleTemporaryFileFromACrashIsHarmless) {
  std::ofstream(path_ + ".tmp") << "[{\"key\":[\"siphon\",{\"server\":\"pg\"}],\"value\":{\"lsn\":";
  FileOffsetStore store(path_, "siphon", "pg");
  auto before = store.load();
  ASSERT_TRUE(before);
  EXPECT_FALSE(before->has_value()) << "the temporary file is never read";
  ASSERT_TRUE(store.store(kOffset));
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
  EXPECT_EQ(**store.load(), kOffset);
}

TEST_F(FileOffsetStoreTest, CorruptFileIsAnErrorNamingThePath) {
  for (const char* text : {"", "not json", "{\"key\":1}", "[{\"key\":[\"siphon\",", "42"}) {
    write_file(text);
    FileOffsetStore store(path_, "siphon", "pg");
    auto loaded = store.load();
    ASSERT_FALSE(loaded) << "'" << text << "' loaded";
    EXPECT_EQ(loaded.error().kind, ErrorKind::kFatal);
    EXPECT_NE(loaded.error().message.find(path_), std::string::npos) << loaded.error().message;
  }
}

TEST_F(FileOffsetStoreTest, AnotherServersRecordIsIgnored) {
  write_file(R"([{"key":["siphon",{"server":"other"}],"value":{"lsn":1}}])");
  FileOffsetStore store(path_, "siphon", "pg");
  auto loaded = store.load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_FALSE(loaded->has_value());

  // Among several records (and malformed ones), the one of this server is found.
  write_file(R"([{"key":["siphon",{"server":"other"}],"value":{"lsn":1}},)"
             R"({"key":"bad","value":{}},{"nokey":true},)"
             R"({"key":["siphon",{"server":"pg"}],"value":{"lsn":2}}])");
  auto found = store.load();
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((**found)["lsn"], 2);
}

TEST_F(FileOffsetStoreTest, StoreIntoAMissingDirectoryIsAnError) {
  FileOffsetStore store((dir_ / "missing" / "offsets.json").string(), "siphon", "pg");
  auto stored = store.store(kOffset);
  ASSERT_FALSE(stored);
  EXPECT_NE(stored.error().message.find("missing/offsets.json.tmp"), std::string::npos)
      << stored.error().message;
}

TEST_F(FileOffsetStoreTest, PathThatIsADirectory) {
  fs::create_directory(path_);
  FileOffsetStore store(path_, "siphon", "pg");
  auto loaded = store.load();
  ASSERT_FALSE(loaded) << "a directory is not an offset file";
  EXPECT_NE(loaded.error().message.find(path_), std::string::npos) << loaded.error().message;
  auto stored = store.store(kOffset);
  ASSERT_FALSE(stored) << "cannot rename a file over a directory";
  EXPECT_NE(stored.error().message.find(path_), std::string::npos) << stored.error().message;
}

}  // namespace
}  // namespace siphon::offset
