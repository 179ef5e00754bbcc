// The classic group coordinator of one __consumer_offsets partition, as a
// pure state machine (no threads, sockets, clocks or files).
//
// Inputs: requests (each with a driver-chosen RequestId and the time `now`),
// timer firings (Tick), acknowledgements of appends (OnAppendDone), and on
// load the partition's records (Replay). Every input fills an Output:
//   - replies: responses, possibly to earlier requests (a JoinGroup is
//     answered when its rebalance completes, a follower's SyncGroup when the
//     leader's assignment is persisted, a commit when its records are);
//   - appends: batches of records to persist to the partition, in order;
//     the driver reports each outcome back with OnAppendDone;
//   - next_deadline: when the driver must call Tick next (or none).
//
// What is state and what is a record. Committed offsets change only by
// applying records: a commit's offsets become visible when its append is
// acknowledged, exactly as replaying the partition would produce them.
// Group membership is Kafka's soft state: handlers change it directly and
// write a GroupMetadata record when the group's persisted view changes
// (assignment completed, static member replaced, group emptied, created or
// deleted), which is what a rebuilt coordinator restores (Kafka does the
// same for classic groups).
//
// Behaviour follows Kafka 4.1's GroupMetadataManager / OffsetMetadataManager
// for classic groups; deviations are listed in docs/groups.md.
//
// Not thread-safe: the driver serialises calls (one lock per partition).
#ifndef GREGOR_BROKER_GROUP_COORDINATOR_STATE_H_
#define GREGOR_BROKER_GROUP_COORDINATOR_STATE_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "broker/group/group.h"
#include "broker/group/messages.h"
#include "broker/group/records.h"
#include "broker/group/timer_table.h"

namespace gregor::broker::group {

// Kafka's group coordinator settings, with Kafka's defaults, plus limits.
struct CoordinatorOptions {
  int32_t group_min_session_timeout_ms = 6000;       // group.min.session.timeout.ms
  int32_t group_max_session_timeout_ms = 1800000;    // group.max.session.timeout.ms
  int32_t group_initial_rebalance_delay_ms = 3000;   // group.initial.rebalance.delay.ms
  int32_t group_max_size = std::numeric_limits<int32_t>::max();  // group.max.size
  // How long a new member's JoinGroup may wait (Kafka's internal constant).
  int32_t new_member_join_timeout_ms = 5 * 60 * 1000;
  int64_t offsets_retention_ms = 10080LL * 60 * 1000;        // offsets.retention.minutes
  int64_t offsets_retention_check_interval_ms = 600000;      // offsets.retention.check.interval.ms
  int32_t offset_metadata_max_bytes = 4096;                  // offset.metadata.max.bytes
  // Limits of our own. KIP-394 member ids handed out and not yet used count
  // here (Kafka does not bound them); beyond it a JoinGroup gets
  // GROUP_MAX_SIZE_REACHED.
  int32_t max_pending_members_per_group = 10000;
  // Groups per partition; a JoinGroup or simple commit that would create one
  // more gets COORDINATOR_NOT_AVAILABLE.
  int64_t max_groups = 1000000;
};

// The time an input happens: monotonic for timers, wall clock for what is
// persisted (commit timestamps, state timestamps).
struct Now {
  MonoTime mono;
  int64_t wall_ms = 0;
};

using AppendId = uint64_t;

using Response = std::variant<JoinGroupResponse, SyncGroupResponse, HeartbeatResponse,
                              LeaveGroupResponse, OffsetCommitResponse, OffsetFetchResponse,
                              OffsetDeleteResponse, DeleteGroupsResponse>;

struct Reply {
  RequestId request_id = 0;
  Response response;
};

struct AppendRequest {
  AppendId id = 0;
  std::vector<CoordinatorRecord> records;
};

struct Output {
  std::vector<Reply> replies;
  std::vector<AppendRequest> appends;
  // When Tick must be called next; nullopt: no timer armed.
  std::optional<MonoTime> next_deadline;
};

// A committed offset as the coordinator holds it.
struct OffsetAndMetadata {
  int64_t committed_offset = 0;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp_ms = 0;
  std::optional<int64_t> expire_timestamp_ms;  // only from v2-v4 commits with a retention
  friend bool operator==(const OffsetAndMetadata&, const OffsetAndMetadata&) = default;
};

// topic -> partition -> offset, ordered for stable fetch-all answers.
using GroupOffsets = std::map<std::string, std::map<int32_t, OffsetAndMetadata>>;

class GroupCoordinatorState {
 public:
  // `partition` is the __consumer_offsets partition this state serves (for
  // logs); `random_seed` seeds the member-id generator.
  GroupCoordinatorState(int32_t partition, CoordinatorOptions options, uint64_t random_seed);
  ~GroupCoordinatorState();

  GroupCoordinatorState(const GroupCoordinatorState&) = delete;
  GroupCoordinatorState& operator=(const GroupCoordinatorState&) = delete;

  // ---- loading (a new leader of the partition) ----

  // Applies one record read from the partition, in log order. Fails
  // (kDataLoss) on a record that cannot be decoded or contradicts itself;
  // unknown record types are skipped and counted. `now_wall_ms` stamps
  // groups created by the replay (simple groups of offsets).
  absl::Status Replay(const CoordinatorRecord& record, int64_t now_wall_ms);
  // The partition is loaded: arms every member's session timer and the
  // expiration sweep.
  void OnLoaded(Now now, Output* out);
  // Leadership is lost: answers every parked request and pending append
  // with NOT_COORDINATOR. The state must not be used afterwards.
  void OnUnloaded(Output* out);
  int64_t skipped_records() const { return skipped_records_; }

  // ---- requests that may wait or write ----

  void JoinGroup(RequestId id, const RequestContext& ctx, const JoinGroupRequest& req, Now now,
                 Output* out);
  void SyncGroup(RequestId id, const RequestContext& ctx, const SyncGroupRequest& req, Now now,
                 Output* out);
  void Heartbeat(RequestId id, const RequestContext& ctx, const HeartbeatRequest& req, Now now,
                 Output* out);
  void LeaveGroup(RequestId id, const RequestContext& ctx, const LeaveGroupRequest& req, Now now,
                  Output* out);
  void OffsetCommit(RequestId id, const RequestContext& ctx, const OffsetCommitRequest& req,
                    Now now, Output* out);
  // Answers with an OffsetFetchResponse holding `req.groups` (all of which
  // this partition coordinates), in order. With require_stable it waits for
  // the appends in flight, so a commit that was accepted is seen.
  void OffsetFetch(RequestId id, const OffsetFetchRequest& req, Now now, Output* out);
  void OffsetDelete(RequestId id, const OffsetDeleteRequest& req, Now now, Output* out);
  // Answers with a DeleteGroupsResponse for `groups` (all coordinated here).
  void DeleteGroups(RequestId id, const std::vector<std::string>& groups, Now now, Output* out);

  // ---- reads ----

  std::vector<DescribedGroup> DescribeGroups(const RequestContext& ctx,
                                             const std::vector<std::string>& group_ids) const;
  std::vector<ListedGroup> ListGroups(const ListGroupsRequest& req) const;
  std::vector<ConsumerGroupDescribedGroup> ConsumerGroupDescribe(
      const std::vector<std::string>& group_ids) const;

  // ---- driver inputs ----

  // Fires every timer due at `now`.
  void Tick(Now now, Output* out);
  // The append `id` finished. Outcomes are applied in append order whatever
  // order they are reported in.
  void OnAppendDone(AppendId id, const absl::Status& status, Now now, Output* out);

  // ---- introspection (tests, rebuild checks, metrics) ----

  const Group* FindGroup(std::string_view group_id) const;
  std::vector<std::string> GroupIds() const;
  const GroupOffsets* OffsetsOf(std::string_view group_id) const;
  const absl::flat_hash_map<std::string, GroupOffsets>& all_offsets() const { return offsets_; }
  size_t num_pending_appends() const { return pending_appends_.size(); }
  const TimerTable& timers() const { return timers_; }
  const CoordinatorOptions& options() const { return options_; }

 private:
  struct OffsetMutation {
    std::string group;
    std::string topic;
    int32_t partition = 0;
    std::optional<OffsetAndMetadata> value;  // nullopt: delete
  };
  using AppendCallback = std::function<void(const absl::Status&, Now, Output*)>;
  struct PendingAppend {
    AppendId id = 0;
    std::vector<OffsetMutation> offsets;  // applied when acknowledged
    bool counts_pending_commits = false;
    AppendCallback on_done;
    // Run after on_done: replies released once the append is done.
    std::vector<AppendCallback> waiters;
    std::optional<absl::Status> result;
  };

  // ---- helpers (coordinator_state.cc) ----
  Group* FindMutableGroup(std::string_view group_id);
  Group& CreateGroup(const std::string& group_id, Now now);
  // Removes a group and its timers; returns it (null if there was none).
  std::unique_ptr<Group> RemoveGroup(const std::string& group_id);
  // Puts back groups whose deletion failed to persist (as Kafka reverts its
  // uncommitted state), unless a group of the same id exists again.
  void RestoreGroups(std::vector<std::unique_ptr<Group>>& removed);
  // Queues an append of `records`; `offsets` are applied when it succeeds,
  // then `on_done` runs (with the status) in append order.
  void Append(std::vector<CoordinatorRecord> records, std::vector<OffsetMutation> offsets,
              bool counts_pending_commits, AppendCallback on_done, Output* out);
  // Sends `response` now if this call queued no append since
  // `appends_before`, else once the last queued append succeeds (or
  // `on_error(mapped error)` if it fails), as Kafka answers a write only
  // when its records are committed.
  void ReplyAfterAppends(size_t appends_before, RequestId id, Response response,
                         std::function<Response(ErrorCode)> on_error, Output* out);
  void CompleteAppend(PendingAppend& done, const absl::Status& status, Now now, Output* out);
  void ApplyOffset(const OffsetMutation& m, int64_t now_wall_ms);
  absl::Status ReplayGroup(const std::string& group_id, const GroupMetadataValue& value,
                           int64_t now_wall_ms);
  void Finish(Output* out) const;
  std::string NewMemberId(const std::string& prefix);
  static void Send(RequestId id, Response response, Output* out);
  bool HasPendingCommit(const std::string& group, const std::string& topic, int32_t partition) const;
  bool HasPendingCommitsFor(const std::string& group_id) const;
  // The GroupMetadata record of `group` with `assignment` per member (or
  // each member's current one when null).
  CoordinatorRecord GroupRecord(const Group& group,
                                const absl::flat_hash_map<std::string, std::string>* assignment =
                                    nullptr) const;
  // The record Kafka writes for a group a JoinGroup has just created.
  CoordinatorRecord EmptyGroupRecord(const Group& group) const;

  // ---- membership (coordinator_join.cc) ----
  void JoinNewMember(const RequestContext& ctx, PendingRequest req_info,
                     const JoinGroupRequest& req, Group& group, Now now, Output* out);
  void JoinExistingMember(const RequestContext& ctx, PendingRequest req_info,
                          const JoinGroupRequest& req, Group& group, Now now, Output* out);
  void AddMemberThenRebalanceOrCompleteJoin(const RequestContext& ctx, PendingRequest req_info,
                                            const JoinGroupRequest& req, Group& group,
                                            const std::string& member_id, Now now, Output* out);
  void UpdateMemberThenRebalanceOrCompleteJoin(PendingRequest req_info, const JoinGroupRequest& req,
                                               Group& group, Member& member, Now now, Output* out);
  void UpdateStaticMemberThenRebalanceOrCompleteJoin(const RequestContext& ctx,
                                                     PendingRequest req_info,
                                                     const JoinGroupRequest& req, Group& group,
                                                     const std::string& old_member_id,
                                                     const std::string& new_member_id, Now now,
                                                     Output* out);
  bool AcceptJoiningMember(const Group& group, const std::string& member_id) const;
  void MaybePrepareRebalanceOrCompleteJoin(Group& group, Now now, Output* out);
  void PrepareRebalance(Group& group, Now now, Output* out);
  void MaybeCompleteJoinPhase(Group& group, Now now, Output* out);
  void MaybeCompleteJoinElseSchedule(Group& group, Now now, Output* out);
  void CompleteJoin(Group& group, Now now, Output* out);
  void TryCompleteInitialRebalanceElseSchedule(Group& group, int32_t delay_ms,
                                               int32_t remaining_ms, Now now, Output* out);
  void ExpireHeartbeat(const std::string& group_id, const std::string& member_id, Now now,
                       Output* out);
  void ExpirePendingSync(const std::string& group_id, int32_t generation_id, Now now, Output* out);
  void RemoveMemberAndUpdateGroup(Group& group, const std::string& member_id, Now now, Output* out);
  // Removes a member (or pending member), cancels its session timer and
  // answers its parked requests with UNKNOWN_MEMBER_ID.
  void RemoveMember(Group& group, const std::string& member_id, Output* out);
  void ResetAndPropagateAssignmentWithError(Group& group, ErrorCode error, Now now, Output* out);
  void PropagateAssignment(Group& group, ErrorCode error, Now now, Output* out);
  void RescheduleHeartbeat(const Group& group, const Member& member, int64_t timeout_ms, Now now);
  void RemoveSyncExpiration(Group& group);
  void RemovePendingSyncMember(Group& group, const std::string& member_id);
  // Answers a parked JoinGroup/SyncGroup of `member` (if any).
  void CompleteJoinOf(Group& group, Member& member, JoinGroupResponse response, Output* out);
  void CompleteSyncOf(Member& member, SyncGroupResponse response, Output* out);
  ErrorCode ValidateMember(const Group& group, const std::string& member_id,
                           const std::optional<std::string>& instance_id) const;
  void OnTimer(const TimerKey& key, const TimerPayload& payload, Now now, Output* out);

  // ---- offsets (coordinator_offsets.cc) ----
  void ExpireOffsetsAndGroups(Now now, Output* out);
  bool CleanupExpiredOffsets(const Group& group, Now now, std::vector<CoordinatorRecord>* records,
                             std::vector<OffsetMutation>* mutations);
  OffsetFetchResponseGroup FetchGroupOffsets(const OffsetFetchRequestGroup& req) const;

  int32_t partition_;
  CoordinatorOptions options_;
  std::mt19937_64 rng_;
  absl::flat_hash_map<std::string, std::unique_ptr<Group>> groups_;
  absl::flat_hash_map<std::string, GroupOffsets> offsets_;
  // (group, topic, partition) -> commits appended and not yet acknowledged.
  absl::flat_hash_map<std::tuple<std::string, std::string, int32_t>, int> pending_commits_;
  std::deque<PendingAppend> pending_appends_;
  AppendId next_append_id_ = 1;
  TimerTable timers_;
  int64_t skipped_records_ = 0;
  bool loaded_ = false;
  bool unloading_ = false;
};

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_COORDINATOR_STATE_H_
