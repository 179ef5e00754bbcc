// The partitions this broker hosts, kept in step with the metadata: creates
// a partition's log when the broker becomes one of its replicas, makes it
// leader or follower as the controller decides, drops it when the broker no
// longer hosts it. Owns the produce and fetch purgatories and wires the
// events that complete their operations: appends, durability (fsync group
// commits), high-watermark moves, leadership changes.
//
// Also runs the leader-side ISR maintenance: every interval it asks each led
// partition whether its ISR should shrink or expand and sends the proposal to
// the controller (AlterPartition) through an injected sender; a follower that
// catches up is proposed at once (MaybeExpandIsr).
//
// Replication hooks: the follower listener learns which partitions start and
// stop being followed here (the replica fetchers act on it); the
// replica-fetch purgatory holds leader-side follower fetches that wait for
// data, woken by every leader append, HW move and leadership change.
//
// Thread-safety: thread-safe. Lookups take a shared lock on the partition
// table; metadata changes run on the metadata follower's thread.
#ifndef GREGOR_BROKER_REPLICA_REPLICA_MANAGER_H_
#define GREGOR_BROKER_REPLICA_REPLICA_MANAGER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "broker/purgatory/purgatory.h"
#include "broker/replica/partition.h"
#include "broker/storage/log_manager.h"
#include "common/clock.h"
#include "common/metadata/delta.h"
#include "common/metadata/image.h"
#include "common/metrics/metrics.h"

namespace gregor::broker {

struct ReplicaManagerOptions {
  BrokerId broker_id{-1};
  // Kafka's replica.lag.time.max.ms.
  int64_t replica_lag_time_max_ms = 30000;
  // How often led partitions are checked for ISR changes.
  int64_t isr_check_interval_ms = 1000;
  // Broker default for min.insync.replicas (topic configs override it).
  int32_t min_insync_replicas = 1;
  // Broker defaults for topic storage configs.
  storage::LogConfig default_log_config;
  bool sync_before_ack = true;
};

// Sends an ISR proposal to the controller and reports the committed
// registration (or an error code) through `done`, from any thread.
using AlterPartitionSender = std::function<void(
    const Partition& partition, const Partition::IsrChange& change,
    std::function<void(int16_t error_code, std::optional<PartitionRegistration> result)> done)>;

// This broker's role for one hosted partition changed, as applied from the
// metadata (see ReplicaManager::AddLeadershipListener).
struct LeadershipChange {
  enum class Kind {
    kLeader,    // leads it (newly, or the registration changed while leading)
    kFollower,  // follows it (or it has no leader)
    kDeleted,   // no longer hosted here
  };
  Kind kind = Kind::kFollower;
  std::string topic;
  int32_t partition = 0;
  LeaderEpoch leader_epoch{0};
  // The partition (kLeader and kFollower); null for kDeleted.
  std::shared_ptr<Partition> replica;
};
using LeadershipListener = std::function<void(const std::vector<LeadershipChange>&)>;

class ReplicaManager {
 public:
  // REQUIRES: `logs` and `clock` outlive the manager.
  ReplicaManager(ReplicaManagerOptions options, storage::LogManager* logs, Clock* clock,
                 metrics::Registry* metrics);
  ~ReplicaManager();

  void SetAlterPartitionSender(AlterPartitionSender sender);

  // What the replica fetchers need to know, called on the metadata thread
  // after the partitions changed role.
  struct FollowerListener {
    // Partitions this broker now follows: new, or their registration
    // changed (leader, leader epoch, ISR...). The fetchers start or retarget
    // them.
    std::function<void(const std::vector<std::shared_ptr<Partition>>&)> on_follow;
    // Partitions this broker no longer follows: it leads them now, or they
    // are gone from here.
    std::function<void(const std::vector<std::shared_ptr<Partition>>&)> on_stop;
  };
  void SetFollowerListener(FollowerListener listener);
  // Called after each metadata application with every partition whose role
  // was (re)applied: leaders and followers whose registration changed, and
  // partitions deleted here. On the metadata thread, after the partitions
  // changed role; must be quick and must not add or remove listeners.
  // Returns an id for RemoveLeadershipListener.
  int AddLeadershipListener(LeadershipListener listener);
  // After it returns the listener is not running and will not run again.
  void RemoveLeadershipListener(int id);
  // Starts the ISR maintenance thread.
  void Start();
  void Stop();

  // ---- lookups ----
  std::shared_ptr<Partition> Get(const Uuid& topic_id, int32_t partition) const;
  std::shared_ptr<Partition> Get(std::string_view topic, int32_t partition) const;
  std::vector<std::shared_ptr<Partition>> All() const;
  std::shared_ptr<const metadata::MetadataImage> image() const;

  // ---- metadata ----
  // Applies what the delta from `before` to `after` says this broker must
  // lead, follow or delete, pushes topic config changes to the logs, and
  // publishes `after`.
  void ApplyMetadata(const std::shared_ptr<const metadata::MetadataImage>& before,
                     std::shared_ptr<const metadata::MetadataImage> after,
                     const metadata::LocalReplicaChanges& changes);

  // ---- topic configs (the image's dynamic configs over broker defaults) ----
  int32_t MinInsyncReplicas(std::string_view topic) const;
  storage::LogConfig LogConfigFor(std::string_view topic) const;

  // ---- delayed operations ----
  Purgatory& produce_purgatory() { return produce_purgatory_; }
  Purgatory& fetch_purgatory() { return fetch_purgatory_; }
  // Follower fetches waiting at this leader (ReplicaService), and the loop
  // that runs their timeouts (owned here so it outlives every timer the
  // purgatory holds).
  Purgatory& replica_fetch_purgatory() { return replica_fetch_purgatory_; }
  asio::io_context& replica_timer_loop() { return timer_loop_; }

  // After a leader append that ends (exclusive) at `end`: makes sure the
  // high watermark can advance (fsync group commit when sync_before_ack),
  // then wakes produce and fetch waiters of the partition.
  void OnLeaderAppend(const std::shared_ptr<Partition>& p, Offset end);
  // The HW of `p` moved, or its leadership changed: wakes waiters.
  void NotifyPartition(const Partition& p);

  // A follower of `p` caught up while outside the ISR: proposes the ISR
  // change now instead of at the next periodic check.
  void MaybeExpandIsr(const std::shared_ptr<Partition>& p);

  // One pass of ISR maintenance over the led partitions (the thread calls
  // it every isr_check_interval_ms; public for tests).
  void CheckIsr();

  static WatchKey KeyOf(const Partition& p) {
    return WatchKey{p.topic_id().hi(), p.topic_id().lo(), p.index()};
  }

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

  std::shared_ptr<Partition> GetOrCreate(const metadata::LocalPartition& lp);
  // Returns the partition taken out of service (null when not hosted).
  std::shared_ptr<Partition> Delete(const metadata::LocalPartition& lp);
  void ProposeIsrChange(const std::shared_ptr<Partition>& p, const AlterPartitionSender& sender);
  void RunIsrLoop();

  const ReplicaManagerOptions options_;
  storage::LogManager* const logs_;
  Clock* const clock_;
  // Declared before the purgatories: destroyed after them.
  asio::io_context timer_loop_;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> timer_work_;
  std::thread timer_thread_;
  Purgatory produce_purgatory_{"Produce"};
  Purgatory fetch_purgatory_{"Fetch"};
  Purgatory replica_fetch_purgatory_{"ReplicaFetch"};

  mutable absl::Mutex mu_;
  absl::flat_hash_map<Key, std::shared_ptr<Partition>> partitions_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const metadata::MetadataImage> image_ ABSL_GUARDED_BY(mu_);
  AlterPartitionSender alter_partition_ ABSL_GUARDED_BY(mu_);
  FollowerListener follower_listener_ ABSL_GUARDED_BY(mu_);

  // Held while listeners run, so that removal waits for a running call.
  absl::Mutex listeners_mu_;
  std::vector<std::pair<int, LeadershipListener>> leadership_listeners_
      ABSL_GUARDED_BY(listeners_mu_);
  int next_listener_id_ ABSL_GUARDED_BY(listeners_mu_) = 1;

  metrics::Counter* isr_shrinks_ = nullptr;
  metrics::Counter* isr_expands_ = nullptr;
  metrics::Counter* leader_changes_ = nullptr;
  int metrics_collector_ = -1;
  metrics::Registry* metrics_;

  std::atomic<bool> stop_{false};
  absl::Mutex stop_mu_;
  std::thread isr_thread_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_REPLICA_REPLICA_MANAGER_H_
