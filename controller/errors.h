// Kafka error codes as the controller answers them. ControllerService
// responses carry these numbers unchanged (controllerpb::Error.code), so the
// broker's Kafka gateway can hand them to clients as they are. Only the codes
// the controller produces are listed; the numbers are Kafka's.
#ifndef GREGOR_CONTROLLER_ERRORS_H_
#define GREGOR_CONTROLLER_ERRORS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace gregor::controllerpb {
class Error;
}  // namespace gregor::controllerpb

namespace gregor::controller {

enum class KafkaError : int16_t {
  kNone = 0,
  kUnknownServerError = -1,
  kUnknownTopicOrPartition = 3,
  kLeaderNotAvailable = 5,
  kNotLeaderOrFollower = 6,
  kRequestTimedOut = 7,
  kInvalidTopicException = 17,
  kTopicAlreadyExists = 36,
  kInvalidPartitions = 37,
  kInvalidReplicationFactor = 38,
  kInvalidReplicaAssignment = 39,
  kInvalidConfig = 40,
  kNotController = 41,
  kInvalidRequest = 42,
  kPolicyViolation = 44,
  kOperationNotAttempted = 55,
  kReassignmentInProgress = 60,
  kFencedLeaderEpoch = 74,
  kStaleBrokerEpoch = 77,
  kPreferredLeaderNotAvailable = 80,
  kEligibleLeadersNotAvailable = 83,
  kElectionNotNeeded = 84,
  kNoReassignmentInProgress = 85,
  kInvalidUpdateVersion = 95,
  kUnknownTopicId = 100,
  kDuplicateBrokerRegistration = 101,
  kBrokerIdNotRegistered = 102,
  kIneligibleReplica = 107,
  kNewLeaderElected = 108,
};

// Kafka's name for the code, e.g. "INVALID_REPLICATION_FACTOR".
std::string_view KafkaErrorName(KafkaError e);
// Kafka's default message for the code (used when there is no better one).
std::string_view KafkaErrorDefaultMessage(KafkaError e);

// An error code with its message; code kNone means success.
struct ApiError {
  KafkaError code = KafkaError::kNone;
  std::string message;

  static ApiError None() { return {}; }
  bool ok() const { return code == KafkaError::kNone; }
  // Fills a proto Error (the message only when there is an error).
  void ToProto(controllerpb::Error* out) const;
  // "INVALID_CONFIG: Unknown topic config name: foo"
  std::string ToString() const;
};

// An ApiError with the code's default message.
ApiError MakeError(KafkaError code);
ApiError MakeError(KafkaError code, std::string message);

}  // namespace gregor::controller

#endif  // GREGOR_CONTROLLER_ERRORS_H_
