// Incremental fetch sessions (KIP-227). A consumer that opens a session
// (session epoch 0) sends later fetches with only the partitions whose
// position changed; the broker remembers the rest and answers with only the
// partitions that have something new (records, an error, or a changed high
// watermark / last stable offset / log start offset).
//
// FetchSessionCache holds a bounded number of sessions
// (max.incremental.fetch.session.cache.slots); when full, the least recently
// used session idle for longer than `min_evict_idle` makes room, otherwise
// the new session is not created (the client then fetches sessionless, as
// with Kafka).
//
// Thread-safety: thread-safe. A session is used by one client at a time (its
// epochs are sequential) but is also touched when a delayed fetch completes,
// so each session has its own lock.
#ifndef GREGOR_BROKER_KAFKA_FETCH_SESSION_H_
#define GREGOR_BROKER_KAFKA_FETCH_SESSION_H_

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "common/uuid.h"

namespace gregor::broker {

// One partition a fetch asks for.
struct FetchPartitionState {
  std::string topic;  // resolved name ("" when the id is unknown)
  Uuid topic_id;
  int32_t partition = 0;
  int64_t fetch_offset = 0;
  int32_t max_bytes = 0;
  int32_t current_leader_epoch = -1;
  int64_t log_start_offset = -1;
  // What the last response said (sessions answer only on change).
  int64_t last_high_watermark = -2;
  int64_t last_stable_offset = -2;
  int64_t last_log_start_offset = -2;
};

struct FetchSession {
  int32_t id = 0;
  int32_t epoch = 1;  // the epoch the next request must carry
  // Partitions in the order they were added.
  std::vector<FetchPartitionState> partitions;
  std::chrono::steady_clock::time_point last_used;
  absl::Mutex mu;

  // Index of a partition, or -1. O(1).
  int Find(const Uuid& topic_id, const std::string& topic, int32_t partition) const;
  // Adds a partition (REQUIRES: not present).
  void Add(FetchPartitionState p);
  // Removes a partition if present.
  void Remove(const Uuid& topic_id, const std::string& topic, int32_t partition);

 private:
  using Key = std::tuple<Uuid, std::string, int32_t>;
  static Key KeyOf(const Uuid& topic_id, const std::string& topic, int32_t partition) {
    // Sessions of v13+ clients name topics by id, older ones by name.
    return topic_id.IsZero() ? Key(Uuid(), topic, partition) : Key(topic_id, "", partition);
  }
  void Reindex();
  absl::flat_hash_map<Key, int> index_;
};

class FetchSessionCache {
 public:
  FetchSessionCache(int max_sessions, std::chrono::milliseconds min_evict_idle);

  // A new session holding `partitions`, or null when there is no room.
  std::shared_ptr<FetchSession> Create(std::vector<FetchPartitionState> partitions);
  std::shared_ptr<FetchSession> Get(int32_t id);
  void Remove(int32_t id);
  size_t size() const;

 private:
  const int max_sessions_;
  const std::chrono::milliseconds min_evict_idle_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<int32_t, std::shared_ptr<FetchSession>> sessions_ ABSL_GUARDED_BY(mu_);
  absl::BitGen gen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_FETCH_SESSION_H_
