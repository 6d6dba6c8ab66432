#include "integration/siphon_harness.h"

#include <thread>

#include <gtest/gtest.h>

#include "core/lsn.h"

namespace siphon::testing {

SiphonHarness::SiphonHarness(const PgServer& pg, const std::string& name)
    : SiphonHarnessBase(name), conninfo_(pg.conninfo()), slot_("slot_" + name) {
  props.insert({
      {"debezium.source.connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
      {"debezium.source.database.hostname", "127.0.0.1"},
      {"debezium.source.database.port", std::to_string(pg.port())},
      {"debezium.source.database.user", "postgres"},
      {"debezium.source.database.dbname", "postgres"},
      {"debezium.source.plugin.name", "pgoutput"},
      {"debezium.source.slot.name", slot_},
      {"debezium.source.publication.name", "pub_" + name},
      {"debezium.source.status.update.interval.ms", "1000"},
  });
}

SiphonHarness::~SiphonHarness() {
  try {
    PgConnection sql(conninfo_);
    sql.exec(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE "
        "slot_name = '" +
        slot_ + "' AND NOT active");
  } catch (const std::exception&) {
    // The server may be gone already (a test that stopped it); nothing to clean then.
  }
}

std::string SiphonHarness::topic(const std::string& table) const {
  return prefix() + ".public." + table;
}

void SiphonHarness::wait_until_streaming(PgConnection& sql,
                                         std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    // A slot being created by CREATE_REPLICATION_SLOT is already active, but a commit before
    // its consistent point is not decoded: confirmed_flush_lsn is NULL until that point is found
    // (seen in CI: a row inserted in that window never arrived).
    if (sql.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot_ +
                   "' AND active AND confirmed_flush_lsn IS NOT NULL") != "0") {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "siphon never started streaming from slot " << slot_ << "\n" << log();
}

uint64_t lsn_of(const std::string& text) {
  auto lsn = Lsn::parse(text);
  if (!lsn) throw std::runtime_error("not an LSN: '" + text + "'");
  return lsn->value();
}

}  // namespace siphon::testing
