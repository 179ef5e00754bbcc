// The follower side of replication on one broker: one ReplicaFetcher per
// leader broker, and the map of which partition is fetched from which
// leader. Fed by the ReplicaManager's follower listener: a partition whose
// leader changed moves to the new leader's fetcher (and truncates there
// first); one that this broker leads now, or that left it, is dropped; a
// fetcher left without partitions stops.
//
// Leaders are found by broker id in the metadata image (their
// replica_address); the endpoint factory makes the connection (gRPC in the
// broker, a fake in tests).
//
// Thread-safety: thread-safe; Follow/Unfollow come from the metadata thread.
#ifndef GREGOR_BROKER_REPLICA_REPLICA_FETCHER_MANAGER_H_
#define GREGOR_BROKER_REPLICA_REPLICA_FETCHER_MANAGER_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "broker/replica/leader_endpoint.h"
#include "broker/replica/partition.h"
#include "broker/replica/replica_fetcher.h"
#include "common/clock.h"
#include "common/metadata/image.h"
#include "common/metrics/metrics.h"

namespace gregor::broker {

class ReplicaFetcherManager {
 public:
  using ImageFn = std::function<std::shared_ptr<const metadata::MetadataImage>()>;

  // REQUIRES: `clock` (and `metrics`, when not null) outlive the manager.
  ReplicaFetcherManager(ReplicaFetcherOptions options, LeaderEndpointFactory endpoints,
                        ImageFn image, Clock* clock, metrics::Registry* metrics);
  ~ReplicaFetcherManager();  // Stop()

  // Fetchers created from now on run their own threads (before Start,
  // partitions are only recorded).
  void Start();
  // Stops every fetcher. Idempotent.
  void Stop();

  // Partitions this broker follows now (their registration changed).
  void Follow(const std::vector<std::shared_ptr<Partition>>& partitions);
  // Partitions this broker no longer follows.
  void Unfollow(const std::vector<std::shared_ptr<Partition>>& partitions);

  // Which leader a partition is fetched from (kNoLeader: none).
  BrokerId FetchingFrom(const Uuid& topic_id, int32_t partition) const;
  std::vector<ReplicaFetcherStats> Stats() const;
  // The fetcher of `leader`, or null (for tests).
  ReplicaFetcher* fetcher(BrokerId leader) const;

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

  // Removes `key` from the fetcher it is in; collects fetchers left empty.
  void DetachLocked(const Key& key, std::vector<std::unique_ptr<ReplicaFetcher>>* retired)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ReplicaFetcher* FetcherForLocked(BrokerId leader, const std::string& address,
                                   std::vector<std::unique_ptr<ReplicaFetcher>>* retired)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ReplicaFetcherOptions options_;
  const LeaderEndpointFactory endpoints_;
  const ImageFn image_;
  Clock* const clock_;
  metrics::Registry* const metrics_;
  int metrics_collector_ = -1;

  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<BrokerId, std::unique_ptr<ReplicaFetcher>> fetchers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<Key, BrokerId> assignment_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_REPLICA_REPLICA_FETCHER_MANAGER_H_
