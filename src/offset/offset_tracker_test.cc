#include "offset/offset_tracker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

namespace siphon::offset {
namespace {

// A position that names its record: event_lsn = 100 + n.
SourcePosition position(uint64_t n) {
  SourcePosition p;
  p.event_lsn = 100 + n;
  p.completed_lsn = 1000 + n;
  p.tx_id = 7;
  return p;
}

// The record n a delivered position belongs to, or -1 for none.
long delivered_record(const OffsetTracker& t) {
  auto d = t.delivered();
  return d ? static_cast<long>(d->event_lsn) - 100 : -1;
}

TEST(OffsetTracker, EmptyTrackerIsDrainedAndHasNothingDelivered) {
  OffsetTracker t;
  EXPECT_FALSE(t.delivered().has_value());
  EXPECT_TRUE(t.drained());
  EXPECT_EQ(t.tracked(), 0u);
  EXPECT_EQ(t.pending(), 0u);
  auto [pos, count] = t.delivered_with_count();
  EXPECT_FALSE(pos.has_value());
  EXPECT_EQ(count, 0u);
}

TEST(OffsetTracker, SequenceNumbersIncreaseFromZero) {
  OffsetTracker t;
  EXPECT_EQ(t.track(position(0)), 0u);
  EXPECT_EQ(t.track(position(1)), 1u);
  EXPECT_EQ(t.track(position(2)), 2u);
  EXPECT_EQ(t.tracked(), 3u);
  EXPECT_EQ(t.pending(), 3u);
  EXPECT_FALSE(t.drained());
}

TEST(OffsetTracker, OutOfOrderAcknowledgementsAdvanceOnlyTheContiguousPrefix) {
  OffsetTracker t;
  for (uint64_t i = 0; i < 5; ++i) t.track(position(i));

  t.acknowledge(2);
  t.acknowledge(4);
  EXPECT_FALSE(t.delivered().has_value()) << "record 0 is not acknowledged yet";
  EXPECT_EQ(t.pending(), 5u);

  t.acknowledge(0);
  EXPECT_EQ(delivered_record(t), 0);
  EXPECT_EQ(t.pending(), 4u);

  t.acknowledge(1);  // 0, 1, 2 now contiguous
  EXPECT_EQ(delivered_record(t), 2);
  EXPECT_EQ(t.pending(), 2u);
  EXPECT_FALSE(t.drained());

  t.acknowledge(3);  // 3 and the earlier 4
  EXPECT_EQ(delivered_record(t), 4);
  EXPECT_TRUE(t.drained());
  EXPECT_EQ(t.pending(), 0u);
  EXPECT_EQ(t.tracked(), 5u);
}

TEST(OffsetTracker, DeliveredPositionIsTheWholePosition) {
  OffsetTracker t;
  SourcePosition p;
  p.completed_lsn = 0x16B374D848;
  p.tx_final_lsn = 0x16B374D800;
  p.tx_id = 555;
  p.event_lsn = 0x16B374D700;
  p.commit_ts_us = 1714557600123456;
  p.records_done = 3;
  p.tx_complete = true;
  t.acknowledge(t.track(p));
  auto d = t.delivered();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->completed_lsn, p.completed_lsn);
  EXPECT_EQ(d->tx_final_lsn, p.tx_final_lsn);
  EXPECT_EQ(d->tx_id, p.tx_id);
  EXPECT_EQ(d->event_lsn, p.event_lsn);
  EXPECT_EQ(d->commit_ts_us, p.commit_ts_us);
  EXPECT_EQ(d->records_done, p.records_done);
  EXPECT_TRUE(d->tx_complete);
}

TEST(OffsetTracker, DeliveredWithCountCountsTheAcknowledgedPrefix) {
  OffsetTracker t;
  for (uint64_t i = 0; i < 4; ++i) t.track(position(i));
  t.acknowledge(1);
  auto [none, zero] = t.delivered_with_count();
  EXPECT_FALSE(none.has_value());
  EXPECT_EQ(zero, 0u);

  t.acknowledge(0);
  auto [pos, count] = t.delivered_with_count();
  ASSERT_TRUE(pos);
  EXPECT_EQ(pos->event_lsn, 101u);
  EXPECT_EQ(count, 2u);

  t.acknowledge(3);
  EXPECT_EQ(t.delivered_with_count().second, 2u);
  t.acknowledge(2);
  EXPECT_EQ(t.delivered_with_count().second, 4u);
  EXPECT_EQ(t.delivered_with_count().first->event_lsn, 103u);
}

TEST(OffsetTracker, KeepsCountingAfterDraining) {
  OffsetTracker t;
  t.acknowledge(t.track(position(0)));
  EXPECT_TRUE(t.drained());
  EXPECT_EQ(t.track(position(1)), 1u);
  EXPECT_FALSE(t.drained());
  EXPECT_EQ(delivered_record(t), 0) << "the delivered position stays until the next prefix";
  t.acknowledge(1);
  EXPECT_EQ(delivered_record(t), 1);
  EXPECT_EQ(t.delivered_with_count().second, 2u);
}

TEST(OffsetTracker, RandomAcknowledgementOrders) {
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    OffsetTracker t;
    const size_t n = 1 + rng() % 200;
    for (size_t i = 0; i < n; ++i) t.track(position(i));
    std::vector<uint64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<bool> acked(n, false);
    for (uint64_t seq : order) {
      t.acknowledge(seq);
      acked[seq] = true;
      size_t prefix = 0;
      while (prefix < n && acked[prefix]) ++prefix;
      ASSERT_EQ(delivered_record(t), static_cast<long>(prefix) - 1);
      ASSERT_EQ(t.delivered_with_count().second, prefix);
      ASSERT_EQ(t.pending(), n - prefix);
    }
    EXPECT_TRUE(t.drained());
  }
}

TEST(OffsetTracker, ConcurrentProducerAndAcknowledgers) {
  OffsetTracker t;
  constexpr uint64_t kRecords = 20000;
  std::atomic<uint64_t> produced{0};
  std::thread producer([&] {
    for (uint64_t i = 0; i < kRecords; ++i) {
      ASSERT_EQ(t.track(position(i)), i);
      produced.store(i + 1, std::memory_order_release);
    }
  });
  // Two acknowledgers: one takes even sequence numbers, the other odd ones.
  auto acknowledger = [&](uint64_t parity) {
    for (uint64_t seq = parity; seq < kRecords; seq += 2) {
      while (produced.load(std::memory_order_acquire) <= seq) std::this_thread::yield();
      t.acknowledge(seq);
      auto [pos, count] = t.delivered_with_count();
      if (pos) {
        ASSERT_EQ(pos->event_lsn - 100 + 1, count) << "position and count read together";
      }
    }
  };
  std::thread even(acknowledger, 0), odd(acknowledger, 1);
  producer.join();
  even.join();
  odd.join();
  EXPECT_TRUE(t.drained());
  EXPECT_EQ(delivered_record(t), static_cast<long>(kRecords) - 1);
  EXPECT_EQ(t.delivered_with_count().second, kRecords);
}

}  // namespace
}  // namespace siphon::offset
