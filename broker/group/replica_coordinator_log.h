// CoordinatorLog over the broker's ReplicaManager: appends coordinator
// batches to this broker's leader replica of a __consumer_offsets partition
// with acks=all semantics.
//
// An append is written at once (Partition::AppendAsLeader, refused unless the
// partition is led at the coordinator's leader epoch, and refused with fewer
// in-sync replicas than min.insync.replicas), then parks in the ReplicaManager's
// produce purgatory until the high watermark passes it — the same machinery
// that completes acks=all Produce requests, woken by HW moves, fsync group
// commits and leadership changes. No thread waits. Outcomes:
//   OK                   the HW passed the batch (on disk on every ISR member)
//   kFailedPrecondition  not the leader at that epoch (before or after the
//                        write), or a storage error      -> NOT_COORDINATOR
//   kUnavailable         not enough in-sync replicas     -> COORDINATOR_NOT_AVAILABLE
//   kNotFound            the partition is not hosted here -> COORDINATOR_NOT_AVAILABLE
//   kDeadlineExceeded    not replicated within append_timeout_ms
//                        (offsets.commit.timeout.ms)     -> COORDINATOR_NOT_AVAILABLE
//   kInvalidArgument     the batch is over the topic's max.message.bytes
//
// Completion callbacks run on `io`'s thread (never on a flusher or fetch
// thread, whose callbacks must not write to the log again); immediate
// failures run inline.
//
// Thread-safety: thread-safe. Lifetime: the ReplicaManager must outlive
// this object; `io` is shared with the parked operations, which may outlive
// it.
#ifndef GREGOR_BROKER_GROUP_REPLICA_COORDINATOR_LOG_H_
#define GREGOR_BROKER_GROUP_REPLICA_COORDINATOR_LOG_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "asio.hpp"
#include "broker/group/group_coordinator.h"
#include "broker/replica/replica_manager.h"

namespace gregor::broker::group {

class ReplicaCoordinatorLog : public CoordinatorLog {
 public:
  ReplicaCoordinatorLog(ReplicaManager* replicas, std::shared_ptr<asio::io_context> io,
                        std::chrono::milliseconds append_timeout);

  void Append(int32_t partition, int32_t leader_epoch, std::string batch,
              std::function<void(absl::Status)> done) override;

  // Later appends fail (kUnavailable) at once.
  void Stop() { stopped_.store(true); }

  // Maps a partition error code to the Status the coordinator expects.
  static absl::Status StatusForError(int16_t error_code, std::string message);

 private:
  ReplicaManager* const replicas_;
  const std::shared_ptr<asio::io_context> io_;
  const std::chrono::milliseconds append_timeout_;
  std::atomic<bool> stopped_{false};
};

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_REPLICA_COORDINATOR_LOG_H_
