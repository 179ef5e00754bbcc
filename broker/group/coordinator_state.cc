// GroupCoordinatorState: construction, records and appends, timers, load and
// unload. Membership is in coordinator_join.cc, offsets in
// coordinator_offsets.cc, reads in coordinator_describe.cc.
#include "broker/group/coordinator_state.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/uuid.h"
#include "glog/logging.h"

namespace gregor::broker::group {

GroupCoordinatorState::GroupCoordinatorState(int32_t partition, CoordinatorOptions options,
                                             uint64_t random_seed)
    : partition_(partition), options_(options), rng_(random_seed) {}

GroupCoordinatorState::~GroupCoordinatorState() = default;

// ---- small helpers ----

Group* GroupCoordinatorState::FindMutableGroup(std::string_view group_id) {
  auto it = groups_.find(AbslView(group_id));
  return it == groups_.end() ? nullptr : it->second.get();
}

const Group* GroupCoordinatorState::FindGroup(std::string_view group_id) const {
  auto it = groups_.find(AbslView(group_id));
  return it == groups_.end() ? nullptr : it->second.get();
}

std::vector<std::string> GroupCoordinatorState::GroupIds() const {
  std::vector<std::string> ids;
  ids.reserve(groups_.size());
  for (const auto& [id, g] : groups_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

const GroupOffsets* GroupCoordinatorState::OffsetsOf(std::string_view group_id) const {
  auto it = offsets_.find(AbslView(group_id));
  return it == offsets_.end() ? nullptr : &it->second;
}

Group& GroupCoordinatorState::CreateGroup(const std::string& group_id, Now now) {
  auto group = std::make_unique<Group>(group_id, GroupState::kEmpty, now.wall_ms);
  Group& ref = *group;
  groups_[group_id] = std::move(group);
  return ref;
}

std::unique_ptr<Group> GroupCoordinatorState::RemoveGroup(const std::string& group_id) {
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return nullptr;
  std::unique_ptr<Group> g = std::move(it->second);
  groups_.erase(it);
  timers_.Cancel({TimerKind::kJoin, group_id, ""});
  timers_.Cancel({TimerKind::kSync, group_id, ""});
  for (const auto& [id, m] : g->members()) timers_.Cancel({TimerKind::kHeartbeat, group_id, id});
  return g;
}

void GroupCoordinatorState::RestoreGroups(std::vector<std::unique_ptr<Group>>& removed) {
  for (std::unique_ptr<Group>& g : removed) {
    if (g == nullptr || FindGroup(g->group_id()) != nullptr) continue;  // re-created since
    std::string id = g->group_id();
    LOG(WARNING) << "group " << id << ": its deletion was not persisted; keeping it";
    groups_[id] = std::move(g);
  }
}

std::string GroupCoordinatorState::NewMemberId(const std::string& prefix) {
  return absl::StrCat(prefix, "-", Uuid::Random(rng_).ToHex());
}

void GroupCoordinatorState::Send(RequestId id, Response response, Output* out) {
  out->replies.push_back(Reply{id, std::move(response)});
}

void GroupCoordinatorState::Finish(Output* out) const { out->next_deadline = timers_.NextDeadline(); }

bool GroupCoordinatorState::HasPendingCommit(const std::string& group, const std::string& topic,
                                             int32_t partition) const {
  return pending_commits_.contains(std::make_tuple(group, topic, partition));
}

CoordinatorRecord GroupCoordinatorState::GroupRecord(
    const Group& group, const absl::flat_hash_map<std::string, std::string>* assignment) const {
  GroupMetadataValue v;
  v.protocol_type = group.protocol_type().value_or("");
  v.generation = group.generation_id();
  v.protocol = group.protocol_name();
  v.leader = group.leader_id();
  v.current_state_timestamp_ms = group.current_state_timestamp_ms().value_or(-1);
  for (const auto& [id, m] : group.members()) {
    GroupMemberMetadata mm;
    mm.member_id = id;
    mm.group_instance_id = m.group_instance_id;
    mm.client_id = m.client_id;
    mm.client_host = m.client_host;
    mm.rebalance_timeout_ms = m.rebalance_timeout_ms;
    mm.session_timeout_ms = m.session_timeout_ms;
    CHECK(group.protocol_name()) << "group " << group.group_id() << " has members but no protocol";
    const std::string* subscription = m.MetadataFor(*group.protocol_name());
    CHECK(subscription != nullptr) << "member " << id << " lacks protocol "
                                   << *group.protocol_name();
    mm.subscription = *subscription;
    if (assignment != nullptr) {
      auto it = assignment->find(id);
      mm.assignment = it == assignment->end() ? std::string() : it->second;
    } else {
      mm.assignment = m.assignment;
    }
    v.members.push_back(std::move(mm));
  }
  auto rec = MakeGroupMetadataRecord(group.group_id(), v);
  // Every string was length-checked when its request was accepted.
  CHECK(rec.ok()) << "group " << group.group_id() << ": " << rec.status();
  return *std::move(rec);
}

CoordinatorRecord GroupCoordinatorState::EmptyGroupRecord(const Group& group) const {
  GroupMetadataValue v;
  v.current_state_timestamp_ms = group.current_state_timestamp_ms().value_or(-1);
  auto rec = MakeGroupMetadataRecord(group.group_id(), v);
  CHECK(rec.ok()) << "group " << group.group_id() << ": " << rec.status();
  return *std::move(rec);
}

// ---- appends ----

void GroupCoordinatorState::Append(std::vector<CoordinatorRecord> records,
                                   std::vector<OffsetMutation> offsets,
                                   bool counts_pending_commits, AppendCallback on_done,
                                   Output* out) {
  CHECK(!records.empty());
  AppendId id = next_append_id_++;
  if (counts_pending_commits) {
    for (const OffsetMutation& m : offsets) {
      if (m.value) ++pending_commits_[std::make_tuple(m.group, m.topic, m.partition)];
    }
  }
  PendingAppend pa;
  pa.id = id;
  pa.offsets = std::move(offsets);
  pa.counts_pending_commits = counts_pending_commits;
  pa.on_done = std::move(on_done);
  pending_appends_.push_back(std::move(pa));
  out->appends.push_back(AppendRequest{id, std::move(records)});
}

void GroupCoordinatorState::ReplyAfterAppends(size_t appends_before, RequestId id,
                                              Response response,
                                              std::function<Response(ErrorCode)> on_error,
                                              Output* out) {
  if (out->appends.size() == appends_before) {
    Send(id, std::move(response), out);
    return;
  }
  CHECK(!pending_appends_.empty());
  pending_appends_.back().waiters.push_back(
      [id, response = std::move(response), on_error = std::move(on_error)](
          const absl::Status& status, Now, Output* out) mutable {
        if (status.ok()) {
          Send(id, std::move(response), out);
        } else {
          Send(id, on_error(AppendErrorToKafkaError(status)), out);
        }
      });
}

void GroupCoordinatorState::ApplyOffset(const OffsetMutation& m, int64_t now_wall_ms) {
  if (m.value) {
    // As Kafka's replay: offsets without a group make a "simple" group.
    if (FindGroup(m.group) == nullptr) {
      groups_[m.group] = std::make_unique<Group>(m.group, GroupState::kEmpty, now_wall_ms);
    }
    offsets_[m.group][m.topic][m.partition] = *m.value;
    return;
  }
  auto git = offsets_.find(m.group);
  if (git == offsets_.end()) return;
  auto tit = git->second.find(m.topic);
  if (tit == git->second.end()) return;
  tit->second.erase(m.partition);
  if (tit->second.empty()) git->second.erase(tit);
  if (git->second.empty()) offsets_.erase(git);
}

void GroupCoordinatorState::OnAppendDone(AppendId id, const absl::Status& status, Now now,
                                         Output* out) {
  auto it = std::find_if(pending_appends_.begin(), pending_appends_.end(),
                         [id](const PendingAppend& p) { return p.id == id; });
  if (it == pending_appends_.end() || it->result.has_value()) {
    LOG(WARNING) << "__consumer_offsets-" << partition_ << ": outcome of unknown append " << id;
    Finish(out);
    return;
  }
  if (!status.ok()) {
    LOG(WARNING) << "__consumer_offsets-" << partition_ << ": append " << id << " failed: " << status;
  }
  it->result = status;
  while (!pending_appends_.empty() && pending_appends_.front().result.has_value()) {
    PendingAppend done = std::move(pending_appends_.front());
    pending_appends_.pop_front();
    CompleteAppend(done, *done.result, now, out);
  }
  Finish(out);
}

void GroupCoordinatorState::CompleteAppend(PendingAppend& done, const absl::Status& status, Now now,
                                           Output* out) {
  if (done.counts_pending_commits) {
    for (const OffsetMutation& m : done.offsets) {
      if (!m.value) continue;
      auto key = std::make_tuple(m.group, m.topic, m.partition);
      auto pit = pending_commits_.find(key);
      if (pit != pending_commits_.end() && --pit->second <= 0) pending_commits_.erase(pit);
    }
  }
  if (status.ok()) {
    for (const OffsetMutation& m : done.offsets) ApplyOffset(m, now.wall_ms);
  }
  if (done.on_done) done.on_done(status, now, out);
  for (auto& waiter : done.waiters) waiter(status, now, out);
}

// ---- timers ----

void GroupCoordinatorState::Tick(Now now, Output* out) {
  uint64_t seq_limit = timers_.next_seq();
  while (auto due = timers_.PopDue(now.mono, seq_limit)) {
    OnTimer(due->first, due->second, now, out);
  }
  Finish(out);
}

void GroupCoordinatorState::OnTimer(const TimerKey& key, const TimerPayload& payload, Now now,
                                    Output* out) {
  switch (key.kind) {
    case TimerKind::kHeartbeat:
      ExpireHeartbeat(key.group_id, key.member_id, now, out);
      return;
    case TimerKind::kJoin: {
      Group* group = FindMutableGroup(key.group_id);
      if (group == nullptr) return;
      if (payload.initial_rebalance) {
        TryCompleteInitialRebalanceElseSchedule(*group, payload.delay_ms, payload.remaining_ms, now,
                                                out);
      } else {
        CompleteJoin(*group, now, out);
      }
      return;
    }
    case TimerKind::kSync:
      ExpirePendingSync(key.group_id, payload.generation_id, now, out);
      return;
    case TimerKind::kExpiration:
      ExpireOffsetsAndGroups(now, out);
      timers_.Schedule({TimerKind::kExpiration, "", ""},
                       now.mono + std::chrono::milliseconds(
                                      options_.offsets_retention_check_interval_ms));
      return;
  }
}

// ---- loading ----

absl::Status GroupCoordinatorState::Replay(const CoordinatorRecord& record, int64_t now_wall_ms) {
  auto key = DecodeKey(record.key);
  if (!key.ok()) return key.status();
  if (const auto* k = std::get_if<OffsetCommitKey>(&*key)) {
    OffsetMutation m{k->group, k->topic, k->partition, std::nullopt};
    if (record.value) {
      auto v = DecodeOffsetCommitValue(*record.value);
      if (!v.ok()) return v.status();
      OffsetAndMetadata om{v->offset, v->leader_epoch, v->metadata, v->commit_timestamp_ms,
                           std::nullopt};
      if (v->expire_timestamp_ms >= 0) om.expire_timestamp_ms = v->expire_timestamp_ms;
      m.value = std::move(om);
    }
    ApplyOffset(m, now_wall_ms);
    return absl::OkStatus();
  }
  if (const auto* k = std::get_if<GroupMetadataKey>(&*key)) {
    if (!record.value) {
      groups_.erase(k->group);
      return absl::OkStatus();
    }
    auto v = DecodeGroupMetadataValue(*record.value);
    if (!v.ok()) return v.status();
    return ReplayGroup(k->group, *v, now_wall_ms);
  }
  ++skipped_records_;
  VLOG(1) << "__consumer_offsets-" << partition_ << ": skipping a record of key version "
          << std::get<UnknownKey>(*key).version;
  return absl::OkStatus();
}

absl::Status GroupCoordinatorState::ReplayGroup(const std::string& group_id,
                                                const GroupMetadataValue& v, int64_t now_wall_ms) {
  // Check first: a corrupt record must not trip the group's invariants.
  if (!v.members.empty() && (!v.protocol || v.protocol_type.empty())) {
    return absl::DataLossError(absl::StrCat("group ", group_id,
                                            ": members without a protocol or protocol type"));
  }
  absl::flat_hash_set<std::string> ids, instances;
  for (const GroupMemberMetadata& m : v.members) {
    if (!ids.insert(m.member_id).second ||
        (m.group_instance_id && !instances.insert(*m.group_instance_id).second)) {
      return absl::DataLossError(absl::StrCat("group ", group_id, ": duplicate member ",
                                              m.member_id));
    }
  }
  if (v.leader && !v.members.empty() && !ids.contains(*v.leader)) {
    return absl::DataLossError(absl::StrCat("group ", group_id, ": leader ", *v.leader,
                                            " is not a member"));
  }
  auto group = std::make_unique<Group>(
      group_id, v.members.empty() ? GroupState::kEmpty : GroupState::kStable, now_wall_ms);
  group->Restore(v.generation,
                 v.protocol_type.empty() ? std::nullopt : std::optional<std::string>(v.protocol_type),
                 v.protocol, v.members.empty() ? std::nullopt : v.leader,
                 v.current_state_timestamp_ms == -1 ? std::nullopt
                                                    : std::optional<int64_t>(v.current_state_timestamp_ms));
  for (const GroupMemberMetadata& mm : v.members) {
    Member m;
    m.member_id = mm.member_id;
    m.group_instance_id = mm.group_instance_id;
    m.client_id = mm.client_id;
    m.client_host = mm.client_host;
    m.rebalance_timeout_ms = mm.rebalance_timeout_ms == -1 ? mm.session_timeout_ms
                                                           : mm.rebalance_timeout_ms;
    m.session_timeout_ms = mm.session_timeout_ms;
    m.protocol_type = v.protocol_type;
    m.protocols = {JoinGroupProtocol{*v.protocol, mm.subscription}};
    m.assignment = mm.assignment;
    group->Add(std::move(m), std::nullopt);
  }
  group->RecomputeSubscribedTopics();
  groups_[group_id] = std::move(group);
  return absl::OkStatus();
}

void GroupCoordinatorState::OnLoaded(Now now, Output* out) {
  loaded_ = true;
  for (const std::string& id : GroupIds()) {
    Group& g = *FindMutableGroup(id);
    for (const auto& [mid, m] : g.members()) RescheduleHeartbeat(g, m, m.session_timeout_ms, now);
    if (static_cast<int64_t>(g.num_members()) > options_.group_max_size) {
      LOG(INFO) << "group " << id << " (" << g.num_members() << " members) is over capacity "
                << options_.group_max_size << "; rebalancing";
      PrepareRebalance(g, now, out);
    }
  }
  timers_.Schedule({TimerKind::kExpiration, "", ""},
                   now.mono + std::chrono::milliseconds(options_.offsets_retention_check_interval_ms));
  LOG(INFO) << "__consumer_offsets-" << partition_ << ": loaded " << groups_.size() << " groups, "
            << offsets_.size() << " groups with offsets, skipped " << skipped_records_
            << " records of other group types";
  Finish(out);
}

void GroupCoordinatorState::OnUnloaded(Output* out) {
  unloading_ = true;
  const absl::Status unloaded = absl::FailedPreconditionError("coordinator unloaded");
  Now never{MonoTime{}, 0};
  // Appends in flight: their requests get NOT_COORDINATOR.
  while (!pending_appends_.empty()) {
    PendingAppend done = std::move(pending_appends_.front());
    pending_appends_.pop_front();
    CompleteAppend(done, unloaded, never, out);
  }
  // Requests parked in groups.
  for (auto& [gid, group] : groups_) {
    for (const auto& [mid, m] : group->members()) {
      Member& member = *group->FindMember(mid);
      if (member.awaiting_join) {
        JoinGroupResponse r;
        r.error = ErrorCode::kNotCoordinator;
        r.member_id = mid;
        CompleteJoinOf(*group, member, std::move(r), out);
      }
      if (member.awaiting_sync) {
        SyncGroupResponse r;
        r.error = ErrorCode::kNotCoordinator;
        CompleteSyncOf(member, std::move(r), out);
      }
    }
  }
  groups_.clear();
  offsets_.clear();
  pending_commits_.clear();
  pending_appends_.clear();
  timers_.Clear();
  out->appends.clear();  // nothing may be written any more
  out->next_deadline.reset();
}

}  // namespace gregor::broker::group
