// One replica fetcher: the follower side of replication for every partition
// this broker follows from one leader broker, over one stream (Kafka's
// replica fetcher thread).
//
// Each partition it holds is in one of these states:
//   truncating  just added for a (new) leader epoch, or told by the leader
//               that its log diverges: it asks the leader where its latest
//               epoch ends (EpochEndOffset) and cuts its log there
//               (truncation.h) — possibly over several rounds — before it
//               fetches anything;
//   fetching    included in the next fetch at its log end offset, with the
//               epoch of its last batch so the leader can check it still
//               matches (diverging epoch → back to truncating);
//   delayed     a retriable error (leader moved, epochs out of step, storage
//               error): left out of requests until a back-off passes;
//   failed      its log is broken (an I/O error): left out until the
//               partition is added again.
//
// After appending what the leader sent, the fetcher sends its next fetch
// only once the appended records are durable (Log::WhenDurable, when
// sync_before_ack), so the offset it fetches from — which the leader counts
// toward the high watermark — is its durable end.
//
// When the leader cannot be reached the fetcher backs off exponentially up
// to the fetch back-off (replica.fetch.backoff.ms). Adding a partition
// interrupts a fetch in flight, so a new partition never waits for a long
// poll at the leader.
//
// Thread-safety: thread-safe. Start() runs the loop on its own thread;
// tests call RunOnce() instead.
#ifndef GREGOR_BROKER_REPLICA_REPLICA_FETCHER_H_
#define GREGOR_BROKER_REPLICA_REPLICA_FETCHER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "broker/replica/leader_endpoint.h"
#include "broker/replica/partition.h"
#include "common/clock.h"
#include "common/strong_int.h"

namespace gregor::broker {

struct ReplicaFetcherOptions {
  BrokerId broker_id{-1};  // this follower
  // The broker epoch of this process (sent with each fetch).
  std::function<int64_t()> broker_epoch;
  // Kafka's replica.fetch.wait.max.ms / replica.fetch.min.bytes.
  int32_t max_wait_ms = 500;
  int32_t min_bytes = 1;
  // Kafka's replica.fetch.response.max.bytes / replica.fetch.max.bytes.
  int32_t max_bytes = 10 << 20;
  int32_t partition_max_bytes = 1 << 20;
  // Partitions in one request; the rest go in the next ones (round robin).
  int32_t max_partitions_per_request = 1000;
  // Back-off when the leader is unreachable: doubles from min to max
  // (Kafka's replica.fetch.backoff.ms is the max).
  std::chrono::milliseconds backoff_min{50};
  std::chrono::milliseconds backoff_max{1000};
  // Back-off of a partition after a retriable partition error.
  std::chrono::milliseconds partition_retry_backoff{100};
  // How long an answer may take beyond max_wait_ms before the stream is
  // reset (a paused leader).
  std::chrono::milliseconds request_timeout{10000};
  // Wait for appended records to be durable before the next fetch.
  bool sync_before_ack = true;
  // Truncation rounds (KIP-279) before giving up on a partition for a while.
  int max_truncation_rounds = 64;
};

// Counters of one fetcher (monotonic) and its current shape.
struct ReplicaFetcherStats {
  BrokerId leader{-1};
  std::string address;
  int64_t fetches = 0;
  int64_t fetch_errors = 0;  // failed requests (unreachable, timeouts)
  int64_t bytes = 0;
  int64_t truncations = 0;
  int64_t partitions = 0;
  int64_t partitions_failed = 0;
  bool connected = false;  // the last request was answered
};

class ReplicaFetcher {
 public:
  enum class State { kTruncating, kFetching, kDelayed, kFailed };

  // REQUIRES: `clock` outlives the fetcher.
  ReplicaFetcher(BrokerId leader, std::unique_ptr<LeaderEndpoint> endpoint,
                 ReplicaFetcherOptions options, Clock* clock);
  ~ReplicaFetcher();  // Stop()

  void Start();
  // Stops the thread (interrupting a fetch in flight). Idempotent.
  void Stop();

  // Fetches `p` from this leader under `leader_epoch`: a new partition, or
  // one whose epoch changed, starts truncating; the same epoch again keeps
  // its state. Returns true when the partition is new or restarted (the
  // caller then calls Wake()).
  bool Add(std::shared_ptr<Partition> p, LeaderEpoch leader_epoch);
  void Remove(const Uuid& topic_id, int32_t partition);
  // Interrupts a fetch in flight so the next request includes what changed.
  void Wake();

  size_t partition_count() const;
  // Every partition held, with the leader epoch it is fetched under.
  std::vector<std::pair<std::shared_ptr<Partition>, LeaderEpoch>> partitions() const;
  BrokerId leader() const { return leader_; }
  std::string address() const { return endpoint_->address(); }
  ReplicaFetcherStats stats() const;
  // The state of a partition (nullopt when this fetcher does not hold it).
  std::optional<State> state(const Uuid& topic_id, int32_t partition) const;

  // One round: truncation for the partitions that need it, then one fetch
  // for the others, then the durability wait. Returns false when there was
  // nothing to do (no ready partitions, or backing off). Public for tests.
  bool RunOnce();

 private:
  struct Key {
    Uuid topic_id;
    int32_t partition;
    friend bool operator==(const Key&, const Key&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.topic_id, k.partition);
    }
  };
  struct Entry {
    std::shared_ptr<Partition> partition;
    LeaderEpoch leader_epoch;
    State state = State::kTruncating;
    std::chrono::steady_clock::time_point retry_at{};
    uint64_t generation = 0;  // changes on every (re)add
    int truncation_rounds = 0;
    // The epoch to ask the leader about next (-1: the log's latest).
    LeaderEpoch query_epoch{-1};
  };
  // A copy of an entry for one round, done outside the lock.
  struct Work {
    Key key;
    std::shared_ptr<Partition> partition;
    LeaderEpoch leader_epoch;
    uint64_t generation;
    int truncation_rounds;
    LeaderEpoch query_epoch;
  };
  enum class Next { kFetch, kTruncate, kDelay, kFail, kKeep };
  struct Outcome {
    Next next = Next::kKeep;
    std::chrono::milliseconds delay{0};   // kDelay
    LeaderEpoch query_epoch{-1};          // kTruncate: ask about this epoch next
  };

  void Run();
  std::vector<Work> TakeReady(State state) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Apply(const std::vector<std::pair<Work, Outcome>>& outcomes);
  void Truncate(const std::vector<Work>& work);
  void Fetch(const std::vector<Work>& work);
  Outcome HandleFetched(const Work& w, replicapb::FetchedPartition& fp);
  Outcome ApplyTruncation(const Work& w, const storage::EpochEndOffset& leader_answer);
  // Waits until each partition's log is durable up to its end; returns the
  // ones whose log failed.
  std::vector<bool> WaitDurable(const std::vector<Work>& work);
  void OnEndpointFailure(const absl::Status& s);
  std::chrono::steady_clock::time_point NextWake() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const BrokerId leader_;
  const std::unique_ptr<LeaderEndpoint> endpoint_;
  const ReplicaFetcherOptions options_;
  Clock* const clock_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  absl::flat_hash_map<Key, Entry> entries_ ABSL_GUARDED_BY(mu_);
  uint64_t next_generation_ ABSL_GUARDED_BY(mu_) = 1;
  bool changed_ ABSL_GUARDED_BY(mu_) = false;  // entries added since the last round
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point backoff_until_ ABSL_GUARDED_BY(mu_){};
  std::chrono::milliseconds backoff_ ABSL_GUARDED_BY(mu_){0};
  size_t rotation_ ABSL_GUARDED_BY(mu_) = 0;  // round-robin start of the next request
  ReplicaFetcherStats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_REPLICA_REPLICA_FETCHER_H_
