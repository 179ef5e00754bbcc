// GroupCoordinatorState: the classic membership protocol — JoinGroup,
// SyncGroup, Heartbeat, LeaveGroup, rebalances and their timers. Follows
// Kafka 4.1's GroupMetadataManager (classicGroup* methods) step by step.
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "broker/group/coordinator_state.h"
#include "glog/logging.h"

namespace gregor::broker::group {
namespace {

using std::chrono::milliseconds;

bool Fits(std::string_view s, size_t reserve = 0) {
  return s.size() + reserve <= kMaxRecordStringBytes;
}

// Room for "-" and a 36-character UUID after a member-id prefix.
constexpr size_t kMemberIdSuffix = 37;

// Keeps the first of each protocol name (a member lists each once).
std::vector<JoinGroupProtocol> DedupeProtocols(const std::vector<JoinGroupProtocol>& in) {
  std::vector<JoinGroupProtocol> out;
  absl::flat_hash_set<std::string> seen;
  for (const JoinGroupProtocol& p : in) {
    if (seen.insert(p.name).second) out.push_back(p);
  }
  return out;
}

bool ProtocolInconsistent(const std::optional<std::string>& requested,
                          const std::optional<std::string>& group) {
  return requested && group && *requested != *group;
}

}  // namespace

// ---- JoinGroup ----

void GroupCoordinatorState::JoinGroup(RequestId id, const RequestContext& ctx,
                                      const JoinGroupRequest& request, Now now, Output* out) {
  auto fail = [&](ErrorCode error, std::string member_id) {
    JoinGroupResponse r;
    r.error = error;
    r.member_id = std::move(member_id);
    Send(id, std::move(r), out);
    Finish(out);
  };
  if (request.group_id.empty() || !Fits(request.group_id)) {
    return fail(ErrorCode::kInvalidGroupId, request.member_id);
  }
  if (request.session_timeout_ms < options_.group_min_session_timeout_ms ||
      request.session_timeout_ms > options_.group_max_session_timeout_ms) {
    return fail(ErrorCode::kInvalidSessionTimeout, request.member_id);
  }
  bool strings_fit = Fits(request.member_id) && Fits(request.protocol_type) &&
                     Fits(ctx.client_host) && Fits(ctx.client_id, kMemberIdSuffix) &&
                     (!request.group_instance_id || Fits(*request.group_instance_id, kMemberIdSuffix));
  for (const JoinGroupProtocol& p : request.protocols) strings_fit = strings_fit && Fits(p.name);
  if (!strings_fit) return fail(ErrorCode::kInvalidRequest, request.member_id);

  JoinGroupRequest req = request;
  req.protocols = DedupeProtocols(request.protocols);
  PendingRequest info{id, ctx.api_version};
  bool is_unknown = req.member_id.empty();

  Group* group = FindMutableGroup(req.group_id);
  bool is_new_group = group == nullptr;
  if (group == nullptr) {
    // A member id for a group that does not exist: it is gone.
    if (!is_unknown) return fail(ErrorCode::kUnknownMemberId, req.member_id);
    if (static_cast<int64_t>(groups_.size()) >= options_.max_groups) {
      LOG(WARNING) << "__consumer_offsets-" << partition_ << " holds " << groups_.size()
                   << " groups, the limit; refusing to create " << req.group_id;
      return fail(ErrorCode::kCoordinatorNotAvailable, req.member_id);
    }
    group = &CreateGroup(req.group_id, now);
  }
  size_t appends_before = out->appends.size();

  if (!AcceptJoiningMember(*group, req.member_id)) {
    RemoveMember(*group, req.member_id, out);
    JoinGroupResponse r;
    r.error = ErrorCode::kGroupMaxSizeReached;
    Send(id, std::move(r), out);
  } else if (is_unknown) {
    JoinNewMember(ctx, info, req, *group, now, out);
  } else {
    JoinExistingMember(ctx, info, req, *group, now, out);
  }

  if (is_new_group && out->appends.size() == appends_before) {
    // Kafka persists a group the moment a JoinGroup creates it.
    Group* g = FindMutableGroup(req.group_id);
    if (g != nullptr) {
      std::string gid = req.group_id;
      Append({EmptyGroupRecord(*g)}, {}, false,
             [gid](const absl::Status& s, Now, Output*) {
               if (!s.ok()) LOG(WARNING) << "failed to persist new group " << gid << ": " << s;
             },
             out);
    }
  }
  Finish(out);
}

void GroupCoordinatorState::JoinNewMember(const RequestContext& ctx, PendingRequest info,
                                          const JoinGroupRequest& req, Group& group, Now now,
                                          Output* out) {
  JoinGroupResponse r;
  if (group.Is(GroupState::kDead)) {
    r.error = ErrorCode::kCoordinatorNotAvailable;
    return Send(info.id, std::move(r), out);
  }
  if (!group.SupportsProtocols(req.protocol_type, req.protocols)) {
    r.error = ErrorCode::kInconsistentGroupProtocol;
    return Send(info.id, std::move(r), out);
  }
  std::string new_member_id = NewMemberId(req.group_instance_id.value_or(ctx.client_id));
  if (req.group_instance_id) {
    const std::string* existing = group.StaticMemberId(*req.group_instance_id);
    if (existing != nullptr) {
      std::string old_member_id = *existing;
      LOG(INFO) << "group " << group.group_id() << ": static member " << *req.group_instance_id
                << " rejoins with an unknown member id in state " << GroupStateName(group.state())
                << "; replacing " << old_member_id << " with " << new_member_id;
      return UpdateStaticMemberThenRebalanceOrCompleteJoin(ctx, info, req, group, old_member_id,
                                                           new_member_id, now, out);
    }
    return AddMemberThenRebalanceOrCompleteJoin(ctx, info, req, group, new_member_id, now, out);
  }
  if (ctx.api_version >= 4) {
    // KIP-394: hand out a member id; the member joins again with it.
    if (static_cast<int64_t>(group.num_pending_members()) >= options_.max_pending_members_per_group) {
      r.error = ErrorCode::kGroupMaxSizeReached;
      return Send(info.id, std::move(r), out);
    }
    group.AddPendingMember(new_member_id);
    timers_.Schedule({TimerKind::kHeartbeat, group.group_id(), new_member_id},
                     now.mono + milliseconds(req.session_timeout_ms));
    r.error = ErrorCode::kMemberIdRequired;
    r.member_id = std::move(new_member_id);
    return Send(info.id, std::move(r), out);
  }
  AddMemberThenRebalanceOrCompleteJoin(ctx, info, req, group, new_member_id, now, out);
}

void GroupCoordinatorState::JoinExistingMember(const RequestContext& ctx, PendingRequest info,
                                               const JoinGroupRequest& req, Group& group, Now now,
                                               Output* out) {
  const std::string& member_id = req.member_id;
  JoinGroupResponse r;
  r.member_id = member_id;
  if (group.Is(GroupState::kDead)) {
    r.error = ErrorCode::kCoordinatorNotAvailable;
    return Send(info.id, std::move(r), out);
  }
  if (!group.SupportsProtocols(req.protocol_type, req.protocols)) {
    r.error = ErrorCode::kInconsistentGroupProtocol;
    return Send(info.id, std::move(r), out);
  }
  if (group.IsPendingMember(member_id)) {
    if (req.group_instance_id) {
      // Kafka fails the request with an IllegalStateException here.
      r.error = ErrorCode::kUnknownServerError;
      return Send(info.id, std::move(r), out);
    }
    return AddMemberThenRebalanceOrCompleteJoin(ctx, info, req, group, member_id, now, out);
  }
  ErrorCode error = ValidateMember(group, member_id, req.group_instance_id);
  if (error != ErrorCode::kNone) {
    r.error = error;
    return Send(info.id, std::move(r), out);
  }
  Member& member = *group.FindMember(member_id);
  auto current_generation = [&](bool with_members) {
    JoinGroupResponse g;
    if (with_members) g.members = group.CurrentMemberList();
    g.member_id = member_id;
    g.generation_id = group.generation_id();
    g.protocol_name = group.protocol_name();
    g.protocol_type = group.protocol_type();
    g.leader = group.leader_id().value_or("");
    return g;
  };
  switch (group.state()) {
    case GroupState::kPreparingRebalance:
      return UpdateMemberThenRebalanceOrCompleteJoin(info, req, group, member, now, out);
    case GroupState::kCompletingRebalance:
      if (member.protocols == req.protocols) {
        // Same metadata (it probably missed the JoinGroup response): answer
        // with the current generation again.
        return Send(info.id, current_generation(group.IsLeader(member_id)), out);
      }
      return UpdateMemberThenRebalanceOrCompleteJoin(info, req, group, member, now, out);
    case GroupState::kStable:
      // A leader rejoining forces a rebalance (it may have seen metadata
      // change); so does a member with new metadata.
      if (group.IsLeader(member_id) || member.protocols != req.protocols) {
        return UpdateMemberThenRebalanceOrCompleteJoin(info, req, group, member, now, out);
      }
      return Send(info.id, current_generation(false), out);
    case GroupState::kEmpty:
    case GroupState::kDead:
      r.error = ErrorCode::kUnknownMemberId;
      return Send(info.id, std::move(r), out);
  }
}

bool GroupCoordinatorState::AcceptJoiningMember(const Group& group,
                                                const std::string& member_id) const {
  const auto max = static_cast<size_t>(options_.group_max_size);
  switch (group.state()) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return true;
    case GroupState::kPreparingRebalance: {
      const Member* m = group.FindMember(member_id);
      return (m != nullptr && m->is_awaiting_join()) || group.num_awaiting_join() < max;
    }
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      return group.HasMember(member_id) || group.num_members() < max;
  }
  return false;
}

void GroupCoordinatorState::AddMemberThenRebalanceOrCompleteJoin(
    const RequestContext& ctx, PendingRequest info, const JoinGroupRequest& req, Group& group,
    const std::string& member_id, Now now, Output* out) {
  Member m;
  m.member_id = member_id;
  m.group_instance_id = req.group_instance_id;
  m.client_id = ctx.client_id;
  m.client_host = ctx.client_host;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.session_timeout_ms = req.session_timeout_ms;
  m.protocol_type = req.protocol_type;
  m.protocols = req.protocols;
  m.is_new = true;
  // A member joining during the initial delay extends it.
  if (group.Is(GroupState::kPreparingRebalance) && group.previous_state() == GroupState::kEmpty) {
    group.set_new_member_added(true);
  }
  Member& added = group.Add(std::move(m), info);
  // A new member cannot heartbeat while its JoinGroup is parked; bound the
  // wait instead (the client retries if it is still there).
  RescheduleHeartbeat(group, added, options_.new_member_join_timeout_ms, now);
  VLOG(1) << "group " << group.group_id() << ": adding member " << member_id << " (reason: "
          << req.reason.value_or("not provided") << ")";
  MaybePrepareRebalanceOrCompleteJoin(group, now, out);
}

void GroupCoordinatorState::UpdateMemberThenRebalanceOrCompleteJoin(PendingRequest info,
                                                                    const JoinGroupRequest& req,
                                                                    Group& group, Member& member,
                                                                    Now now, Output* out) {
  std::optional<PendingRequest> replaced = group.UpdateMember(
      member, req.protocols, req.rebalance_timeout_ms, req.session_timeout_ms, info);
  if (replaced && replaced->id != info.id) {
    // A newer JoinGroup of the same member supersedes a parked one; answer
    // the old one rather than leave it hanging.
    JoinGroupResponse r;
    r.error = ErrorCode::kRebalanceInProgress;
    r.member_id = member.member_id;
    Send(replaced->id, std::move(r), out);
  }
  VLOG(1) << "group " << group.group_id() << ": member " << member.member_id << " rejoins in "
          << GroupStateName(group.state()) << " (reason: " << req.reason.value_or("not provided")
          << ")";
  MaybePrepareRebalanceOrCompleteJoin(group, now, out);
}

void GroupCoordinatorState::UpdateStaticMemberThenRebalanceOrCompleteJoin(
    const RequestContext& ctx, PendingRequest info, const JoinGroupRequest& req, Group& group,
    const std::string& old_member_id, const std::string& new_member_id, Now now, Output* out) {
  std::optional<std::string> leader_before = group.leader_id();
  const std::string instance_id = *req.group_instance_id;
  auto [old_member, new_member] = group.ReplaceStaticMember(instance_id, old_member_id, new_member_id);
  // Fence whoever still waits with the old member id.
  if (old_member.awaiting_join) {
    JoinGroupResponse r;
    r.error = ErrorCode::kFencedInstanceId;
    r.member_id = old_member_id;
    Send(old_member.awaiting_join->id, std::move(r), out);
  }
  if (old_member.awaiting_sync) {
    SyncGroupResponse r;
    r.error = ErrorCode::kFencedInstanceId;
    Send(old_member.awaiting_sync->id, std::move(r), out);
  }
  timers_.Cancel({TimerKind::kHeartbeat, group.group_id(), old_member_id});
  RescheduleHeartbeat(group, *new_member, new_member->session_timeout_ms, now);

  const int32_t old_rebalance_timeout_ms = new_member->rebalance_timeout_ms;
  const int32_t old_session_timeout_ms = new_member->session_timeout_ms;
  std::vector<JoinGroupProtocol> old_protocols = new_member->protocols;
  group.UpdateMember(*new_member, req.protocols, req.rebalance_timeout_ms, req.session_timeout_ms,
                     info);

  switch (group.state()) {
    case GroupState::kStable: {
      if (group.protocol_name().value_or("") != group.SelectProtocol()) {
        // The selected protocol would change: rebalance.
        return MaybePrepareRebalanceOrCompleteJoin(group, now, out);
      }
      // Same protocol: no rebalance, only persist the new member id, then
      // answer with the current generation.
      std::string gid = group.group_id();
      Append({GroupRecord(group)}, {}, false,
             [this, gid, instance_id, old_member_id, new_member_id, info, leader_before,
              old_rebalance_timeout_ms, old_session_timeout_ms,
              old_protocols = std::move(old_protocols)](const absl::Status& status, Now now,
                                                        Output* out) {
               Group* g = FindMutableGroup(gid);
               Member* m = g == nullptr ? nullptr : g->FindMember(new_member_id);
               bool still_there = m != nullptr && m->awaiting_join && m->awaiting_join->id == info.id;
               if (!status.ok()) {
                 LOG(WARNING) << "group " << gid << ": failed to persist static member "
                              << instance_id << " as " << new_member_id << " (" << status
                              << "); reverting to " << old_member_id;
                 if (still_there) {
                   g->UpdateMember(*m, old_protocols, old_rebalance_timeout_ms,
                                   old_session_timeout_ms, std::nullopt);
                   timers_.Cancel({TimerKind::kHeartbeat, gid, new_member_id});
                   auto [fenced, restored] = g->ReplaceStaticMember(instance_id, new_member_id,
                                                                    old_member_id);
                   RescheduleHeartbeat(*g, *restored, restored->session_timeout_ms, now);
                 }
                 JoinGroupResponse r;
                 r.error = AppendErrorToKafkaError(status);
                 if (g != nullptr) {
                   r.generation_id = g->generation_id();
                   r.protocol_name = g->protocol_name();
                   r.protocol_type = g->protocol_type();
                 }
                 r.leader = leader_before.value_or("");
                 if (still_there || g == nullptr) Send(info.id, std::move(r), out);
                 return;
               }
               if (!still_there) return;  // already answered (fenced or removed)
               g->TakeJoin(*m);
               JoinGroupResponse r;
               r.member_id = new_member_id;
               r.generation_id = g->generation_id();
               r.protocol_name = g->protocol_name();
               r.protocol_type = g->protocol_type();
               if (info.api_version >= 9) {
                 // KIP-814: the static leader learns it leads, without
                 // running the assignor again.
                 bool is_leader = g->IsLeader(new_member_id);
                 if (is_leader) r.members = g->CurrentMemberList();
                 r.leader = g->leader_id().value_or("");
                 r.skip_assignment = is_leader;
               } else {
                 // Older clients get the previous leader id, so a rejoined
                 // static leader does not run an assignment.
                 r.leader = leader_before.value_or("");
               }
               Send(info.id, std::move(r), out);
             },
             out);
      return;
    }
    case GroupState::kCompletingRebalance:
      // The leader may already have the old member id in its assignment:
      // rebalance so the new id gets one.
      return PrepareRebalance(group, now, out);
    case GroupState::kEmpty:
    case GroupState::kDead:
      LOG(FATAL) << "group " << group.group_id() << " has static member " << instance_id
                 << " in state " << GroupStateName(group.state());
    case GroupState::kPreparingRebalance:
      return MaybeCompleteJoinPhase(group, now, out);
  }
}

// ---- rebalance ----

void GroupCoordinatorState::MaybePrepareRebalanceOrCompleteJoin(Group& group, Now now,
                                                                Output* out) {
  if (group.CanRebalance()) {
    PrepareRebalance(group, now, out);
  } else {
    MaybeCompleteJoinPhase(group, now, out);
  }
}

void GroupCoordinatorState::PrepareRebalance(Group& group, Now now, Output* out) {
  // Members waiting for an assignment must rejoin.
  if (group.Is(GroupState::kCompletingRebalance)) {
    ResetAndPropagateAssignmentWithError(group, ErrorCode::kRebalanceInProgress, now, out);
  }
  RemoveSyncExpiration(group);
  bool initial = group.Is(GroupState::kEmpty);
  if (initial) {
    // A new or empty group: give more members time to join.
    int32_t delay_ms = options_.group_initial_rebalance_delay_ms;
    int32_t remaining_ms = std::max(group.RebalanceTimeoutMs() - delay_ms, 0);
    TimerPayload p;
    p.initial_rebalance = true;
    p.delay_ms = delay_ms;
    p.remaining_ms = remaining_ms;
    timers_.Schedule({TimerKind::kJoin, group.group_id(), ""}, now.mono + milliseconds(delay_ms), p);
  }
  LOG(INFO) << "group " << group.group_id() << ": preparing to rebalance in state "
            << GroupStateName(group.state()) << " with old generation " << group.generation_id();
  group.TransitionTo(GroupState::kPreparingRebalance, now.wall_ms);
  if (!initial) MaybeCompleteJoinElseSchedule(group, now, out);
}

void GroupCoordinatorState::MaybeCompleteJoinElseSchedule(Group& group, Now now, Output* out) {
  if (group.HasAllMembersJoined()) {
    CompleteJoin(group, now, out);
  } else {
    timers_.Schedule({TimerKind::kJoin, group.group_id(), ""},
                     now.mono + milliseconds(group.RebalanceTimeoutMs()));
  }
}

void GroupCoordinatorState::MaybeCompleteJoinPhase(Group& group, Now now, Output* out) {
  if (!group.Is(GroupState::kPreparingRebalance)) return;
  // The initial rebalance ends with its delay timer, not before.
  if (group.previous_state() == GroupState::kEmpty) return;
  if (!group.HasAllMembersJoined()) return;
  CompleteJoin(group, now, out);
}

void GroupCoordinatorState::TryCompleteInitialRebalanceElseSchedule(Group& group, int32_t delay_ms,
                                                                    int32_t remaining_ms, Now now,
                                                                    Output* out) {
  if (group.new_member_added() && remaining_ms != 0) {
    // Someone joined during the delay: wait again, within the rebalance
    // timeout.
    group.set_new_member_added(false);
    int32_t new_delay_ms = std::min(options_.group_initial_rebalance_delay_ms, remaining_ms);
    int32_t new_remaining_ms = std::max(remaining_ms - delay_ms, 0);
    TimerPayload p;
    p.initial_rebalance = true;
    p.delay_ms = new_delay_ms;
    p.remaining_ms = new_remaining_ms;
    timers_.Schedule({TimerKind::kJoin, group.group_id(), ""}, now.mono + milliseconds(new_delay_ms),
                     p);
    return;
  }
  CompleteJoin(group, now, out);
}

void GroupCoordinatorState::CompleteJoin(Group& group, Now now, Output* out) {
  timers_.Cancel({TimerKind::kJoin, group.group_id(), ""});
  // Dynamic members that did not rejoin in time are out; static members
  // stay until their session expires.
  for (const std::string& id : group.NotYetRejoinedMembers()) {
    const Member* m = group.FindMember(id);
    if (m != nullptr && !m->is_static()) {
      LOG(INFO) << "group " << group.group_id() << ": removing member " << id
                << ", which did not rejoin in time";
      RemoveMember(group, id, out);
    }
  }
  if (group.Is(GroupState::kDead)) return;
  if (!group.MaybeElectNewJoinedLeader() && group.num_members() > 0) {
    // Nobody rejoined: wait another rebalance timeout (sessions will expire
    // the silent ones).
    LOG(WARNING) << "group " << group.group_id() << " could not complete its rebalance: "
                 << "no member rejoined";
    timers_.Schedule({TimerKind::kJoin, group.group_id(), ""},
                     now.mono + milliseconds(group.RebalanceTimeoutMs()));
    return;
  }
  group.InitNextGeneration(now.wall_ms);
  if (group.Is(GroupState::kEmpty)) {
    LOG(INFO) << "group " << group.group_id() << " with generation " << group.generation_id()
              << " is now empty";
    std::string gid = group.group_id();
    Append({GroupRecord(group)}, {}, false,
           [gid](const absl::Status& s, Now, Output*) {
             if (!s.ok()) LOG(WARNING) << "failed to persist empty group " << gid << ": " << s;
           },
           out);
    return;
  }
  LOG(INFO) << "group " << group.group_id() << ": stabilized generation " << group.generation_id()
            << " with " << group.num_members() << " members, protocol "
            << group.protocol_name().value_or("");
  std::vector<std::string> ids;
  for (const auto& [id, m] : group.members()) ids.push_back(id);
  for (const std::string& id : ids) {
    Member& m = *group.FindMember(id);
    JoinGroupResponse r;
    if (group.IsLeader(id)) r.members = group.CurrentMemberList();
    r.member_id = id;
    r.generation_id = group.generation_id();
    r.protocol_name = group.protocol_name();
    r.protocol_type = group.protocol_type();
    r.leader = group.leader_id().value_or("");
    CompleteJoinOf(group, m, std::move(r), out);
    RescheduleHeartbeat(group, m, m.session_timeout_ms, now);
    m.is_new = false;
    group.AddPendingSyncMember(id);
  }
  TimerPayload p;
  p.generation_id = group.generation_id();
  timers_.Schedule({TimerKind::kSync, group.group_id(), ""},
                   now.mono + milliseconds(group.RebalanceTimeoutMs()), p);
}

void GroupCoordinatorState::ExpireHeartbeat(const std::string& group_id,
                                            const std::string& member_id, Now now, Output* out) {
  Group* group = FindMutableGroup(group_id);
  if (group == nullptr || group->Is(GroupState::kDead)) return;
  if (group->IsPendingMember(member_id)) {
    LOG(INFO) << "group " << group_id << ": pending member " << member_id
              << " removed after its session timeout";
    group->RemovePendingMember(member_id);
    if (group->Is(GroupState::kPreparingRebalance) && group->HasAllMembersJoined()) {
      CompleteJoin(*group, now, out);
    }
    return;
  }
  const Member* member = group->FindMember(member_id);
  if (member == nullptr || member->HasSatisfiedHeartbeat()) return;
  LOG(INFO) << "group " << group_id << ": member " << member_id
            << " failed its session timeout; removing it";
  RemoveMemberAndUpdateGroup(*group, member_id, now, out);
}

void GroupCoordinatorState::RemoveMemberAndUpdateGroup(Group& group, const std::string& member_id,
                                                       Now now, Output* out) {
  RemoveMember(group, member_id, out);
  if (group.Is(GroupState::kStable) || group.Is(GroupState::kCompletingRebalance)) {
    MaybePrepareRebalanceOrCompleteJoin(group, now, out);
  } else if (group.Is(GroupState::kPreparingRebalance) && group.HasAllMembersJoined()) {
    CompleteJoin(group, now, out);
  }
}

void GroupCoordinatorState::RemoveMember(Group& group, const std::string& member_id, Output* out) {
  timers_.Cancel({TimerKind::kHeartbeat, group.group_id(), member_id});
  std::optional<Member> removed = group.Remove(member_id);
  if (!removed) return;
  // A parked JoinGroup learns the member is gone (it may rejoin); so does a
  // parked SyncGroup (Kafka leaves that one unanswered).
  if (removed->awaiting_join) {
    JoinGroupResponse r;
    r.error = ErrorCode::kUnknownMemberId;
    Send(removed->awaiting_join->id, std::move(r), out);
  }
  if (removed->awaiting_sync) {
    SyncGroupResponse r;
    r.error = ErrorCode::kUnknownMemberId;
    Send(removed->awaiting_sync->id, std::move(r), out);
  }
}

void GroupCoordinatorState::ExpirePendingSync(const std::string& group_id, int32_t generation_id,
                                              Now now, Output* out) {
  Group* group = FindMutableGroup(group_id);
  if (group == nullptr || generation_id != group->generation_id()) return;
  if (!group->Is(GroupState::kCompletingRebalance) && !group->Is(GroupState::kStable)) return;
  if (group->HasReceivedSyncFromAllMembers()) return;
  std::vector<std::string> late(group->pending_sync_members().begin(),
                                group->pending_sync_members().end());
  std::sort(late.begin(), late.end());
  for (const std::string& id : late) {
    LOG(INFO) << "group " << group_id << ": removing member " << id
              << ", which did not send SyncGroup in time";
    RemoveMember(*group, id, out);
  }
  PrepareRebalance(*group, now, out);
}

void GroupCoordinatorState::ResetAndPropagateAssignmentWithError(Group& group, ErrorCode error,
                                                                 Now now, Output* out) {
  CHECK(group.Is(GroupState::kCompletingRebalance))
      << "group " << group.group_id() << " is " << GroupStateName(group.state());
  std::vector<std::string> ids;
  for (const auto& [id, m] : group.members()) ids.push_back(id);
  for (const std::string& id : ids) group.FindMember(id)->assignment.clear();
  PropagateAssignment(group, error, now, out);
}

void GroupCoordinatorState::PropagateAssignment(Group& group, ErrorCode error, Now now,
                                                Output* out) {
  std::vector<std::string> ids;
  for (const auto& [id, m] : group.members()) ids.push_back(id);
  for (const std::string& id : ids) {
    Member& m = *group.FindMember(id);
    if (!m.awaiting_sync) continue;
    SyncGroupResponse r;
    r.error = error;
    if (error == ErrorCode::kNone) {
      r.protocol_type = group.protocol_type();
      r.protocol_name = group.protocol_name();
    }
    r.assignment = m.assignment;
    CompleteSyncOf(m, std::move(r), out);
    // Its session may have run out while it waited: start it afresh.
    RescheduleHeartbeat(group, m, m.session_timeout_ms, now);
  }
}

void GroupCoordinatorState::RescheduleHeartbeat(const Group& group, const Member& member,
                                                int64_t timeout_ms, Now now) {
  timers_.Schedule({TimerKind::kHeartbeat, group.group_id(), member.member_id},
                   now.mono + milliseconds(timeout_ms));
}

void GroupCoordinatorState::RemoveSyncExpiration(Group& group) {
  group.ClearPendingSyncMembers();
  timers_.Cancel({TimerKind::kSync, group.group_id(), ""});
}

void GroupCoordinatorState::RemovePendingSyncMember(Group& group, const std::string& member_id) {
  group.RemovePendingSyncMember(member_id);
  bool cancel = true;
  if (group.Is(GroupState::kCompletingRebalance) || group.Is(GroupState::kStable)) {
    cancel = group.HasReceivedSyncFromAllMembers();
  }
  if (cancel) timers_.Cancel({TimerKind::kSync, group.group_id(), ""});
}

void GroupCoordinatorState::CompleteJoinOf(Group& group, Member& member, JoinGroupResponse response,
                                           Output* out) {
  std::optional<PendingRequest> join = group.TakeJoin(member);
  if (join) Send(join->id, std::move(response), out);
}

void GroupCoordinatorState::CompleteSyncOf(Member& member, SyncGroupResponse response,
                                           Output* out) {
  if (!member.awaiting_sync) return;
  RequestId id = member.awaiting_sync->id;
  member.awaiting_sync.reset();
  Send(id, std::move(response), out);
}

ErrorCode GroupCoordinatorState::ValidateMember(
    const Group& group, const std::string& member_id,
    const std::optional<std::string>& instance_id) const {
  if (instance_id) {
    const std::string* existing = group.StaticMemberId(*instance_id);
    if (existing == nullptr) return ErrorCode::kUnknownMemberId;
    if (*existing != member_id) {
      VLOG(1) << "group " << group.group_id() << ": member " << member_id << " of instance "
              << *instance_id << " is fenced by " << *existing;
      return ErrorCode::kFencedInstanceId;
    }
  }
  if (!group.HasMember(member_id)) return ErrorCode::kUnknownMemberId;
  return ErrorCode::kNone;
}

// ---- SyncGroup ----

void GroupCoordinatorState::SyncGroup(RequestId id, const RequestContext& ctx,
                                      const SyncGroupRequest& req, Now now, Output* out) {
  auto reply = [&](ErrorCode error) {
    SyncGroupResponse r;
    r.error = error;
    Send(id, std::move(r), out);
    Finish(out);
  };
  if (req.group_id.empty()) return reply(ErrorCode::kInvalidGroupId);
  // From v5 the protocol type and name are mandatory.
  if (ctx.api_version >= 5 && (!req.protocol_type || !req.protocol_name)) {
    return reply(ErrorCode::kInconsistentGroupProtocol);
  }
  Group* group = FindMutableGroup(req.group_id);
  if (group == nullptr || group->Is(GroupState::kEmpty)) return reply(ErrorCode::kUnknownMemberId);
  if (group->Is(GroupState::kDead)) return reply(ErrorCode::kCoordinatorNotAvailable);
  ErrorCode error = ValidateMember(*group, req.member_id, req.group_instance_id);
  if (error != ErrorCode::kNone) return reply(error);
  if (req.generation_id != group->generation_id()) return reply(ErrorCode::kIllegalGeneration);
  if (ProtocolInconsistent(req.protocol_type, group->protocol_type()) ||
      ProtocolInconsistent(req.protocol_name, group->protocol_name())) {
    return reply(ErrorCode::kInconsistentGroupProtocol);
  }
  Member& member = *group->FindMember(req.member_id);
  switch (group->state()) {
    case GroupState::kPreparingRebalance:
      return reply(ErrorCode::kRebalanceInProgress);
    case GroupState::kStable: {
      RemovePendingSyncMember(*group, req.member_id);
      SyncGroupResponse r;
      r.protocol_type = group->protocol_type();
      r.protocol_name = group->protocol_name();
      r.assignment = member.assignment;
      Send(id, std::move(r), out);
      return Finish(out);
    }
    case GroupState::kCompletingRebalance:
      break;
    default:
      return reply(ErrorCode::kCoordinatorNotAvailable);
  }
  if (member.awaiting_sync && member.awaiting_sync->id != id) {
    SyncGroupResponse r;
    r.error = ErrorCode::kRebalanceInProgress;
    Send(member.awaiting_sync->id, std::move(r), out);
  }
  member.awaiting_sync = PendingRequest{id, ctx.api_version};
  RemovePendingSyncMember(*group, req.member_id);
  if (!group->IsLeader(req.member_id)) return Finish(out);  // followers wait

  // The leader's assignment: persist it, then hand it out.
  absl::flat_hash_map<std::string, std::string> assignment;
  for (const SyncGroupAssignment& a : req.assignments) assignment[a.member_id] = a.assignment;
  for (const auto& [mid, m] : group->members()) assignment.try_emplace(mid, std::string());
  LOG(INFO) << "group " << req.group_id << ": assignment received from leader " << req.member_id
            << " for generation " << group->generation_id() << " (" << group->num_members()
            << " members, " << group->num_static_members() << " static)";
  std::string gid = req.group_id;
  int32_t generation = req.generation_id;
  CoordinatorRecord record = GroupRecord(*group, &assignment);
  Append({std::move(record)}, {}, false,
         [this, gid, generation, assignment = std::move(assignment)](const absl::Status& status,
                                                                     Now now, Output* out) {
           Group* g = FindMutableGroup(gid);
           // Another rebalance may have started meanwhile: then do nothing.
           if (g == nullptr || !g->Is(GroupState::kCompletingRebalance) ||
               g->generation_id() != generation) {
             return;
           }
           if (!status.ok()) {
             ResetAndPropagateAssignmentWithError(*g, AppendErrorToKafkaError(status), now, out);
             MaybePrepareRebalanceOrCompleteJoin(*g, now, out);
             return;
           }
           std::vector<std::string> ids;
           for (const auto& [mid, m] : g->members()) ids.push_back(mid);
           for (const std::string& mid : ids) {
             auto it = assignment.find(mid);
             g->FindMember(mid)->assignment = it == assignment.end() ? std::string() : it->second;
           }
           PropagateAssignment(*g, ErrorCode::kNone, now, out);
           g->TransitionTo(GroupState::kStable, now.wall_ms);
         },
         out);
  Finish(out);
}

// ---- Heartbeat ----

void GroupCoordinatorState::Heartbeat(RequestId id, const RequestContext& ctx,
                                      const HeartbeatRequest& req, Now now, Output* out) {
  (void)ctx;
  auto reply = [&](ErrorCode error) {
    Send(id, HeartbeatResponse{error}, out);
    Finish(out);
  };
  if (req.group_id.empty()) return reply(ErrorCode::kInvalidGroupId);
  Group* group = FindMutableGroup(req.group_id);
  if (group == nullptr) return reply(ErrorCode::kUnknownMemberId);
  if (group->Is(GroupState::kDead)) return reply(ErrorCode::kCoordinatorNotAvailable);
  ErrorCode error = ValidateMember(*group, req.member_id, req.group_instance_id);
  if (error != ErrorCode::kNone) return reply(error);
  if (req.generation_id != group->generation_id()) return reply(ErrorCode::kIllegalGeneration);
  const Member& member = *group->FindMember(req.member_id);
  switch (group->state()) {
    case GroupState::kEmpty:
      return reply(ErrorCode::kUnknownMemberId);
    case GroupState::kPreparingRebalance:
      RescheduleHeartbeat(*group, member, member.session_timeout_ms, now);
      return reply(ErrorCode::kRebalanceInProgress);
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      // Members may heartbeat between their JoinGroup and SyncGroup.
      RescheduleHeartbeat(*group, member, member.session_timeout_ms, now);
      return reply(ErrorCode::kNone);
    case GroupState::kDead:
      return reply(ErrorCode::kCoordinatorNotAvailable);
  }
}

// ---- LeaveGroup ----

void GroupCoordinatorState::LeaveGroup(RequestId id, const RequestContext& ctx,
                                       const LeaveGroupRequest& req, Now now, Output* out) {
  (void)ctx;
  LeaveGroupResponse response;
  if (req.group_id.empty()) {
    response.error = ErrorCode::kInvalidGroupId;
    Send(id, std::move(response), out);
    return Finish(out);
  }
  Group* group = FindMutableGroup(req.group_id);
  if (group == nullptr) {
    // As Kafka: an unknown group fails every member with UNKNOWN_MEMBER_ID.
    for (const LeaveGroupMember& m : req.members) {
      response.members.push_back({m.member_id, m.group_instance_id, ErrorCode::kUnknownMemberId});
    }
    Send(id, std::move(response), out);
    return Finish(out);
  }
  if (group->Is(GroupState::kDead)) {
    response.error = ErrorCode::kCoordinatorNotAvailable;
    Send(id, std::move(response), out);
    return Finish(out);
  }
  bool any_left = false;
  for (const LeaveGroupMember& m : req.members) {
    LeaveGroupMemberResponse r{m.member_id, m.group_instance_id, ErrorCode::kNone};
    if (m.member_id.empty()) {
      // Administrative removal by instance id.
      const std::string* mid = m.group_instance_id ? group->StaticMemberId(*m.group_instance_id)
                                                   : nullptr;
      if (mid != nullptr) {
        std::string member_id = *mid;
        RemoveMember(*group, member_id, out);
      } else {
        r.error = ErrorCode::kUnknownMemberId;
      }
    } else if (group->IsPendingMember(m.member_id)) {
      group->RemovePendingMember(m.member_id);
      timers_.Cancel({TimerKind::kHeartbeat, group->group_id(), m.member_id});
    } else {
      r.error = ValidateMember(*group, m.member_id, m.group_instance_id);
      if (r.error == ErrorCode::kNone) RemoveMember(*group, m.member_id, out);
    }
    if (r.error == ErrorCode::kNone) {
      any_left = true;
      LOG(INFO) << "group " << req.group_id << ": member "
                << (m.member_id.empty() ? m.group_instance_id.value_or("") : m.member_id)
                << " left (reason: " << m.reason.value_or("not provided") << ")";
    }
    response.members.push_back(std::move(r));
  }
  size_t appends_before = out->appends.size();
  if (any_left) {
    switch (group->state()) {
      case GroupState::kStable:
      case GroupState::kCompletingRebalance:
        MaybePrepareRebalanceOrCompleteJoin(*group, now, out);
        break;
      case GroupState::kPreparingRebalance:
        MaybeCompleteJoinPhase(*group, now, out);
        break;
      default:
        break;
    }
  }
  ReplyAfterAppends(appends_before, id, std::move(response),
                    [](ErrorCode e) { return Response(LeaveGroupResponse{e, {}}); }, out);
  Finish(out);
}

}  // namespace gregor::broker::group
