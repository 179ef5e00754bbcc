// Kafka's protocol error codes (the int16 ErrorCode fields of responses),
// with their names as Kafka spells them and a default message of our own.
// Codes -1..128 as of the reference schemas (Kafka 4.0); 129-133 were added
// by Kafka 4.0/4.1 KIPs (rebootstrap, Streams groups, share sessions).
//
// Kafka error codes appear only at the gateway edge: the rest of Gregor
// returns absl::Status and the gateway maps it here through one function.
// Thread-safe (constant data).
#ifndef GREGOR_PROTO_KAFKA_ERRORS_H_
#define GREGOR_PROTO_KAFKA_ERRORS_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace gregor::kafka {

// X(code, KAFKA_NAME, CppName, "default message")
#define GREGOR_KAFKA_ERROR_CODES(X)                                                              \
  X(-1, UNKNOWN_SERVER_ERROR, UnknownServerError,                                                \
    "The server hit an unexpected error while processing the request.")                          \
  X(0, NONE, None, "")                                                                           \
  X(1, OFFSET_OUT_OF_RANGE, OffsetOutOfRange,                                                    \
    "The requested offset is outside the range of offsets the server holds.")                    \
  X(2, CORRUPT_MESSAGE, CorruptMessage,                                                          \
    "A record failed its checksum, has an invalid size, a null key on a compacted topic, or is " \
    "otherwise corrupt.")                                                                        \
  X(3, UNKNOWN_TOPIC_OR_PARTITION, UnknownTopicOrPartition,                                      \
    "This server does not host the topic-partition.")                                            \
  X(4, INVALID_FETCH_SIZE, InvalidFetchSize, "The requested fetch size is invalid.")            \
  X(5, LEADER_NOT_AVAILABLE, LeaderNotAvailable,                                                 \
    "The partition has no leader right now; a leader election is in progress.")                  \
  X(6, NOT_LEADER_OR_FOLLOWER, NotLeaderOrFollower,                                              \
    "This broker is not the partition's leader (or, for replica requests, not a replica).")      \
  X(7, REQUEST_TIMED_OUT, RequestTimedOut, "The request timed out.")                             \
  X(8, BROKER_NOT_AVAILABLE, BrokerNotAvailable, "The broker is not available.")                 \
  X(9, REPLICA_NOT_AVAILABLE, ReplicaNotAvailable,                                               \
    "The replica is not available for the requested topic-partition.")                           \
  X(10, MESSAGE_TOO_LARGE, MessageTooLarge,                                                      \
    "The request holds a record batch larger than the server accepts.")                          \
  X(11, STALE_CONTROLLER_EPOCH, StaleControllerEpoch, "The controller has moved.")               \
  X(12, OFFSET_METADATA_TOO_LARGE, OffsetMetadataTooLarge,                                       \
    "The metadata of the committed offset is too large.")                                        \
  X(13, NETWORK_EXCEPTION, NetworkException,                                                     \
    "The connection closed before a response arrived.")                                          \
  X(14, COORDINATOR_LOAD_IN_PROGRESS, CoordinatorLoadInProgress,                                 \
    "The coordinator is still loading its state; retry later.")                                   \
  X(15, COORDINATOR_NOT_AVAILABLE, CoordinatorNotAvailable, "The coordinator is not available.") \
  X(16, NOT_COORDINATOR, NotCoordinator, "This broker is not the coordinator.")                  \
  X(17, INVALID_TOPIC_EXCEPTION, InvalidTopicException,                                          \
    "The request names an invalid topic.")                                                       \
  X(18, RECORD_LIST_TOO_LARGE, RecordListTooLarge,                                               \
    "The record batch is larger than the topic's segment size.")                                 \
  X(19, NOT_ENOUGH_REPLICAS, NotEnoughReplicas,                                                  \
    "Fewer in-sync replicas than required; the records were not written.")                       \
  X(20, NOT_ENOUGH_REPLICAS_AFTER_APPEND, NotEnoughReplicasAfterAppend,                          \
    "The records were written, but to fewer in-sync replicas than required.")                    \
  X(21, INVALID_REQUIRED_ACKS, InvalidRequiredAcks, "The Produce request's acks value is invalid.") \
  X(22, ILLEGAL_GENERATION, IllegalGeneration, "The group generation id is not current.")       \
  X(23, INCONSISTENT_GROUP_PROTOCOL, InconsistentGroupProtocol,                                  \
    "The member's protocols do not match those of the group's other members.")                   \
  X(24, INVALID_GROUP_ID, InvalidGroupId, "The group id is invalid.")                            \
  X(25, UNKNOWN_MEMBER_ID, UnknownMemberId, "The coordinator does not know this member.")        \
  X(26, INVALID_SESSION_TIMEOUT, InvalidSessionTimeout,                                          \
    "The session timeout is outside the broker's allowed range.")                                \
  X(27, REBALANCE_IN_PROGRESS, RebalanceInProgress,                                              \
    "The group is rebalancing; the member must rejoin.")                                         \
  X(28, INVALID_COMMIT_OFFSET_SIZE, InvalidCommitOffsetSize,                                     \
    "The size of the committed offset data is invalid.")                                         \
  X(29, TOPIC_AUTHORIZATION_FAILED, TopicAuthorizationFailed, "Not authorized for the topic.")   \
  X(30, GROUP_AUTHORIZATION_FAILED, GroupAuthorizationFailed, "Not authorized for the group.")   \
  X(31, CLUSTER_AUTHORIZATION_FAILED, ClusterAuthorizationFailed,                                \
    "Not authorized for the cluster operation.")                                                 \
  X(32, INVALID_TIMESTAMP, InvalidTimestamp, "A record timestamp is out of the accepted range.") \
  X(33, UNSUPPORTED_SASL_MECHANISM, UnsupportedSaslMechanism,                                    \
    "The broker does not support this SASL mechanism.")                                          \
  X(34, ILLEGAL_SASL_STATE, IllegalSaslState,                                                    \
    "The request is not valid in the connection's SASL state.")                                  \
  X(35, UNSUPPORTED_VERSION, UnsupportedVersion, "The API version is not supported.")           \
  X(36, TOPIC_ALREADY_EXISTS, TopicAlreadyExists, "A topic with this name already exists.")      \
  X(37, INVALID_PARTITIONS, InvalidPartitions, "The number of partitions is invalid.")          \
  X(38, INVALID_REPLICATION_FACTOR, InvalidReplicationFactor, "The replication factor is invalid.") \
  X(39, INVALID_REPLICA_ASSIGNMENT, InvalidReplicaAssignment, "The replica assignment is invalid.") \
  X(40, INVALID_CONFIG, InvalidConfig, "The configuration is invalid.")                          \
  X(41, NOT_CONTROLLER, NotController, "This is not the cluster's active controller.")           \
  X(42, INVALID_REQUEST, InvalidRequest,                                                         \
    "The request is malformed or not valid for this broker; see the broker log.")               \
  X(43, UNSUPPORTED_FOR_MESSAGE_FORMAT, UnsupportedForMessageFormat,                             \
    "The message format on the broker does not support the request.")                            \
  X(44, POLICY_VIOLATION, PolicyViolation, "The request violates a configured policy.")          \
  X(45, OUT_OF_ORDER_SEQUENCE_NUMBER, OutOfOrderSequenceNumber,                                  \
    "The broker received a producer sequence number out of order.")                              \
  X(46, DUPLICATE_SEQUENCE_NUMBER, DuplicateSequenceNumber,                                      \
    "The broker received a duplicate producer sequence number.")                                 \
  X(47, INVALID_PRODUCER_EPOCH, InvalidProducerEpoch,                                            \
    "The producer's epoch is stale: a newer producer took over or the transaction expired.")     \
  X(48, INVALID_TXN_STATE, InvalidTxnState,                                                      \
    "The transactional operation is not valid in the transaction's current state.")              \
  X(49, INVALID_PRODUCER_ID_MAPPING, InvalidProducerIdMapping,                                   \
    "The producer id is not the one assigned to this transactional id.")                         \
  X(50, INVALID_TRANSACTION_TIMEOUT, InvalidTransactionTimeout,                                  \
    "The transaction timeout exceeds the broker's maximum.")                                     \
  X(51, CONCURRENT_TRANSACTIONS, ConcurrentTransactions,                                         \
    "Another operation on the same transaction is still in progress.")                           \
  X(52, TRANSACTION_COORDINATOR_FENCED, TransactionCoordinatorFenced,                            \
    "The transaction coordinator that sent the markers is no longer current.")                   \
  X(53, TRANSACTIONAL_ID_AUTHORIZATION_FAILED, TransactionalIdAuthorizationFailed,               \
    "Not authorized for the transactional id.")                                                  \
  X(54, SECURITY_DISABLED, SecurityDisabled, "Security features are disabled.")                  \
  X(55, OPERATION_NOT_ATTEMPTED, OperationNotAttempted,                                          \
    "The broker did not try this operation because others in the batch failed.")                 \
  X(56, KAFKA_STORAGE_ERROR, KafkaStorageError, "A disk error occurred while accessing the log.") \
  X(57, LOG_DIR_NOT_FOUND, LogDirNotFound, "The log directory is not configured on the broker.") \
  X(58, SASL_AUTHENTICATION_FAILED, SaslAuthenticationFailed, "SASL authentication failed.")     \
  X(59, UNKNOWN_PRODUCER_ID, UnknownProducerId,                                                  \
    "The broker has no state for this producer id (its records may have been removed).")         \
  X(60, REASSIGNMENT_IN_PROGRESS, ReassignmentInProgress,                                        \
    "A partition reassignment is in progress.")                                                  \
  X(61, DELEGATION_TOKEN_AUTH_DISABLED, DelegationTokenAuthDisabled,                             \
    "Delegation tokens are not enabled.")                                                        \
  X(62, DELEGATION_TOKEN_NOT_FOUND, DelegationTokenNotFound, "The delegation token was not found.") \
  X(63, DELEGATION_TOKEN_OWNER_MISMATCH, DelegationTokenOwnerMismatch,                           \
    "The principal is not the token's owner or renewer.")                                        \
  X(64, DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, DelegationTokenRequestNotAllowed,                  \
    "Delegation token requests are not allowed on this channel.")                                \
  X(65, DELEGATION_TOKEN_AUTHORIZATION_FAILED, DelegationTokenAuthorizationFailed,               \
    "Not authorized for the delegation token.")                                                  \
  X(66, DELEGATION_TOKEN_EXPIRED, DelegationTokenExpired, "The delegation token has expired.")   \
  X(67, INVALID_PRINCIPAL_TYPE, InvalidPrincipalType, "The principal type is not supported.")    \
  X(68, NON_EMPTY_GROUP, NonEmptyGroup, "The group is not empty.")                               \
  X(69, GROUP_ID_NOT_FOUND, GroupIdNotFound, "The group does not exist.")                        \
  X(70, FETCH_SESSION_ID_NOT_FOUND, FetchSessionIdNotFound, "The fetch session was not found.")  \
  X(71, INVALID_FETCH_SESSION_EPOCH, InvalidFetchSessionEpoch,                                   \
    "The fetch session epoch is not the expected one.")                                          \
  X(72, LISTENER_NOT_FOUND, ListenerNotFound,                                                    \
    "The partition leader has no endpoint for the listener the request came in on.")             \
  X(73, TOPIC_DELETION_DISABLED, TopicDeletionDisabled, "Topic deletion is disabled.")           \
  X(74, FENCED_LEADER_EPOCH, FencedLeaderEpoch,                                                  \
    "The request's leader epoch is older than the broker's.")                                    \
  X(75, UNKNOWN_LEADER_EPOCH, UnknownLeaderEpoch,                                                \
    "The request's leader epoch is newer than the broker's.")                                    \
  X(76, UNSUPPORTED_COMPRESSION_TYPE, UnsupportedCompressionType,                                \
    "The requesting client does not support the compression type of the data.")                  \
  X(77, STALE_BROKER_EPOCH, StaleBrokerEpoch, "The broker epoch has changed.")                   \
  X(78, OFFSET_NOT_AVAILABLE, OffsetNotAvailable,                                                \
    "The leader's high watermark has not caught up since the election; retry.")                  \
  X(79, MEMBER_ID_REQUIRED, MemberIdRequired,                                                    \
    "The member must rejoin with the member id the coordinator assigned.")                       \
  X(80, PREFERRED_LEADER_NOT_AVAILABLE, PreferredLeaderNotAvailable,                             \
    "The preferred leader is not available.")                                                    \
  X(81, GROUP_MAX_SIZE_REACHED, GroupMaxSizeReached, "The group has reached its maximum size.")  \
  X(82, FENCED_INSTANCE_ID, FencedInstanceId,                                                    \
    "Another member with the same group instance id has fenced this one.")                       \
  X(83, ELIGIBLE_LEADERS_NOT_AVAILABLE, EligibleLeadersNotAvailable,                             \
    "No replica eligible for leadership is available.")                                          \
  X(84, ELECTION_NOT_NEEDED, ElectionNotNeeded, "No leader election is needed.")                 \
  X(85, NO_REASSIGNMENT_IN_PROGRESS, NoReassignmentInProgress,                                   \
    "No partition reassignment is in progress.")                                                 \
  X(86, GROUP_SUBSCRIBED_TO_TOPIC, GroupSubscribedToTopic,                                       \
    "The group is still subscribed to the topic, so its offsets cannot be deleted.")             \
  X(87, INVALID_RECORD, InvalidRecord, "A record failed the broker's validation.")               \
  X(88, UNSTABLE_OFFSET_COMMIT, UnstableOffsetCommit,                                            \
    "A transactional offset commit for the partition is still pending.")                         \
  X(89, THROTTLING_QUOTA_EXCEEDED, ThrottlingQuotaExceeded, "The throttling quota is exceeded.") \
  X(90, PRODUCER_FENCED, ProducerFenced,                                                         \
    "A newer producer with the same transactional id has fenced this one.")                      \
  X(91, RESOURCE_NOT_FOUND, ResourceNotFound, "The resource does not exist.")                    \
  X(92, DUPLICATE_RESOURCE, DuplicateResource, "The request names a resource more than once.")   \
  X(93, UNACCEPTABLE_CREDENTIAL, UnacceptableCredential, "The credential is not acceptable.")    \
  X(94, INCONSISTENT_VOTER_SET, InconsistentVoterSet,                                            \
    "The voter does not belong to the leader's voter set, or its set differs.")                  \
  X(95, INVALID_UPDATE_VERSION, InvalidUpdateVersion, "The update version is invalid.")          \
  X(96, FEATURE_UPDATE_FAILED, FeatureUpdateFailed, "The feature update could not be applied.")  \
  X(97, PRINCIPAL_DESERIALIZATION_FAILURE, PrincipalDeserializationFailure,                      \
    "The forwarded request's principal could not be deserialized.")                              \
  X(98, SNAPSHOT_NOT_FOUND, SnapshotNotFound, "The requested snapshot was not found.")           \
  X(99, POSITION_OUT_OF_RANGE, PositionOutOfRange,                                               \
    "The requested position is outside the snapshot.")                                           \
  X(100, UNKNOWN_TOPIC_ID, UnknownTopicId, "This server does not host a topic with this id.")    \
  X(101, DUPLICATE_BROKER_REGISTRATION, DuplicateBrokerRegistration,                             \
    "This broker id is already registered.")                                                     \
  X(102, BROKER_ID_NOT_REGISTERED, BrokerIdNotRegistered, "The broker id is not registered.")    \
  X(103, INCONSISTENT_TOPIC_ID, InconsistentTopicId,                                             \
    "The topic id does not match the id the broker has for the topic.")                          \
  X(104, INCONSISTENT_CLUSTER_ID, InconsistentClusterId,                                         \
    "The cluster id does not match the receiver's.")                                             \
  X(105, TRANSACTIONAL_ID_NOT_FOUND, TransactionalIdNotFound,                                    \
    "The transactional id was not found.")                                                       \
  X(106, FETCH_SESSION_TOPIC_ID_ERROR, FetchSessionTopicIdError,                                 \
    "The fetch session mixes topic ids and names, or a topic id changed.")                       \
  X(107, INELIGIBLE_REPLICA, IneligibleReplica,                                                  \
    "The new ISR holds a replica that may not join it.")                                         \
  X(108, NEW_LEADER_ELECTED, NewLeaderElected,                                                   \
    "The ISR change was superseded by a leader election.")                                       \
  X(109, OFFSET_MOVED_TO_TIERED_STORAGE, OffsetMovedToTieredStorage,                             \
    "The requested offset has moved to tiered storage.")                                         \
  X(110, FENCED_MEMBER_EPOCH, FencedMemberEpoch,                                                 \
    "The member's epoch is fenced; it must rejoin with epoch 0.")                                \
  X(111, UNRELEASED_INSTANCE_ID, UnreleasedInstanceId,                                           \
    "The instance id is still held by another member.")                                          \
  X(112, UNSUPPORTED_ASSIGNOR, UnsupportedAssignor,                                              \
    "The group does not support the requested server-side assignor.")                            \
  X(113, STALE_MEMBER_EPOCH, StaleMemberEpoch,                                                   \
    "The member epoch is stale; the member may retry after its next heartbeat.")                 \
  X(114, MISMATCHED_ENDPOINT_TYPE, MismatchedEndpointType,                                       \
    "The requested endpoint type does not match the listener.")                                  \
  X(115, UNSUPPORTED_ENDPOINT_TYPE, UnsupportedEndpointType,                                     \
    "The endpoint type is not supported.")                                                       \
  X(116, UNKNOWN_CONTROLLER_ID, UnknownControllerId, "The controller id is not known.")          \
  X(117, UNKNOWN_SUBSCRIPTION_ID, UnknownSubscriptionId,                                         \
    "The client telemetry subscription id is not known.")                                        \
  X(118, TELEMETRY_TOO_LARGE, TelemetryTooLarge,                                                 \
    "The pushed client telemetry is larger than allowed.")                                       \
  X(119, INVALID_REGISTRATION, InvalidRegistration,                                              \
    "The controller rejected the broker registration.")                                          \
  X(120, TRANSACTION_ABORTABLE, TransactionAbortable,                                            \
    "The server hit an error the producer can recover from by aborting the transaction.")        \
  X(121, INVALID_RECORD_STATE, InvalidRecordState,                                               \
    "The record's delivery state does not allow the acknowledgement.")                           \
  X(122, SHARE_SESSION_NOT_FOUND, ShareSessionNotFound, "The share session was not found.")      \
  X(123, INVALID_SHARE_SESSION_EPOCH, InvalidShareSessionEpoch,                                  \
    "The share session epoch is not the expected one.")                                          \
  X(124, FENCED_STATE_EPOCH, FencedStateEpoch,                                                   \
    "The share-group state epoch does not match the share coordinator's.")                       \
  X(125, INVALID_VOTER_KEY, InvalidVoterKey,                                                     \
    "The voter key does not match the receiving replica's.")                                     \
  X(126, DUPLICATE_VOTER, DuplicateVoter, "The voter is already in the voter set.")              \
  X(127, VOTER_NOT_FOUND, VoterNotFound, "The voter is not in the voter set.")                   \
  X(128, INVALID_REGULAR_EXPRESSION, InvalidRegularExpression,                                   \
    "The regular expression is not valid.")                                                      \
  X(129, REBOOTSTRAP_REQUIRED, RebootstrapRequired,                                              \
    "The client must rebootstrap its metadata from the bootstrap servers.")                      \
  X(130, STREAMS_INVALID_TOPOLOGY, StreamsInvalidTopology,                                       \
    "The Streams application's topology is invalid.")                                            \
  X(131, STREAMS_INVALID_TOPOLOGY_EPOCH, StreamsInvalidTopologyEpoch,                            \
    "The topology differs from the group's topology at the same epoch.")                         \
  X(132, STREAMS_TOPOLOGY_FENCED, StreamsTopologyFenced,                                         \
    "The member's topology epoch is older than the group's.")                                    \
  X(133, SHARE_SESSION_LIMIT_REACHED, ShareSessionLimitReached,                                  \
    "The broker has reached its limit of share sessions.")

enum class ErrorCode : int16_t {
#define GREGOR_KAFKA_ERROR_ENUM_(code, name, cpp, message) k##cpp = code,
  GREGOR_KAFKA_ERROR_CODES(GREGOR_KAFKA_ERROR_ENUM_)
#undef GREGOR_KAFKA_ERROR_ENUM_
};

struct ErrorInfo {
  ErrorCode code;
  std::string_view name;     // as Kafka spells it, e.g. "NOT_LEADER_OR_FOLLOWER"
  std::string_view message;  // our default message ("" for NONE)
};

// Every known code, in ascending order.
extern const ErrorInfo kErrors[];
extern const int kErrorCount;

// The entry for a wire value, or nullptr when the code is not known.
const ErrorInfo* FindError(int16_t code);
// The name / default message; "UNKNOWN_ERROR_CODE" / "" for unknown codes.
std::string_view ErrorName(ErrorCode code);
std::string_view ErrorMessage(ErrorCode code);
// The wire value.
constexpr int16_t ToWire(ErrorCode code) { return static_cast<int16_t>(code); }

}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_ERRORS_H_
