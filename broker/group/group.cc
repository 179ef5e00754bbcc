#include "broker/group/group.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "broker/group/records.h"
#include "glog/logging.h"

namespace gregor::broker::group {

std::string_view GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty: return "Empty";
    case GroupState::kPreparingRebalance: return "PreparingRebalance";
    case GroupState::kCompletingRebalance: return "CompletingRebalance";
    case GroupState::kStable: return "Stable";
    case GroupState::kDead: return "Dead";
  }
  return "Unknown";
}

std::string GroupStateLowerName(GroupState state) {
  std::string_view name = GroupStateName(state);
  return absl::AsciiStrToLower(absl::string_view(name.data(), name.size()));
}

const std::string* Member::MetadataFor(std::string_view protocol) const {
  for (const JoinGroupProtocol& p : protocols) {
    if (p.name == protocol) return &p.metadata;
  }
  return nullptr;
}

const std::string& Member::Vote(const std::set<std::string>& candidates) const {
  for (const JoinGroupProtocol& p : protocols) {
    if (candidates.count(p.name) > 0) return p.name;
  }
  LOG(FATAL) << "member " << member_id << " supports none of the candidate protocols";
}

Group::Group(std::string group_id, GroupState initial_state, int64_t now_wall_ms)
    : group_id_(std::move(group_id)), state_(initial_state), current_state_timestamp_ms_(now_wall_ms) {}

void Group::Restore(int32_t generation_id, std::optional<std::string> protocol_type,
                    std::optional<std::string> protocol_name, std::optional<std::string> leader_id,
                    std::optional<int64_t> current_state_timestamp_ms) {
  generation_id_ = generation_id;
  protocol_type_ = std::move(protocol_type);
  protocol_name_ = std::move(protocol_name);
  leader_id_ = std::move(leader_id);
  current_state_timestamp_ms_ = current_state_timestamp_ms;
}

namespace {

bool ValidPrevious(GroupState next, GroupState prev) {
  using S = GroupState;
  switch (next) {
    case S::kEmpty: return prev == S::kPreparingRebalance;
    case S::kPreparingRebalance:
      return prev == S::kStable || prev == S::kCompletingRebalance || prev == S::kEmpty;
    case S::kCompletingRebalance: return prev == S::kPreparingRebalance;
    case S::kStable: return prev == S::kCompletingRebalance;
    case S::kDead: return true;
  }
  return false;
}

}  // namespace

void Group::TransitionTo(GroupState next, int64_t now_wall_ms) {
  CHECK(ValidPrevious(next, state_)) << "group " << group_id_ << ": invalid transition from "
                                     << GroupStateName(state_) << " to " << GroupStateName(next);
  previous_state_ = state_;
  state_ = next;
  current_state_timestamp_ms_ = now_wall_ms;
}

bool Group::CanRebalance() const { return ValidPrevious(GroupState::kPreparingRebalance, state_); }

bool Group::HasMember(std::string_view member_id) const {
  return members_.find(member_id) != members_.end();
}

Member* Group::FindMember(std::string_view member_id) {
  auto it = members_.find(member_id);
  return it == members_.end() ? nullptr : &it->second;
}

const Member* Group::FindMember(std::string_view member_id) const {
  auto it = members_.find(member_id);
  return it == members_.end() ? nullptr : &it->second;
}

Member& Group::Add(Member member, std::optional<PendingRequest> join) {
  CHECK(!HasMember(member.member_id)) << "member " << member.member_id << " already in " << group_id_;
  if (member.group_instance_id) {
    CHECK(static_members_.find(*member.group_instance_id) == static_members_.end())
        << "static member " << *member.group_instance_id << " already in " << group_id_;
    static_members_[*member.group_instance_id] = member.member_id;
  }
  if (members_.empty()) protocol_type_ = member.protocol_type;
  CHECK(protocol_type_ == member.protocol_type)
      << "group " << group_id_ << " and member protocol types differ";
  CHECK(SupportsProtocols(member.protocol_type, member.protocols))
      << "none of member " << member.member_id << "'s protocols is supported by " << group_id_;
  if (!leader_id_) leader_id_ = member.member_id;
  member.awaiting_join = join;
  if (join) ++num_awaiting_join_;
  pending_join_members_.erase(member.member_id);
  std::string id = member.member_id;
  auto [it, inserted] = members_.emplace(id, std::move(member));
  IncrementProtocols(it->second);
  return it->second;
}

std::optional<Member> Group::Remove(std::string_view member_id) {
  std::optional<Member> removed;
  auto it = members_.find(member_id);
  if (it != members_.end()) {
    removed = std::move(it->second);
    members_.erase(it);
    DecrementProtocols(*removed);
    if (removed->awaiting_join) --num_awaiting_join_;
    if (removed->group_instance_id) static_members_.erase(*removed->group_instance_id);
  }
  if (IsLeader(member_id)) {
    if (members_.empty()) {
      leader_id_.reset();
    } else {
      leader_id_ = members_.begin()->first;
    }
  }
  pending_join_members_.erase(std::string(member_id));
  pending_sync_members_.erase(std::string(member_id));
  return removed;
}

std::optional<PendingRequest> Group::UpdateMember(Member& member,
                                                  std::vector<JoinGroupProtocol> protocols,
                                                  int32_t rebalance_timeout_ms,
                                                  int32_t session_timeout_ms,
                                                  std::optional<PendingRequest> join) {
  DecrementProtocols(member);
  member.protocols = std::move(protocols);
  IncrementProtocols(member);
  member.rebalance_timeout_ms = rebalance_timeout_ms;
  member.session_timeout_ms = session_timeout_ms;
  std::optional<PendingRequest> replaced = member.awaiting_join;
  if (join && !member.awaiting_join) ++num_awaiting_join_;
  if (!join && member.awaiting_join) --num_awaiting_join_;
  member.awaiting_join = join;
  return replaced;
}

std::optional<PendingRequest> Group::TakeJoin(Member& member) {
  std::optional<PendingRequest> join = member.awaiting_join;
  if (join) {
    member.awaiting_join.reset();
    --num_awaiting_join_;
  }
  return join;
}

std::pair<Member, Member*> Group::ReplaceStaticMember(const std::string& instance_id,
                                                      const std::string& old_member_id,
                                                      const std::string& new_member_id) {
  auto it = members_.find(old_member_id);
  CHECK(it != members_.end()) << "cannot replace unknown member " << old_member_id;
  Member old_member = std::move(it->second);
  members_.erase(it);
  if (old_member.awaiting_join) --num_awaiting_join_;
  pending_sync_members_.erase(old_member_id);

  Member fresh;
  fresh.member_id = new_member_id;
  fresh.group_instance_id = old_member.group_instance_id;
  fresh.client_id = old_member.client_id;
  fresh.client_host = old_member.client_host;
  fresh.rebalance_timeout_ms = old_member.rebalance_timeout_ms;
  fresh.session_timeout_ms = old_member.session_timeout_ms;
  fresh.protocol_type = old_member.protocol_type;
  fresh.protocols = old_member.protocols;
  fresh.assignment = old_member.assignment;
  auto [nit, inserted] = members_.emplace(new_member_id, std::move(fresh));
  CHECK(inserted) << "member " << new_member_id << " already in " << group_id_;
  if (IsLeader(old_member_id)) leader_id_ = new_member_id;
  static_members_[instance_id] = new_member_id;
  return {std::move(old_member), &nit->second};
}

const std::string* Group::StaticMemberId(std::string_view instance_id) const {
  auto it = static_members_.find(AbslView(instance_id));
  return it == static_members_.end() ? nullptr : &it->second;
}

bool Group::IsPendingMember(std::string_view member_id) const {
  return pending_join_members_.contains(AbslView(member_id));
}

void Group::AddPendingMember(const std::string& member_id) {
  CHECK(!HasMember(member_id)) << "pending member " << member_id << " is already a member";
  pending_join_members_.insert(member_id);
}

void Group::RemovePendingMember(std::string_view member_id) {
  pending_join_members_.erase(std::string(member_id));
}

std::vector<std::string> Group::NotYetRejoinedMembers() const {
  std::vector<std::string> out;
  for (const auto& [id, m] : members_) {
    if (!m.is_awaiting_join()) out.push_back(id);
  }
  return out;
}

bool Group::MaybeElectNewJoinedLeader() {
  if (!leader_id_) return false;
  const Member* leader = FindMember(*leader_id_);
  if (leader != nullptr && leader->is_awaiting_join()) return true;
  for (const auto& [id, m] : members_) {
    if (m.is_awaiting_join()) {
      leader_id_ = id;
      return true;
    }
  }
  return false;
}

int32_t Group::RebalanceTimeoutMs() const {
  int32_t max = 0;
  for (const auto& [id, m] : members_) max = std::max(max, m.rebalance_timeout_ms);
  return max;
}

void Group::AddPendingSyncMember(const std::string& member_id) {
  CHECK(HasMember(member_id)) << "pending sync member " << member_id << " is not a member";
  pending_sync_members_.insert(member_id);
}

void Group::RemovePendingSyncMember(std::string_view member_id) {
  pending_sync_members_.erase(std::string(member_id));
}

bool Group::SupportsProtocols(std::string_view protocol_type,
                              const std::vector<JoinGroupProtocol>& protocols) const {
  if (state_ == GroupState::kEmpty) return !protocol_type.empty() && !protocols.empty();
  if (!protocol_type_ || *protocol_type_ != protocol_type) return false;
  for (const JoinGroupProtocol& p : protocols) {
    auto it = supported_protocols_.find(p.name);
    int count = it == supported_protocols_.end() ? 0 : it->second;
    if (count == static_cast<int>(members_.size())) return true;
  }
  return false;
}

std::string Group::SelectProtocol() const {
  CHECK(!members_.empty()) << "cannot select a protocol for empty group " << group_id_;
  std::set<std::string> candidates;
  for (const auto& [name, count] : supported_protocols_) {
    if (count == static_cast<int>(members_.size())) candidates.insert(name);
  }
  // Each member votes for its most preferred candidate; most votes wins
  // (ties: the first in name order, so the choice is deterministic).
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members_) ++votes[m.Vote(candidates)];
  auto best = votes.begin();
  for (auto it = votes.begin(); it != votes.end(); ++it) {
    if (it->second > best->second) best = it;
  }
  return best->first;
}

void Group::InitNextGeneration(int64_t now_wall_ms) {
  ++generation_id_;
  if (!members_.empty()) {
    protocol_name_ = SelectProtocol();
    RecomputeSubscribedTopics();
    TransitionTo(GroupState::kCompletingRebalance, now_wall_ms);
  } else {
    protocol_name_.reset();
    RecomputeSubscribedTopics();
    TransitionTo(GroupState::kEmpty, now_wall_ms);
  }
  pending_sync_members_.clear();
}

std::vector<JoinGroupResponseMember> Group::CurrentMemberList() const {
  std::vector<JoinGroupResponseMember> out;
  out.reserve(members_.size());
  for (const auto& [id, m] : members_) {
    const std::string* md = protocol_name_ ? m.MetadataFor(*protocol_name_) : nullptr;
    out.push_back({id, m.group_instance_id, md != nullptr ? *md : std::string()});
  }
  return out;
}

void Group::RecomputeSubscribedTopics() {
  subscribed_topics_.reset();
  if (!UsesConsumerProtocol()) return;
  if (members_.empty()) {
    subscribed_topics_.emplace();
    return;
  }
  if (!protocol_name_) return;
  std::set<std::string> topics;
  for (const auto& [id, m] : members_) {
    const std::string* md = m.MetadataFor(*protocol_name_);
    if (md == nullptr) return;
    auto parsed = ParseConsumerSubscriptionTopics(*md);
    if (!parsed.ok()) {
      LOG(WARNING) << "group " << group_id_ << ": cannot parse the consumer subscription of "
                   << id << ": " << parsed.status();
      return;
    }
    topics.insert(parsed->begin(), parsed->end());
  }
  subscribed_topics_ = std::move(topics);
}

bool Group::IsSubscribedToTopic(std::string_view topic) const {
  if (subscribed_topics_) return subscribed_topics_->count(std::string(topic)) > 0;
  return UsesConsumerProtocol();
}

void Group::IncrementProtocols(const Member& m) {
  for (const JoinGroupProtocol& p : m.protocols) ++supported_protocols_[p.name];
}

void Group::DecrementProtocols(const Member& m) {
  for (const JoinGroupProtocol& p : m.protocols) {
    auto it = supported_protocols_.find(p.name);
    if (it != supported_protocols_.end() && --it->second <= 0) supported_protocols_.erase(it);
  }
}

}  // namespace gregor::broker::group
