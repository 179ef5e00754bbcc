// GroupCoordinator: the broker's classic group coordinator. Owns one
// GroupCoordinatorState per __consumer_offsets partition this broker leads,
// routes each request to the partition of its group (Kafka's
// abs(hashCode(groupId)) % offsets.topic.num.partitions), persists the
// records the state machines emit through a CoordinatorLog, arms their
// timers through a CoordinatorTimer, and answers through callbacks.
//
// A response that depends on a write (a commit, a completed SyncGroup, a
// LeaveGroup that empties the group, DeleteGroups, OffsetDelete) is released
// only once the log acknowledges the batch, as Kafka does.
//
// Leadership: BeginLoad when the broker becomes leader of a partition
// (requests for its groups get COORDINATOR_LOAD_IN_PROGRESS; Heartbeat gets
// NONE, as Kafka answers), LoadRecords with the partition's records from the
// start, CompleteLoad; Unload when leadership is lost (parked requests and
// unacknowledged writes get NOT_COORDINATOR, later requests too).
//
// Thread-safety: every method may be called from any thread. One mutex per
// partition serialises its state machine; callbacks run on the calling
// thread or on the thread that completed an append or fired a timer, never
// under a lock. Callbacks must not block.
//
// Lifetime: the clock, timer, log and encoder must outlive the coordinator,
// and the log and timer must have stopped calling back before it is
// destroyed (destruction answers every parked request with NOT_COORDINATOR).
#ifndef GREGOR_BROKER_GROUP_GROUP_COORDINATOR_H_
#define GREGOR_BROKER_GROUP_GROUP_COORDINATOR_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "broker/group/batch_codec.h"
#include "broker/group/coordinator_state.h"
#include "broker/group/messages.h"
#include "broker/group/records.h"
#include "common/clock.h"

namespace gregor::broker::group {

// Where coordinator batches go: partition `partition` of __consumer_offsets,
// which this broker leads.
class CoordinatorLog {
 public:
  virtual ~CoordinatorLog() = default;
  // Appends one RecordBatch and calls `done` exactly once: OK when the batch
  // is committed (replicated as acks=all), else an error — see
  // AppendErrorToKafkaError for the codes and what clients then see.
  // `leader_epoch` is the epoch the partition was loaded at: the log must
  // refuse (kFailedPrecondition) to append in any other epoch, so a state
  // machine never writes behind the back of the one loaded after it.
  // Appends are handed over one at a time per partition, in order, and must
  // reach the log in that order.
  // `done` may run on any thread, also before Append returns.
  virtual void Append(int32_t partition, int32_t leader_epoch, std::string batch,
                      std::function<void(absl::Status)> done) = 0;
};

// Delayed calls.
class CoordinatorTimer {
 public:
  virtual ~CoordinatorTimer() = default;
  using Handle = uint64_t;
  // Calls `fn` once at or after `deadline`, on any thread but never from
  // within Schedule itself.
  virtual Handle Schedule(MonoTime deadline, std::function<void()> fn) = 0;
  // Best effort and non-blocking: `fn` may still run (the coordinator
  // ignores stale firings).
  virtual void Cancel(Handle handle) = 0;
};

struct GroupCoordinatorOptions {
  int32_t offsets_topic_num_partitions = 50;  // offsets.topic.num.partitions
  CoordinatorOptions coordinator;
  // Seeds member-id generation (main passes a random value).
  uint64_t random_seed = 0;
};

class GroupCoordinator {
 public:
  template <typename T>
  using Callback = std::function<void(T)>;

  // The pointers must outlive the coordinator.
  GroupCoordinator(GroupCoordinatorOptions options, Clock* clock, CoordinatorTimer* timer,
                   CoordinatorLog* log, const RecordBatchEncoder* encoder);
  ~GroupCoordinator();

  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // The __consumer_offsets partition coordinating `group_id` (FindCoordinator
  // answers with its leader).
  int32_t PartitionFor(std::string_view group_id) const;

  // ---- leadership of __consumer_offsets partitions ----

  // This broker leads `partition` at `leader_epoch`: start loading it. A
  // state of an older epoch is unloaded first.
  void BeginLoad(int32_t partition, int32_t leader_epoch);
  // Replays records of the partition, in log order. Fails (and the load
  // should be retried or the partition given up) on a corrupt record, or
  // when the partition is not loading at `leader_epoch`.
  absl::Status LoadRecords(int32_t partition, int32_t leader_epoch,
                           const std::vector<CoordinatorRecord>& records);
  // The whole partition is replayed: start serving its groups.
  void CompleteLoad(int32_t partition, int32_t leader_epoch);
  // This broker no longer leads `partition` (at `leader_epoch` or before).
  void Unload(int32_t partition, int32_t leader_epoch);
  // Whether `partition` is loaded and serving.
  bool IsActive(int32_t partition) const;

  // ---- the APIs (one per Kafka API) ----

  void JoinGroup(const RequestContext& ctx, const JoinGroupRequest& req,
                 Callback<JoinGroupResponse> done);
  void SyncGroup(const RequestContext& ctx, const SyncGroupRequest& req,
                 Callback<SyncGroupResponse> done);
  void Heartbeat(const RequestContext& ctx, const HeartbeatRequest& req,
                 Callback<HeartbeatResponse> done);
  void LeaveGroup(const RequestContext& ctx, const LeaveGroupRequest& req,
                  Callback<LeaveGroupResponse> done);
  void OffsetCommit(const RequestContext& ctx, const OffsetCommitRequest& req,
                    Callback<OffsetCommitResponse> done);
  // Groups may live on different partitions; the answer keeps request order.
  void OffsetFetch(const RequestContext& ctx, const OffsetFetchRequest& req,
                   Callback<OffsetFetchResponse> done);
  void OffsetDelete(const RequestContext& ctx, const OffsetDeleteRequest& req,
                    Callback<OffsetDeleteResponse> done);
  void DeleteGroups(const RequestContext& ctx, const DeleteGroupsRequest& req,
                    Callback<DeleteGroupsResponse> done);
  // Reads never wait: answered directly.
  DescribeGroupsResponse DescribeGroups(const RequestContext& ctx, const DescribeGroupsRequest& req);
  ListGroupsResponse ListGroups(const RequestContext& ctx, const ListGroupsRequest& req);
  ConsumerGroupDescribeResponse ConsumerGroupDescribe(const RequestContext& ctx,
                                                      const ConsumerGroupDescribeRequest& req);

 private:
  struct PendingCall {
    std::function<void(Response)> deliver;
    std::function<Response(ErrorCode)> make_error;
  };
  // One __consumer_offsets partition led here.
  struct Shard {
    enum class Phase { kLoading, kActive, kUnloaded };

    Shard(int32_t p, int32_t e, std::unique_ptr<GroupCoordinatorState> s)
        : partition(p), epoch(e), state(std::move(s)) {}

    const int32_t partition;
    const int32_t epoch;
    absl::Mutex mu;
    Phase phase ABSL_GUARDED_BY(mu) = Phase::kLoading;
    std::unique_ptr<GroupCoordinatorState> state ABSL_GUARDED_BY(mu);
    RequestId next_request_id ABSL_GUARDED_BY(mu) = 1;
    absl::flat_hash_map<RequestId, PendingCall> calls ABSL_GUARDED_BY(mu);
    std::deque<AppendRequest> outbox ABSL_GUARDED_BY(mu);
    bool draining ABSL_GUARDED_BY(mu) = false;
    std::optional<MonoTime> armed_deadline ABSL_GUARDED_BY(mu);
    CoordinatorTimer::Handle timer_handle ABSL_GUARDED_BY(mu) = 0;
    // Bumped at every arming; a firing of an older arming is stale.
    uint64_t arming ABSL_GUARDED_BY(mu) = 0;
  };

  // Replies to deliver after the shard lock is released.
  using Deliveries = std::vector<std::pair<std::function<void(Response)>, Response>>;

  Now CurrentTime() const;
  std::shared_ptr<Shard> FindShard(int32_t partition) const;
  // Runs `call` on the state of `partition` with a fresh request id bound to
  // `deliver`; answers `make_error(...)` when the partition is not served.
  void Dispatch(int32_t partition, std::function<void(Response)> deliver,
                std::function<Response(ErrorCode)> make_error,
                const std::function<void(GroupCoordinatorState&, RequestId, Now, Output*)>& call,
                ErrorCode error_while_loading = ErrorCode::kCoordinatorLoadInProgress);
  // Takes the state machine's output: replies become deliveries, appends go
  // to the outbox, the wake-up timer is re-armed. REQUIRES: shard->mu held.
  void ProcessOutputLocked(const std::shared_ptr<Shard>& shard, Output& out, Deliveries* deliveries)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu);
  void RearmTimerLocked(const std::shared_ptr<Shard>& shard, std::optional<MonoTime> deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu);
  // Hands queued appends to the log, one thread at a time, in order.
  void DrainOutbox(const std::shared_ptr<Shard>& shard);
  void OnAppendDone(const std::weak_ptr<Shard>& weak, AppendId id, absl::Status status);
  void OnTimer(const std::weak_ptr<Shard>& weak, uint64_t arming);
  void UnloadShard(const std::shared_ptr<Shard>& shard, Deliveries* deliveries);
  static void Deliver(Deliveries& deliveries);

  const GroupCoordinatorOptions options_;
  Clock* const clock_;
  CoordinatorTimer* const timer_;
  CoordinatorLog* const log_;
  const RecordBatchEncoder* const encoder_;

  mutable absl::Mutex shards_mu_;
  absl::flat_hash_map<int32_t, std::shared_ptr<Shard>> shards_ ABSL_GUARDED_BY(shards_mu_);
};

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_GROUP_COORDINATOR_H_
