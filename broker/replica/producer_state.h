// Idempotent-producer state of one partition: for each producer id, its
// epoch and the last few batches it wrote (sequence ranges and offsets), so a
// leader can reject out-of-order sequences, fence old epochs and answer a
// retried batch with the offsets it already got instead of appending it
// twice. Rebuilt from the log's batch headers after a restart or leadership
// change (every replica keeps it as it appends).
//
// Pure data structure; not thread-safe (the owning partition serialises
// appends under its lock).
#ifndef GREGOR_BROKER_REPLICA_PRODUCER_STATE_H_
#define GREGOR_BROKER_REPLICA_PRODUCER_STATE_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::broker {

struct BatchMetadata {
  int32_t first_seq = 0;
  int32_t last_seq = 0;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  int64_t timestamp = 0;
};

struct ProducerEntry {
  int16_t epoch = -1;
  std::deque<BatchMetadata> batches;  // newest last, at most kMaxCachedBatches
  int64_t last_timestamp = 0;
  // First offset of the open transaction, when one is open.
  std::optional<int64_t> txn_first_offset;
};

// Outcome of checking a batch from a client before it is appended.
struct ProducerCheck {
  enum class Kind { kAppend, kDuplicate, kError };
  Kind kind = Kind::kAppend;
  int16_t error_code = 0;  // Kafka error code when kind == kError
  std::string message;
  BatchMetadata duplicate_of;  // when kind == kDuplicate
};

class ProducerStateManager {
 public:
  // Kafka keeps the last 5 batches per producer (max.in.flight.requests = 5).
  static constexpr size_t kMaxCachedBatches = 5;

  // Validates a client batch (as leader) against the producer's state.
  // Non-idempotent batches (producer id -1) are always appended.
  ProducerCheck Check(const kafka::BatchHeader& batch) const;

  // Records an appended batch (leader or follower, or replay during
  // recovery); `batch` carries its assigned offsets.
  void OnAppend(const kafka::BatchHeader& batch);

  // Forgets everything at or after `offset` (log truncation): entries whose
  // cached batches all lie beyond it are dropped, the rest trimmed. Callers
  // then replay the log from the earliest offset they still hold if needed.
  void TruncateTo(int64_t offset);

  // Drops producers whose last write is older than `min_timestamp`
  // (`transactional.id.expiration.ms`/`producer.id.expiration.ms`).
  void ExpireOlderThan(int64_t min_timestamp);

  const ProducerEntry* Find(int64_t producer_id) const;
  // Calls `f(producer_id, entry)` for every producer with state.
  template <typename F>
  void ForEach(F&& f) const {
    for (const auto& [id, entry] : producers_) f(id, entry);
  }
  // First offset of the oldest open transaction (the last stable offset
  // cannot pass it), or nullopt when none is open. O(1).
  std::optional<int64_t> FirstUnstableOffset() const {
    if (open_txn_first_offsets_.empty()) return std::nullopt;
    return *open_txn_first_offsets_.begin();
  }
  size_t size() const { return producers_.size(); }
  void Clear() {
    producers_.clear();
    open_txn_first_offsets_.clear();
  }

 private:
  void EndTxn(ProducerEntry& e);

  absl::flat_hash_map<int64_t, ProducerEntry> producers_;
  std::multiset<int64_t> open_txn_first_offsets_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_REPLICA_PRODUCER_STATE_H_
