// Per-core cost of the PostgreSQL hot path without I/O: one pgoutput Insert message of a narrow
// row (bigint, int, text) decoded, converted to Debezium values and serialized to Kafka JSON,
// with schemas on and off. PERFORMANCE.md's target: >= 2M narrow rows/s per core.
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "event/change_event.h"
#include "format/debezium_json_serializer.h"
#include "source/postgres/pg_value_converter.h"
#include "source/postgres/pgoutput_decoder.h"
#include "source/postgres/postgres_source.h"

namespace {

using namespace siphon;
using namespace siphon::source::postgres;

std::string be32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 3; i >= 0; --i) {
    s[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

// 'I' relid 'N' ncols=3 ('t' len bytes)*3, as PostgreSQL 15 sends it.
std::string insert_message() {
  std::string m = "I" + be32(16384) + "N" + std::string("\0\3", 2);
  for (std::string v : {"1234567", "42", "row 1234567 of the benchmark"}) {
    m += "t" + be32(static_cast<uint32_t>(v.size())) + v;
  }
  return m;
}

void run(benchmark::State& state, bool schemas) {
  PgValueConverter converter(PgConverterOptions{});
  auto table = std::make_shared<schema::TableSchema>();
  table->id = schema::next_schema_id();
  table->catalog_name = "public";
  table->table_name = "narrow";
  table->topic = "bench.public.narrow";
  std::vector<PgValueConverter::Column> columns;
  columns.push_back(*converter.column("id", oid::kInt8, -1, false));
  columns.push_back(*converter.column("a", oid::kInt4, -1, true));
  columns.push_back(*converter.column("b", oid::kText, -1, true));
  for (const auto& c : columns) {
    schema::ColumnSchema cs;
    cs.field = c.field;
    cs.key = !c.field.optional;
    table->columns.push_back(cs);
  }
  table->key_columns = {0};
  format::DebeziumJsonSerializer serializer(format::JsonFormatOptions{schemas, schemas, true});
  auto source_schema = std::make_shared<const schema::FieldSchema>(PostgresSource::source_schema());
  const std::string message = insert_message();
  size_t bytes = 0;
  for (auto _ : state) {
    auto decoded = decode_pgoutput_message(message);
    const auto& insert = std::get<InsertMessage>(*decoded);
    event::ChangeEvent e;
    e.table = table;
    e.op = event::Op::kCreate;
    Row row(columns.size());
    for (size_t i = 0; i < columns.size(); ++i) {
      row[i] = *converter.convert(columns[i], insert.new_tuple[i].data);
    }
    e.after = std::move(row);
    e.source.schema = source_schema;
    e.source.values = {Value::string("3.1.2.Final"),
                       Value::string("postgresql"),
                       Value::string("bench"),
                       Value::integer(1714557600123),
                       Value::string("false"),
                       Value::string("postgres"),
                       Value::string("[\"24023119\",\"24023128\"]"),
                       Value::integer(1714557600123456),
                       Value::integer(1714557600123456000),
                       Value::string("public"),
                       Value::string("narrow"),
                       Value::integer(555),
                       Value::integer(24023128),
                       Value::null()};
    e.processed_at_ns = 1714557600200311522;
    auto rec = serializer.serialize_change(e);
    bytes += rec.value->size() + rec.key->size();
    benchmark::DoNotOptimize(rec);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_PgoutputToJsonSchemasOn(benchmark::State& state) {
  run(state, true);
}
void BM_PgoutputToJsonSchemasOff(benchmark::State& state) {
  run(state, false);
}
BENCHMARK(BM_PgoutputToJsonSchemasOn);
BENCHMARK(BM_PgoutputToJsonSchemasOff);

}  // namespace

BENCHMARK_MAIN();
