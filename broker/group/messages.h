// Request and response structs of the group coordinator's APIs. They mirror
// the fields of Kafka's JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
// OffsetCommit, OffsetFetch, OffsetDelete, DescribeGroups, ListGroups,
// DeleteGroups and ConsumerGroupDescribe messages, without the wire details:
// the gateway translates between the generated codec's types and these,
// filling version-dependent defaults as noted per field.
//
// Nullable wire strings are std::optional. Byte fields are std::string.
#ifndef GREGOR_BROKER_GROUP_MESSAGES_H_
#define GREGOR_BROKER_GROUP_MESSAGES_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "broker/group/errors.h"

namespace gregor::broker::group {

// Who sent a request. `api_version` matters for JoinGroup (v4+: KIP-394
// member ids; v9: skip_assignment), SyncGroup (v5+: protocol type and name
// are mandatory), OffsetCommit (v9+: GROUP_ID_NOT_FOUND instead of
// ILLEGAL_GENERATION) and DescribeGroups (v6+: GROUP_ID_NOT_FOUND).
struct RequestContext {
  int16_t api_version = 0;
  std::string client_id;    // the request header's clientId
  std::string client_host;  // as Kafka prints it: "/" + IP address
};

// ---- JoinGroup (key 11) ----

struct JoinGroupProtocol {
  std::string name;
  std::string metadata;
  friend bool operator==(const JoinGroupProtocol&, const JoinGroupProtocol&) = default;
};

struct JoinGroupRequest {
  std::string group_id;
  int32_t session_timeout_ms = 0;
  // v0 has none: the gateway passes the session timeout, as Kafka does.
  int32_t rebalance_timeout_ms = 0;
  std::string member_id;                         // "" = unknown
  std::optional<std::string> group_instance_id;  // v5+
  std::string protocol_type;
  std::vector<JoinGroupProtocol> protocols;
  std::optional<std::string> reason;  // v8+
};

struct JoinGroupResponseMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string metadata;
  friend bool operator==(const JoinGroupResponseMember&, const JoinGroupResponseMember&) = default;
};

struct JoinGroupResponse {
  ErrorCode error = ErrorCode::kNone;
  int32_t generation_id = -1;
  // Null in errors. Below v7 (not nullable there) the gateway writes "".
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  bool skip_assignment = false;  // v9+
  std::string member_id;
  std::vector<JoinGroupResponseMember> members;  // the leader's only
};

// ---- SyncGroup (key 14) ----

struct SyncGroupAssignment {
  std::string member_id;
  std::string assignment;
};

struct SyncGroupRequest {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+
  std::optional<std::string> protocol_type;      // v5+
  std::optional<std::string> protocol_name;      // v5+
  std::vector<SyncGroupAssignment> assignments;  // the leader's only
};

struct SyncGroupResponse {
  ErrorCode error = ErrorCode::kNone;
  std::optional<std::string> protocol_type;  // v5+
  std::optional<std::string> protocol_name;  // v5+
  std::string assignment;
};

// ---- Heartbeat (key 12) ----

struct HeartbeatRequest {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+
};

struct HeartbeatResponse {
  ErrorCode error = ErrorCode::kNone;
};

// ---- LeaveGroup (key 13) ----

struct LeaveGroupMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::optional<std::string> reason;  // v5+
};

// v0-v2 carry a single member id: the gateway passes it as one member.
struct LeaveGroupRequest {
  std::string group_id;
  std::vector<LeaveGroupMember> members;
};

struct LeaveGroupMemberResponse {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  ErrorCode error = ErrorCode::kNone;
};

struct LeaveGroupResponse {
  ErrorCode error = ErrorCode::kNone;
  std::vector<LeaveGroupMemberResponse> members;  // v3+

  // The single error code of a v0-v2 response: the top-level error, or the
  // first member's error (what Kafka's LeaveGroupResponse does for them).
  ErrorCode LegacyError() const {
    if (error != ErrorCode::kNone) return error;
    for (const auto& m : members) {
      if (m.error != ErrorCode::kNone) return m.error;
    }
    return ErrorCode::kNone;
  }
};

// ---- OffsetCommit (key 8) ----

struct OffsetCommitRequestPartition {
  int32_t partition_index = 0;
  int64_t committed_offset = 0;
  int32_t committed_leader_epoch = -1;  // v6+
  int64_t commit_timestamp_ms = -1;     // v1 only; -1 = now
  std::optional<std::string> committed_metadata;
};

struct OffsetCommitRequestTopic {
  std::string name;
  std::vector<OffsetCommitRequestPartition> partitions;
};

struct OffsetCommitRequest {
  std::string group_id;
  int32_t generation_id_or_member_epoch = -1;  // v1+
  std::string member_id;                       // v1+
  std::optional<std::string> group_instance_id;  // v7+
  int64_t retention_time_ms = -1;  // v2-v4; -1 = the broker's retention
  std::vector<OffsetCommitRequestTopic> topics;
};

struct OffsetCommitResponsePartition {
  int32_t partition_index = 0;
  ErrorCode error = ErrorCode::kNone;
};

struct OffsetCommitResponseTopic {
  std::string name;
  std::vector<OffsetCommitResponsePartition> partitions;
};

struct OffsetCommitResponse {
  std::vector<OffsetCommitResponseTopic> topics;
};

// Every partition of `req` failing with `error`.
inline OffsetCommitResponse MakeOffsetCommitErrorResponse(const OffsetCommitRequest& req,
                                                          ErrorCode error) {
  OffsetCommitResponse r;
  for (const OffsetCommitRequestTopic& t : req.topics) {
    OffsetCommitResponseTopic rt{t.name, {}};
    for (const OffsetCommitRequestPartition& p : t.partitions) {
      rt.partitions.push_back({p.partition_index, error});
    }
    r.topics.push_back(std::move(rt));
  }
  return r;
}

// ---- OffsetFetch (key 9) ----

struct OffsetFetchRequestTopic {
  std::string name;
  std::vector<int32_t> partition_indexes;
};

// One group of the v8+ batched form; v0-v7 carry exactly one (the gateway
// wraps it). `topics` nullopt = all committed partitions (v2+).
struct OffsetFetchRequestGroup {
  std::string group_id;
  std::optional<std::string> member_id;  // v9+
  int32_t member_epoch = -1;             // v9+
  std::optional<std::vector<OffsetFetchRequestTopic>> topics;
};

struct OffsetFetchRequest {
  std::vector<OffsetFetchRequestGroup> groups;
  bool require_stable = false;  // v7+
};

struct OffsetFetchResponsePartition {
  int32_t partition_index = 0;
  int64_t committed_offset = -1;
  int32_t committed_leader_epoch = -1;  // v5+
  std::optional<std::string> metadata = std::string();
  ErrorCode error = ErrorCode::kNone;
};

struct OffsetFetchResponseTopic {
  std::string name;
  std::vector<OffsetFetchResponsePartition> partitions;
};

struct OffsetFetchResponseGroup {
  std::string group_id;
  std::vector<OffsetFetchResponseTopic> topics;
  ErrorCode error = ErrorCode::kNone;  // v2+ (top level below v8)
};

struct OffsetFetchResponse {
  std::vector<OffsetFetchResponseGroup> groups;
};

// ---- OffsetDelete (key 47) ----

struct OffsetDeleteRequestTopic {
  std::string name;
  std::vector<int32_t> partition_indexes;
};

struct OffsetDeleteRequest {
  std::string group_id;
  std::vector<OffsetDeleteRequestTopic> topics;
};

struct OffsetDeleteResponsePartition {
  int32_t partition_index = 0;
  ErrorCode error = ErrorCode::kNone;
};

struct OffsetDeleteResponseTopic {
  std::string name;
  std::vector<OffsetDeleteResponsePartition> partitions;
};

struct OffsetDeleteResponse {
  ErrorCode error = ErrorCode::kNone;
  std::vector<OffsetDeleteResponseTopic> topics;
};

// ---- DescribeGroups (key 15) ----

// Kafka's "authorized operations not requested" value.
inline constexpr int32_t kAuthorizedOperationsOmitted = std::numeric_limits<int32_t>::min();

struct DescribeGroupsRequest {
  std::vector<std::string> groups;
  bool include_authorized_operations = false;  // v3+ (no ACLs yet: ignored)
};

struct DescribedGroupMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v4+
  std::string client_id;
  std::string client_host;
  std::string member_metadata;    // set in Stable only
  std::string member_assignment;
};

struct DescribedGroup {
  ErrorCode error = ErrorCode::kNone;
  std::optional<std::string> error_message;  // v6+
  std::string group_id;
  std::string group_state;  // "Stable", "CompletingRebalance", ... "Dead"
  std::string protocol_type;
  std::string protocol_data;  // the selected protocol, in Stable only
  std::vector<DescribedGroupMember> members;
  int32_t authorized_operations = kAuthorizedOperationsOmitted;  // v3+
};

struct DescribeGroupsResponse {
  std::vector<DescribedGroup> groups;
};

// ---- ListGroups (key 16) ----

struct ListGroupsRequest {
  std::vector<std::string> states_filter;  // v4+; case-insensitive
  std::vector<std::string> types_filter;   // v5+; case-insensitive
};

struct ListedGroup {
  std::string group_id;
  std::string protocol_type;
  std::string group_state;  // v4+
  std::string group_type;   // v5+: "classic"
};

struct ListGroupsResponse {
  ErrorCode error = ErrorCode::kNone;
  std::vector<ListedGroup> groups;
};

// ---- DeleteGroups (key 42) ----

struct DeleteGroupsRequest {
  std::vector<std::string> groups;
};

struct DeletableGroupResult {
  std::string group_id;
  ErrorCode error = ErrorCode::kNone;
};

struct DeleteGroupsResponse {
  std::vector<DeletableGroupResult> results;
};

// ---- ConsumerGroupDescribe (key 69) ----
// Only classic groups exist here, so every group is answered with
// GROUP_ID_NOT_FOUND, as Kafka 4.1.1 answers for a classic group.

struct ConsumerGroupDescribeRequest {
  std::vector<std::string> group_ids;
  bool include_authorized_operations = false;
};

struct ConsumerGroupDescribedGroup {
  ErrorCode error = ErrorCode::kNone;
  std::optional<std::string> error_message;
  std::string group_id;
  std::string group_state;  // "" in errors
  int32_t group_epoch = 0;
  int32_t assignment_epoch = 0;
  std::string assignor_name;
  int32_t authorized_operations = kAuthorizedOperationsOmitted;
};

struct ConsumerGroupDescribeResponse {
  std::vector<ConsumerGroupDescribedGroup> groups;
};

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_MESSAGES_H_
