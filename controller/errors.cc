#include "controller/errors.h"

#include "absl/strings/str_cat.h"
#include "proto/controller.pb.h"

namespace gregor::controller {

std::string_view KafkaErrorName(KafkaError e) {
  switch (e) {
    case KafkaError::kNone: return "NONE";
    case KafkaError::kUnknownServerError: return "UNKNOWN_SERVER_ERROR";
    case KafkaError::kUnknownTopicOrPartition: return "UNKNOWN_TOPIC_OR_PARTITION";
    case KafkaError::kLeaderNotAvailable: return "LEADER_NOT_AVAILABLE";
    case KafkaError::kNotLeaderOrFollower: return "NOT_LEADER_OR_FOLLOWER";
    case KafkaError::kRequestTimedOut: return "REQUEST_TIMED_OUT";
    case KafkaError::kInvalidTopicException: return "INVALID_TOPIC_EXCEPTION";
    case KafkaError::kTopicAlreadyExists: return "TOPIC_ALREADY_EXISTS";
    case KafkaError::kInvalidPartitions: return "INVALID_PARTITIONS";
    case KafkaError::kInvalidReplicationFactor: return "INVALID_REPLICATION_FACTOR";
    case KafkaError::kInvalidReplicaAssignment: return "INVALID_REPLICA_ASSIGNMENT";
    case KafkaError::kInvalidConfig: return "INVALID_CONFIG";
    case KafkaError::kNotController: return "NOT_CONTROLLER";
    case KafkaError::kInvalidRequest: return "INVALID_REQUEST";
    case KafkaError::kPolicyViolation: return "POLICY_VIOLATION";
    case KafkaError::kOperationNotAttempted: return "OPERATION_NOT_ATTEMPTED";
    case KafkaError::kReassignmentInProgress: return "REASSIGNMENT_IN_PROGRESS";
    case KafkaError::kFencedLeaderEpoch: return "FENCED_LEADER_EPOCH";
    case KafkaError::kStaleBrokerEpoch: return "STALE_BROKER_EPOCH";
    case KafkaError::kPreferredLeaderNotAvailable: return "PREFERRED_LEADER_NOT_AVAILABLE";
    case KafkaError::kEligibleLeadersNotAvailable: return "ELIGIBLE_LEADERS_NOT_AVAILABLE";
    case KafkaError::kElectionNotNeeded: return "ELECTION_NOT_NEEDED";
    case KafkaError::kNoReassignmentInProgress: return "NO_REASSIGNMENT_IN_PROGRESS";
    case KafkaError::kInvalidUpdateVersion: return "INVALID_UPDATE_VERSION";
    case KafkaError::kUnknownTopicId: return "UNKNOWN_TOPIC_ID";
    case KafkaError::kDuplicateBrokerRegistration: return "DUPLICATE_BROKER_REGISTRATION";
    case KafkaError::kBrokerIdNotRegistered: return "BROKER_ID_NOT_REGISTERED";
    case KafkaError::kIneligibleReplica: return "INELIGIBLE_REPLICA";
    case KafkaError::kNewLeaderElected: return "NEW_LEADER_ELECTED";
  }
  return "UNKNOWN";
}

std::string_view KafkaErrorDefaultMessage(KafkaError e) {
  switch (e) {
    case KafkaError::kNone: return "";
    case KafkaError::kUnknownServerError:
      return "The server experienced an unexpected error when processing the request.";
    case KafkaError::kUnknownTopicOrPartition: return "This server does not host this topic-partition.";
    case KafkaError::kLeaderNotAvailable:
      return "There is no leader for this topic-partition as we are in the middle of a leadership election.";
    case KafkaError::kNotLeaderOrFollower:
      return "For requests intended only for the leader, this error indicates that the broker is not the current leader.";
    case KafkaError::kRequestTimedOut: return "The request timed out.";
    case KafkaError::kInvalidTopicException:
      return "The request attempted to perform an operation on an invalid topic.";
    case KafkaError::kTopicAlreadyExists: return "Topic with this name already exists.";
    case KafkaError::kInvalidPartitions: return "Number of partitions is below 1.";
    case KafkaError::kInvalidReplicationFactor:
      return "Replication factor is below 1 or larger than the number of available brokers.";
    case KafkaError::kInvalidReplicaAssignment: return "Replica assignment is invalid.";
    case KafkaError::kInvalidConfig: return "Configuration is invalid.";
    case KafkaError::kNotController: return "This is not the correct controller for this cluster.";
    case KafkaError::kInvalidRequest:
      return "This most likely occurs because of a request being malformed by the client library or "
             "the message was sent to an incompatible broker. See the broker logs for more details.";
    case KafkaError::kPolicyViolation: return "Request parameters do not satisfy the configured policy.";
    case KafkaError::kOperationNotAttempted:
      return "The broker did not attempt to execute this operation. This may happen for batched RPCs "
             "where some operations in the batch failed, causing the broker to respond without trying "
             "the rest.";
    case KafkaError::kReassignmentInProgress:
      return "A partition reassignment is in progress.";
    case KafkaError::kFencedLeaderEpoch:
      return "The leader epoch in the request is older than the epoch on the broker.";
    case KafkaError::kStaleBrokerEpoch: return "Broker epoch has changed.";
    case KafkaError::kPreferredLeaderNotAvailable:
      return "The preferred leader was not available.";
    case KafkaError::kEligibleLeadersNotAvailable:
      return "Eligible topic partition leaders are not available.";
    case KafkaError::kElectionNotNeeded: return "Leader election not needed for topic partition.";
    case KafkaError::kNoReassignmentInProgress: return "No partition reassignment is in progress.";
    case KafkaError::kInvalidUpdateVersion: return "The given update version was invalid.";
    case KafkaError::kUnknownTopicId: return "This server does not host this topic ID.";
    case KafkaError::kDuplicateBrokerRegistration:
      return "This broker ID is already in use.";
    case KafkaError::kBrokerIdNotRegistered: return "The given broker ID was not registered.";
    case KafkaError::kIneligibleReplica:
      return "The new ISR contains at least one ineligible replica.";
    case KafkaError::kNewLeaderElected:
      return "The AlterPartition request successfully updated the partition state but the leader has changed.";
  }
  return "";
}

void ApiError::ToProto(controllerpb::Error* out) const {
  out->set_code(static_cast<int32_t>(code));
  if (ok()) {
    out->clear_message();
  } else {
    out->set_message(message);
  }
}

std::string ApiError::ToString() const {
  if (ok()) return "NONE";
  return absl::StrCat(std::string(KafkaErrorName(code)), ": ", message);
}

ApiError MakeError(KafkaError code) { return {code, std::string(KafkaErrorDefaultMessage(code))}; }
ApiError MakeError(KafkaError code, std::string message) { return {code, std::move(message)}; }

}  // namespace gregor::controller
