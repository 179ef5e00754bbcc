// Kafka error codes the group coordinator answers with, numbered as in
// Kafka's org.apache.kafka.common.protocol.Errors. Local to the coordinator:
// the gateway copies the number into the wire response as is.
#ifndef GREGOR_BROKER_GROUP_ERRORS_H_
#define GREGOR_BROKER_GROUP_ERRORS_H_

#include <cstdint>
#include <ostream>

#include "absl/status/status.h"

namespace gregor::broker::group {

enum class ErrorCode : int16_t {
  kUnknownServerError = -1,
  kNone = 0,
  kUnknownTopicOrPartition = 3,
  kOffsetMetadataTooLarge = 12,
  kCoordinatorLoadInProgress = 14,
  kCoordinatorNotAvailable = 15,
  kNotCoordinator = 16,
  kIllegalGeneration = 22,
  kInconsistentGroupProtocol = 23,
  kInvalidGroupId = 24,
  kUnknownMemberId = 25,
  kInvalidSessionTimeout = 26,
  kRebalanceInProgress = 27,
  kInvalidRequest = 42,
  kNonEmptyGroup = 68,
  kGroupIdNotFound = 69,
  kMemberIdRequired = 79,
  kGroupMaxSizeReached = 81,
  kFencedInstanceId = 82,
  kGroupSubscribedToTopic = 86,
  kUnstableOffsetCommit = 88,
};

// Kafka's name for the code ("REBALANCE_IN_PROGRESS"), for logs and tests.
const char* ErrorName(ErrorCode code);

inline int16_t ToInt(ErrorCode code) { return static_cast<int16_t>(code); }

inline std::ostream& operator<<(std::ostream& os, ErrorCode code) {
  return os << ErrorName(code) << " (" << ToInt(code) << ")";
}

// How a failed append to __consumer_offsets is reported to clients, as
// Kafka's CoordinatorOperationExceptionHelper maps storage errors:
//   kFailedPrecondition, kAborted (no longer the leader, storage error)
//       -> NOT_COORDINATOR
//   kUnavailable, kDeadlineExceeded, kNotFound (not enough replicas, timeout,
//       partition gone) -> COORDINATOR_NOT_AVAILABLE
//   anything else (e.g. a batch too large) -> UNKNOWN_SERVER_ERROR
ErrorCode AppendErrorToKafkaError(const absl::Status& status);

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_ERRORS_H_
