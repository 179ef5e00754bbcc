// OffsetsLoader: keeps the group coordinator's loaded partitions in step with
// this broker's leadership of __consumer_offsets partitions.
//
// It listens to the ReplicaManager's leadership changes. When the broker
// becomes leader of partition p at leader epoch e it, on its own thread (never
// an event loop):
//   1. BeginLoad(p, e): requests for p's groups get COORDINATOR_LOAD_IN_PROGRESS;
//   2. reads p's log from its log start to its log end (file regions of at most
//      read_chunk_bytes, whole batches, any codec), LoadRecords per chunk;
//   3. waits — parked in the produce purgatory, no thread blocked — until the
//      high watermark reaches that log end, so that the state served is made
//      only of committed records (Kafka's coordinator reads at its last
//      committed offset instead; our state machine has no snapshots);
//   4. CompleteLoad(p, e): p's groups are served.
// When the broker stops leading p (follower, deleted) it calls Unload, which
// answers parked requests and requests with writes in flight NOT_COORDINATOR.
// A load that is overtaken by a newer change stops early. A load that fails
// (an unreadable log, a corrupt record) is logged and the partition unloaded:
// clients get NOT_COORDINATOR until its leadership changes again.
//
// Thread-safety: thread-safe. Lifetime: the coordinator and the
// ReplicaManager must outlive the loader; Stop() before destroying them.
#ifndef GREGOR_BROKER_GROUP_OFFSETS_LOADER_H_
#define GREGOR_BROKER_GROUP_OFFSETS_LOADER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "asio.hpp"
#include "broker/group/batch_codec.h"
#include "broker/group/group_coordinator.h"
#include "broker/replica/replica_manager.h"
#include "common/thread_pool.h"

namespace gregor::broker::group {

struct OffsetsLoaderOptions {
  // __consumer_offsets partitions the coordinator routes to; partitions
  // beyond are ignored (offsets.topic.num.partitions must match the topic).
  int32_t offsets_topic_num_partitions = 50;
  // Bytes read from the log at a time (Kafka's offsets.load.buffer.size).
  uint64_t read_chunk_bytes = 5 << 20;
  // Largest batch (and decompressed records of one batch) accepted.
  size_t max_batch_bytes = 64 << 20;
  // How often a load waiting for the high watermark re-checks it when no
  // event woke it.
  std::chrono::milliseconds high_watermark_recheck{1000};
  // Leadership changes queued for the loader thread, at most.
  size_t max_queued = 100000;
};

struct OffsetsLoaderStats {
  int64_t loads_started = 0;
  int64_t loads_completed = 0;
  int64_t load_failures = 0;
  int64_t unloads = 0;
  int64_t records_loaded = 0;
  int64_t waiting_for_high_watermark = 0;  // partitions now
};

class OffsetsLoader {
 public:
  // `io` runs the purgatory timers of high-watermark waits.
  OffsetsLoader(OffsetsLoaderOptions options, GroupCoordinator* coordinator,
                ReplicaManager* replicas, std::shared_ptr<asio::io_context> io);
  ~OffsetsLoader();

  // Starts listening, then catches up with the partitions already led here.
  void Start();
  // Stops listening, finishes or abandons queued work, unloads every
  // partition (answering its parked requests). Idempotent.
  void Stop();

  // The listener (public for tests): queues the work for __consumer_offsets
  // partitions; other topics are ignored.
  void OnLeadershipChanges(const std::vector<LeadershipChange>& changes);

  OffsetsLoaderStats stats() const;

 private:
  // What the latest change asked for one partition.
  struct Wanted {
    bool lead = false;
    int32_t epoch = -1;
    uint64_t generation = 0;
    std::shared_ptr<Partition> replica;
  };
  // Hands tasks to the loader thread; outlives the loader when a parked
  // high-watermark wait completes late.
  struct Executor {
    absl::Mutex mu;
    ThreadPool* pool ABSL_GUARDED_BY(mu) = nullptr;
    bool Submit(absl::AnyInvocable<void()> fn);
  };

  // On the loader thread.
  void Run(int32_t partition, uint64_t generation);
  void Load(int32_t partition, const Wanted& w);
  // Reads the log into the coordinator; returns the log end it read to.
  absl::StatusOr<int64_t> ReadLog(int32_t partition, const Wanted& w);
  void WaitForHighWatermark(int32_t partition, const Wanted& w, int64_t end);
  void Finish(int32_t partition, uint64_t generation, int64_t end);
  // Whether `generation` is still the latest change of `partition`.
  bool Current(int32_t partition, uint64_t generation, Wanted* w = nullptr) const;
  void SetWaiting(int32_t partition, bool waiting);

  const OffsetsLoaderOptions options_;
  GroupCoordinator* const coordinator_;
  ReplicaManager* const replicas_;
  const std::shared_ptr<asio::io_context> io_;
  std::shared_ptr<Executor> executor_ = std::make_shared<Executor>();
  std::unique_ptr<ThreadPool> pool_;
  int listener_id_ = 0;

  mutable absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_generation_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<int32_t, Wanted> wanted_ ABSL_GUARDED_BY(mu_);
  OffsetsLoaderStats stats_ ABSL_GUARDED_BY(mu_);

  // Loader thread only: the epoch each partition was begun at, partitions
  // waiting for their high watermark, the decoder (keeps its buffers).
  std::map<int32_t, int32_t> begun_;
  std::set<int32_t> waiting_;
  CoordinatorBatchDecoder decoder_;
};

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_OFFSETS_LOADER_H_
