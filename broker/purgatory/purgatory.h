// Delayed operations ("purgatory", as in Kafka): requests that wait for an
// event — a Fetch waiting for data, an acks=all Produce waiting for the high
// watermark — park here and complete when an event makes them satisfiable or
// when their timeout passes, whichever comes first. No thread waits.
//
// Thread-safety: everything is thread-safe. TryComplete() of one operation may
// run concurrently on several threads (one per event); it must be safe for
// that, and it completes the operation through ForceComplete(), which lets
// exactly one caller through.
#ifndef GREGOR_BROKER_PURGATORY_PURGATORY_H_
#define GREGOR_BROKER_PURGATORY_PURGATORY_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "asio.hpp"

namespace gregor::broker {

// What an operation waits on: a partition (by topic id) and nothing else.
struct WatchKey {
  uint64_t topic_hi = 0;
  uint64_t topic_lo = 0;
  int32_t partition = 0;

  friend bool operator==(const WatchKey&, const WatchKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const WatchKey& k) {
    return H::combine(std::move(h), k.topic_hi, k.topic_lo, k.partition);
  }
};

class DelayedOperation : public std::enable_shared_from_this<DelayedOperation> {
 public:
  virtual ~DelayedOperation() = default;

  // Checks whether the operation can complete now; when it can, it calls
  // ForceComplete() and returns its result. Called on events and once when
  // the operation is added.
  virtual bool TryComplete() = 0;

  // Completes the operation if nobody did yet: cancels the timer, runs
  // OnComplete(). Returns true for the one caller that completed it.
  bool ForceComplete() { return CompleteOnce(false); }
  bool completed() const { return completed_.load(std::memory_order_acquire); }

 protected:
  // Runs exactly once, on the thread that completed the operation.
  virtual void OnComplete() = 0;
  // Runs just before OnComplete() when the timeout completed the operation.
  virtual void OnExpiration() {}

 private:
  friend class Purgatory;
  bool CompleteOnce(bool expired);
  std::atomic<bool> completed_{false};
  std::unique_ptr<asio::steady_timer> timer_;
  absl::Mutex timer_mu_;
};

class Purgatory {
 public:
  explicit Purgatory(std::string name, int purge_interval = 1000);

  // Completes `op` now if it can; otherwise watches it under `keys` and arms
  // a timer of `timeout` on `timer_loop` after which it expires. Returns true
  // when it completed at once.
  bool TryCompleteElseWatch(const std::shared_ptr<DelayedOperation>& op,
                            const std::vector<WatchKey>& keys, std::chrono::milliseconds timeout,
                            asio::io_context& timer_loop);

  // Gives every operation watching `key` a chance to complete (call after an
  // append, a high-watermark change, a leadership change...). Returns how
  // many completed.
  int CheckAndComplete(const WatchKey& key);

  // Operations currently watched (completed ones not yet purged excluded
  // approximately); for metrics.
  int64_t watched() const { return watched_.load(std::memory_order_relaxed); }
  const std::string& name() const { return name_; }

 private:
  using OpList = std::vector<std::shared_ptr<DelayedOperation>>;
  void PurgeCompleted();

  const std::string name_;
  const int purge_interval_;
  std::atomic<int64_t> watched_{0};
  std::atomic<int> adds_since_purge_{0};
  absl::Mutex mu_;
  absl::flat_hash_map<WatchKey, OpList> watchers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_PURGATORY_PURGATORY_H_
