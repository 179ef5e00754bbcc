// One classic consumer group as the coordinator keeps it in memory: its
// state (Kafka's ClassicGroupState), generation, selected protocol, leader,
// members and the bookkeeping of a rebalance in progress (who has rejoined,
// who has synced, pending KIP-394 member ids).
//
// Plain data plus the invariant-keeping helpers; it answers no requests and
// arms no timers itself (GroupCoordinatorState does). Not thread-safe.
#ifndef GREGOR_BROKER_GROUP_GROUP_H_
#define GREGOR_BROKER_GROUP_GROUP_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "broker/group/messages.h"

namespace gregor::broker::group {

// Debian's Abseil has its own string_view: convert for hashed lookups.
inline absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Chosen by the driver for each request; a reply names it.
using RequestId = uint64_t;

// A request parked until the group can answer it.
struct PendingRequest {
  RequestId id = 0;
  int16_t api_version = 0;
};

enum class GroupState : uint8_t {
  kEmpty,
  kPreparingRebalance,
  kCompletingRebalance,
  kStable,
  kDead,
};

// As Kafka prints states: "Empty", "PreparingRebalance", "CompletingRebalance",
// "Stable", "Dead".
std::string_view GroupStateName(GroupState state);
// Lower-case name, for the ListGroups states filter.
std::string GroupStateLowerName(GroupState state);

struct Member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::string protocol_type;
  std::vector<JoinGroupProtocol> protocols;  // in the member's preference order
  std::string assignment;
  std::optional<PendingRequest> awaiting_join;
  std::optional<PendingRequest> awaiting_sync;
  // Joined during the current rebalance and not yet part of a generation:
  // its heartbeat deadline is the new-member join timeout.
  bool is_new = false;

  bool is_static() const { return group_instance_id.has_value(); }
  bool is_awaiting_join() const { return awaiting_join.has_value(); }
  bool is_awaiting_sync() const { return awaiting_sync.has_value(); }
  // The metadata this member sent for `protocol`, or nullptr.
  const std::string* MetadataFor(std::string_view protocol) const;
  // The first of the member's protocols that is in `candidates`.
  // REQUIRES: there is one.
  const std::string& Vote(const std::set<std::string>& candidates) const;
  // Kafka's hasSatisfiedHeartbeat: a member waiting in a join or sync does
  // not need to heartbeat, unless it is new.
  bool HasSatisfiedHeartbeat() const {
    return !is_new && (is_awaiting_join() || is_awaiting_sync());
  }
};

class Group {
 public:
  Group(std::string group_id, GroupState initial_state, int64_t now_wall_ms);

  const std::string& group_id() const { return group_id_; }
  GroupState state() const { return state_; }
  GroupState previous_state() const { return previous_state_; }
  bool Is(GroupState s) const { return state_ == s; }
  int32_t generation_id() const { return generation_id_; }
  const std::optional<std::string>& protocol_type() const { return protocol_type_; }
  const std::optional<std::string>& protocol_name() const { return protocol_name_; }
  const std::optional<std::string>& leader_id() const { return leader_id_; }
  std::optional<int64_t> current_state_timestamp_ms() const { return current_state_timestamp_ms_; }
  bool IsLeader(std::string_view member_id) const {
    return leader_id_.has_value() && *leader_id_ == member_id;
  }

  // Restores persisted fields (replay of a GroupMetadataValue).
  void Restore(int32_t generation_id, std::optional<std::string> protocol_type,
               std::optional<std::string> protocol_name, std::optional<std::string> leader_id,
               std::optional<int64_t> current_state_timestamp_ms);

  // Kafka's state machine. CHECK-fails on a transition Kafka forbids.
  void TransitionTo(GroupState next, int64_t now_wall_ms);
  // PreparingRebalance may be entered from the current state.
  bool CanRebalance() const;

  // ---- members ----
  const std::map<std::string, Member, std::less<>>& members() const { return members_; }
  size_t num_members() const { return members_.size(); }
  bool HasMember(std::string_view member_id) const;
  Member* FindMember(std::string_view member_id);
  const Member* FindMember(std::string_view member_id) const;
  // Adds a member (waiting in `join` if set). The first member fixes the
  // protocol type; the first member ever added becomes leader if none.
  // REQUIRES: no such member id or instance id yet, matching protocol type,
  // a protocol every member supports.
  Member& Add(Member member, std::optional<PendingRequest> join);
  // Removes a member (and its pending/sync bookkeeping) and returns it so the
  // caller can answer its parked requests. A removed leader is replaced by
  // the first remaining member.
  std::optional<Member> Remove(std::string_view member_id);
  // Replaces a member's protocols and timeouts and its parked JoinGroup.
  // Returns the join it replaced, if any.
  std::optional<PendingRequest> UpdateMember(Member& member,
                                             std::vector<JoinGroupProtocol> protocols,
                                             int32_t rebalance_timeout_ms,
                                             int32_t session_timeout_ms,
                                             std::optional<PendingRequest> join);
  // Clears a member's parked JoinGroup and returns it.
  std::optional<PendingRequest> TakeJoin(Member& member);
  // KIP-345: moves a static member to a new member id, keeping its
  // assignment. Returns the old member (with its parked requests, which the
  // caller fences) and the new one.
  std::pair<Member, Member*> ReplaceStaticMember(const std::string& instance_id,
                                                 const std::string& old_member_id,
                                                 const std::string& new_member_id);

  // ---- static members ----
  // The member id of static member `instance_id`, or nullptr.
  const std::string* StaticMemberId(std::string_view instance_id) const;
  size_t num_static_members() const { return static_members_.size(); }

  // ---- KIP-394 pending members (member id handed out, not joined yet) ----
  bool IsPendingMember(std::string_view member_id) const;
  void AddPendingMember(const std::string& member_id);
  void RemovePendingMember(std::string_view member_id);
  size_t num_pending_members() const { return pending_join_members_.size(); }

  // ---- rebalance bookkeeping ----
  size_t num_awaiting_join() const { return num_awaiting_join_; }
  bool HasAllMembersJoined() const {
    return members_.size() == num_awaiting_join_ && pending_join_members_.empty();
  }
  // Members that have not rejoined in this rebalance.
  std::vector<std::string> NotYetRejoinedMembers() const;
  // Keeps the leader if it rejoined, else picks a member that did. Returns
  // false when nobody rejoined (and the group has a leader).
  bool MaybeElectNewJoinedLeader();
  // Largest rebalance timeout of the members (0 without members).
  int32_t RebalanceTimeoutMs() const;

  void AddPendingSyncMember(const std::string& member_id);
  void RemovePendingSyncMember(std::string_view member_id);
  bool HasReceivedSyncFromAllMembers() const { return pending_sync_members_.empty(); }
  const absl::flat_hash_set<std::string>& pending_sync_members() const {
    return pending_sync_members_;
  }
  void ClearPendingSyncMembers() { pending_sync_members_.clear(); }

  bool new_member_added() const { return new_member_added_; }
  void set_new_member_added(bool v) { new_member_added_ = v; }

  // ---- protocols ----
  // Kafka's supportsProtocols: when Empty any non-empty type and protocol
  // list; otherwise the same type and at least one protocol every member has.
  bool SupportsProtocols(std::string_view protocol_type,
                         const std::vector<JoinGroupProtocol>& protocols) const;
  // The protocol the members vote for among those all of them support.
  // REQUIRES: members.
  std::string SelectProtocol() const;
  // Next generation: bumps the id, selects the protocol and moves to
  // CompletingRebalance, or to Empty without members.
  void InitNextGeneration(int64_t now_wall_ms);

  // The JoinGroup response's member list (metadata of the selected protocol).
  std::vector<JoinGroupResponseMember> CurrentMemberList() const;

  // ---- subscriptions (OffsetDelete, offset expiration) ----
  bool UsesConsumerProtocol() const { return protocol_type_ == "consumer"; }
  // Recomputed from the members' "consumer" subscriptions; unknown (nullopt)
  // when the group is not a consumer group or a subscription is malformed.
  void RecomputeSubscribedTopics();
  bool IsSubscribedToTopic(std::string_view topic) const;
  const std::optional<std::set<std::string>>& subscribed_topics() const {
    return subscribed_topics_;
  }

  // An Empty group without a protocol type and without pending members:
  // one that only holds offsets committed outside group management.
  bool IsSimpleGroup() const {
    return !protocol_type_.has_value() && members_.empty() && pending_join_members_.empty();
  }

 private:
  void IncrementProtocols(const Member& m);
  void DecrementProtocols(const Member& m);

  std::string group_id_;
  GroupState state_;
  GroupState previous_state_ = GroupState::kDead;
  std::optional<int64_t> current_state_timestamp_ms_;
  std::optional<std::string> protocol_type_;
  std::optional<std::string> protocol_name_;
  int32_t generation_id_ = 0;
  std::optional<std::string> leader_id_;
  std::map<std::string, Member, std::less<>> members_;
  absl::flat_hash_map<std::string, std::string> static_members_;  // instance id -> member id
  absl::flat_hash_set<std::string> pending_join_members_;
  size_t num_awaiting_join_ = 0;
  absl::flat_hash_map<std::string, int> supported_protocols_;  // name -> members having it
  absl::flat_hash_set<std::string> pending_sync_members_;
  std::optional<std::set<std::string>> subscribed_topics_;
  bool new_member_added_ = false;
};

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_GROUP_H_
