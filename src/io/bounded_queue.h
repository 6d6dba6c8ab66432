#pragma once
// A FIFO between two pipeline stages, bounded by total bytes and by item count. A full queue
// blocks the producer (back-pressure all the way to the replication socket); the timed push lets
// the producer keep its connection alive (status updates) while it waits.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace siphon::io {

template <typename T>
class BoundedQueue {
 public:
  BoundedQueue(size_t max_bytes, size_t max_items) : max_bytes_(max_bytes), max_items_(max_items) {}

  // Waits up to `timeout` for room. An item larger than the whole budget is still admitted when
  // the queue is empty, so a single huge row cannot deadlock the pipeline.
  bool push_for(T& item, size_t bytes, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    bool has_room = not_full_.wait_for(lock, timeout, [&] { return closed_ || fits(bytes); });
    if (!has_room || closed_) return false;
    items_.push_back(Entry{std::move(item), bytes});
    bytes_ += bytes;
    not_empty_.notify_one();
    return true;
  }

  // Pops up to `max` items into `out`, waiting up to `timeout` for the first. Returns false when
  // the queue is closed and drained.
  bool pop_batch(std::vector<T>& out, size_t max, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return !closed_;
    while (!items_.empty() && out.size() < max) {
      bytes_ -= items_.front().bytes;
      out.push_back(std::move(items_.front().item));
      items_.pop_front();
    }
    not_full_.notify_all();
    return true;
  }

  // No more pushes; poppers drain what is left.
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

  size_t bytes() const {
    std::lock_guard lock(mu_);
    return bytes_;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }

 private:
  struct Entry {
    T item;
    size_t bytes;
  };
  bool fits(size_t bytes) const {
    if (items_.empty()) return true;
    return bytes_ + bytes <= max_bytes_ && items_.size() < max_items_;
  }

  const size_t max_bytes_;
  const size_t max_items_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<Entry> items_;
  size_t bytes_ = 0;
  bool closed_ = false;
};

}  // namespace siphon::io
