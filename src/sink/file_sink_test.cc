#include "sink/file_sink.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sink/record_line.h"

namespace siphon::sink {
namespace {

namespace fs = std::filesystem;

SinkRecord record(std::string topic, std::optional<std::string> key,
                  std::optional<std::string> value, uint64_t sequence,
                  std::vector<event::Header> headers = {}) {
  SinkRecord r;
  r.record.topic = std::move(topic);
  r.record.key = std::move(key);
  r.record.value = std::move(value);
  r.record.headers = std::move(headers);
  r.sequence = sequence;
  return r;
}

class FileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "siphon-sink-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = (root_ / "out").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::string read(const std::string& file) const {
    std::ifstream in(fs::path(dir_) / file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  void write(const std::string& file, const std::string& text) const {
    fs::create_directories(dir_);
    std::ofstream(fs::path(dir_) / file, std::ios::binary | std::ios::trunc) << text;
  }

  // Writes one batch and returns the acknowledged sequence numbers.
  std::vector<uint64_t> write_batch(FileSink& sink, std::vector<SinkRecord> batch,
                                    bool expect_ok = true) {
    std::vector<uint64_t> acked;
    auto status = sink.write(batch, [&](uint64_t seq) { acked.push_back(seq); });
    EXPECT_EQ(static_cast<bool>(status), expect_ok)
        << (status ? std::string("ok") : status.error().message);
    return acked;
  }

  fs::path root_;
  std::string dir_;
};

TEST_F(FileSinkTest, OpenCreatesTheDirectory) {
  FileSink sink(dir_ + "/nested/deeper", true);
  ASSERT_TRUE(sink.open());
  EXPECT_TRUE(fs::is_directory(dir_ + "/nested/deeper"));
}

TEST_F(FileSinkTest, OpenFailsWhenTheDirectoryCannotBeCreated) {
  write("a_file", "x");
  FileSink sink(dir_ + "/a_file/sub", true);
  auto status = sink.open();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::kConfig);
  EXPECT_NE(status.error().message.find("a_file/sub"), std::string::npos) << status.error().message;
}

TEST_F(FileSinkTest, OneLinePerRecordInOneFilePerTopic) {
  FileSink sink(dir_, true);
  ASSERT_TRUE(sink.open());
  auto acked = write_batch(sink, {
                                     record("pg.public.a", "{\"id\":1}", "{\"v\":1}", 0),
                                     record("pg.public.b", "{\"id\":9}", "{\"v\":9}", 1),
                                     record("pg.public.a", "{\"id\":2}", "{\"v\":2}", 2),
                                 });
  EXPECT_EQ(acked, (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(read("pg.public.a.jsonl"),
            "{\"key\":{\"id\":1},\"value\":{\"v\":1}}\n{\"key\":{\"id\":2},\"value\":{\"v\":2}}\n");
  EXPECT_EQ(read("pg.public.b.jsonl"), "{\"key\":{\"id\":9},\"value\":{\"v\":9}}\n");

  // The next batch appends.
  acked = write_batch(sink, {record("pg.public.b", "{\"id\":10}", "{\"v\":10}", 3)});
  EXPECT_EQ(acked, (std::vector<uint64_t>{3}));
  EXPECT_EQ(
      read("pg.public.b.jsonl"),
      "{\"key\":{\"id\":9},\"value\":{\"v\":9}}\n{\"key\":{\"id\":10},\"value\":{\"v\":10}}\n");
}

TEST_F(FileSinkTest, NullKeyAndTombstoneValue) {
  FileSink sink(dir_, false);
  ASSERT_TRUE(sink.open());
  write_batch(sink, {record("t", std::nullopt, "{\"v\":1}", 0),
                     record("t", "{\"id\":1}", std::nullopt, 1)});
  EXPECT_EQ(read("t.jsonl"),
            "{\"key\":null,\"value\":{\"v\":1}}\n{\"key\":{\"id\":1},\"value\":null}\n");
}

TEST_F(FileSinkTest, HeadersAreWritten) {
  FileSink sink(dir_, true);
  ASSERT_TRUE(sink.open());
  write_batch(
      sink,
      {record("t", "{\"id\":2}", "{\"op\":\"c\"}", 0,
              {{"__debezium.oldkey", "{\"id\":1}"}, {"__debezium.context.taskId", "\"0\""}})});
  EXPECT_EQ(read("t.jsonl"),
            "{\"key\":{\"id\":2},\"value\":{\"op\":\"c\"},\"headers\":{"
            "\"__debezium.oldkey\":{\"id\":1},\"__debezium.context.taskId\":\"0\"}}\n");
}

TEST_F(FileSinkTest, RecordLineWithTopic) {
  format::SerializedRecord r;
  r.topic = "a\"b";
  r.value = "1";
  std::string out;
  append_record_line(out, r, true);
  EXPECT_EQ(out, "{\"topic\":\"a\\\"b\",\"key\":null,\"value\":1}\n");
}

TEST_F(FileSinkTest, TopicNamesCannotEscapeTheDirectory) {
  FileSink sink(dir_, false);
  ASSERT_TRUE(sink.open());
  write_batch(sink,
              {record("../evil/x y", std::nullopt, "1", 0), record("..", std::nullopt, "2", 1)});
  EXPECT_EQ(read(".._evil_x_y.jsonl"), "{\"key\":null,\"value\":1}\n");
  EXPECT_EQ(read("_...jsonl"), "{\"key\":null,\"value\":2}\n");
  EXPECT_FALSE(fs::exists(root_ / "evil"));
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 2u);
}

TEST_F(FileSinkTest, AcknowledgesOnlyOnceTheRecordsAreInTheFile) {
  FileSink sink(dir_, true);
  ASSERT_TRUE(sink.open());
  std::vector<SinkRecord> batch = {record("t", "1", "\"a\"", 10), record("u", "2", "\"b\"", 11)};
  std::vector<std::string> seen;
  auto status = sink.write(batch, [&](uint64_t seq) {
    // At acknowledgement time both files hold the whole batch.
    seen.push_back(std::to_string(seq) + ":" + read("t.jsonl") + read("u.jsonl"));
  });
  ASSERT_TRUE(status);
  const std::string both = "{\"key\":1,\"value\":\"a\"}\n{\"key\":2,\"value\":\"b\"}\n";
  EXPECT_EQ(seen, (std::vector<std::string>{"10:" + both, "11:" + both}));
}

TEST_F(FileSinkTest, EmptyBatch) {
  FileSink sink(dir_, true);
  ASSERT_TRUE(sink.open());
  EXPECT_TRUE(write_batch(sink, {}).empty());
}

TEST_F(FileSinkTest, TornLastLineIsCutOnReopen) {
  write("t.jsonl", "{\"key\":1,\"value\":1}\n{\"key\":2,\"val");
  FileSink sink(dir_, true);
  ASSERT_TRUE(sink.open());
  write_batch(sink, {record("t", "2", "2", 0)});
  EXPECT_EQ(read("t.jsonl"), "{\"key\":1,\"value\":1}\n{\"key\":2,\"value\":2}\n");
}

TEST_F(FileSinkTest, FileWithoutAnyCompleteLineIsEmptied) {
  write("t.jsonl", "{\"key\":1,\"va");
  FileSink sink(dir_, true);
  ASSERT_TRUE(sink.open());
  write_batch(sink, {record("t", "1", "1", 0)});
  EXPECT_EQ(read("t.jsonl"), "{\"key\":1,\"value\":1}\n");
}

TEST_F(FileSinkTest, TornTailLongerThanTheReadChunk) {
  const std::string complete = "{\"key\":0,\"value\":\"" + std::string(5000, 'x') + "\"}\n";
  write("t.jsonl", complete + "{\"key\":1,\"value\":\"" + std::string(10000, 'y'));
  FileSink sink(dir_, false);
  ASSERT_TRUE(sink.open());
  write_batch(sink, {record("t", "1", "1", 0)});
  EXPECT_EQ(read("t.jsonl"), complete + "{\"key\":1,\"value\":1}\n");

  write("u.jsonl", std::string(9000, 'z'));
  write_batch(sink, {record("u", "2", "2", 1)});
  EXPECT_EQ(read("u.jsonl"), "{\"key\":2,\"value\":2}\n");
}

TEST_F(FileSinkTest, CompleteFilesAreKeptOnReopen) {
  {
    FileSink first(dir_, true);
    ASSERT_TRUE(first.open());
    write_batch(first, {record("t", "1", "1", 0)});
  }
  FileSink second(dir_, true);
  ASSERT_TRUE(second.open());
  write_batch(second, {record("t", "2", "2", 0)});
  EXPECT_EQ(read("t.jsonl"), "{\"key\":1,\"value\":1}\n{\"key\":2,\"value\":2}\n");
}

TEST_F(FileSinkTest, UnopenableFileFailsTheBatchWithoutAcknowledgements) {
  FileSink sink(dir_, true);
  ASSERT_TRUE(sink.open());
  fs::create_directories(fs::path(dir_) / "blocked.jsonl");  // a directory where the file goes
  auto acked = write_batch(sink, {record("fine", "1", "1", 0), record("blocked", "2", "2", 1)},
                           /*expect_ok=*/false);
  EXPECT_TRUE(acked.empty()) << "no record of a failed batch is acknowledged";
}

TEST_F(FileSinkTest, CloseIsIdempotent) {
  FileSink sink(dir_, true);
  ASSERT_TRUE(sink.open());
  write_batch(sink, {record("t", "1", "1", 0)});
  sink.close();
  sink.close();
  // Usable again after close: files are reopened on demand.
  write_batch(sink, {record("t", "2", "2", 1)});
  EXPECT_EQ(read("t.jsonl"), "{\"key\":1,\"value\":1}\n{\"key\":2,\"value\":2}\n");
}

}  // namespace
}  // namespace siphon::sink
