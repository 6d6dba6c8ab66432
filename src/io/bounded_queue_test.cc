#include "io/bounded_queue.h"

#include <thread>

#include <gtest/gtest.h>

namespace siphon::io {
using namespace std::chrono_literals;

TEST(BoundedQueue, BlocksTheProducerWhenTheByteBudgetIsUsed) {
  BoundedQueue<int> q(100, 1000);
  int a = 1, b = 2, c = 3;
  EXPECT_TRUE(q.push_for(a, 60, 0ms));
  EXPECT_TRUE(q.push_for(b, 40, 0ms));
  EXPECT_FALSE(q.push_for(c, 1, 10ms));  // full: 100 bytes queued
  std::vector<int> out;
  EXPECT_TRUE(q.pop_batch(out, 1, 0ms));
  EXPECT_EQ(out, std::vector<int>{1});
  EXPECT_TRUE(q.push_for(c, 50, 0ms));
  EXPECT_EQ(q.bytes(), 90u);
}

TEST(BoundedQueue, AdmitsAnOversizedItemIntoAnEmptyQueue) {
  BoundedQueue<int> q(10, 10);
  int a = 1;
  EXPECT_TRUE(q.push_for(a, 1000, 0ms));
}

TEST(BoundedQueue, BoundsItemCount) {
  BoundedQueue<int> q(1 << 20, 2);
  int a = 1;
  EXPECT_TRUE(q.push_for(a, 1, 0ms));
  EXPECT_TRUE(q.push_for(a, 1, 0ms));
  EXPECT_FALSE(q.push_for(a, 1, 0ms));
}

TEST(BoundedQueue, CloseDrainsThenReportsEnd) {
  BoundedQueue<int> q(100, 100);
  int a = 7;
  q.push_for(a, 1, 0ms);
  q.close();
  std::vector<int> out;
  EXPECT_TRUE(q.pop_batch(out, 10, 0ms));
  EXPECT_EQ(out.size(), 1u);
  out.clear();
  EXPECT_FALSE(q.pop_batch(out, 10, 0ms));
}

TEST(BoundedQueue, WakesABlockedProducer) {
  BoundedQueue<int> q(1, 1);
  int a = 1;
  q.push_for(a, 1, 0ms);
  std::thread consumer([&] {
    std::this_thread::sleep_for(20ms);
    std::vector<int> out;
    q.pop_batch(out, 1, 1000ms);
  });
  int b = 2;
  EXPECT_TRUE(q.push_for(b, 1, 5000ms));
  consumer.join();
}

}  // namespace siphon::io
