// The records the group coordinator writes to __consumer_offsets, in Kafka's
// own format (docs/formats/consumer_offsets.md): keys OffsetCommitKey (v1) and
// GroupMetadataKey (v2), values OffsetCommitValue (v1/v3) and
// GroupMetadataValue (v3); tombstones have no value. Decoders read every
// version Kafka has written (values v0-v4) and skip unknown tagged fields.
//
// Pure functions; thread-compatible.
#ifndef GREGOR_BROKER_GROUP_RECORDS_H_
#define GREGOR_BROKER_GROUP_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace gregor::broker::group {

// Longest string a non-flexible Kafka string (int16 length) can hold.
inline constexpr size_t kMaxRecordStringBytes = 32767;

// One record of __consumer_offsets: encoded key, and encoded value or
// nullopt for a tombstone.
struct CoordinatorRecord {
  std::string key;
  std::optional<std::string> value;

  friend bool operator==(const CoordinatorRecord&, const CoordinatorRecord&) = default;
};

struct OffsetCommitKey {
  std::string group;
  std::string topic;
  int32_t partition = 0;
  friend bool operator==(const OffsetCommitKey&, const OffsetCommitKey&) = default;
};

struct GroupMetadataKey {
  std::string group;
  friend bool operator==(const GroupMetadataKey&, const GroupMetadataKey&) = default;
};

// A key of a record type the classic coordinator does not know (KIP-848
// consumer groups, share groups, ...): only its version is kept.
struct UnknownKey {
  int16_t version = 0;
};

using DecodedKey = std::variant<OffsetCommitKey, GroupMetadataKey, UnknownKey>;

struct OffsetCommitValue {
  int64_t offset = 0;
  int32_t leader_epoch = -1;  // v3+
  std::string metadata;
  int64_t commit_timestamp_ms = 0;
  int64_t expire_timestamp_ms = -1;  // v1 only
  friend bool operator==(const OffsetCommitValue&, const OffsetCommitValue&) = default;
};

struct GroupMemberMetadata {
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = -1;  // v1+; -1 when absent
  int32_t session_timeout_ms = 0;
  std::string subscription;
  std::string assignment;
  friend bool operator==(const GroupMemberMetadata&, const GroupMemberMetadata&) = default;
};

struct GroupMetadataValue {
  std::string protocol_type;
  int32_t generation = 0;
  std::optional<std::string> protocol;
  std::optional<std::string> leader;
  int64_t current_state_timestamp_ms = -1;  // v2+
  std::vector<GroupMemberMetadata> members;
  friend bool operator==(const GroupMetadataValue&, const GroupMetadataValue&) = default;
};

// Versions written, as Kafka 4 writes them.
inline constexpr int16_t kOffsetCommitKeyVersion = 1;
inline constexpr int16_t kGroupMetadataKeyVersion = 2;
inline constexpr int16_t kGroupMetadataValueVersion = 3;
// OffsetCommitValue: 1 when an expire timestamp is set, else 3.
int16_t OffsetCommitValueVersionFor(const OffsetCommitValue& value);

// Encoders. Fail (kInvalidArgument) when a string does not fit the version's
// encoding (over kMaxRecordStringBytes for non-flexible versions) or the
// version is not one Kafka defines.
absl::StatusOr<std::string> EncodeOffsetCommitKey(const OffsetCommitKey& key);
absl::StatusOr<std::string> EncodeGroupMetadataKey(const GroupMetadataKey& key);
absl::StatusOr<std::string> EncodeOffsetCommitValue(const OffsetCommitValue& value,
                                                    int16_t version);
absl::StatusOr<std::string> EncodeGroupMetadataValue(const GroupMetadataValue& value,
                                                     int16_t version);

// Decoders. Fail (kDataLoss) on truncated or malformed bytes, trailing bytes,
// or a value version outside 0-4.
absl::StatusOr<DecodedKey> DecodeKey(std::string_view bytes);
absl::StatusOr<OffsetCommitValue> DecodeOffsetCommitValue(std::string_view bytes);
absl::StatusOr<GroupMetadataValue> DecodeGroupMetadataValue(std::string_view bytes);

// Whole records, with the versions above.
absl::StatusOr<CoordinatorRecord> MakeOffsetCommitRecord(const OffsetCommitKey& key,
                                                         const OffsetCommitValue& value);
absl::StatusOr<CoordinatorRecord> MakeOffsetCommitTombstone(const OffsetCommitKey& key);
absl::StatusOr<CoordinatorRecord> MakeGroupMetadataRecord(const std::string& group,
                                                          const GroupMetadataValue& value);
absl::StatusOr<CoordinatorRecord> MakeGroupMetadataTombstone(const std::string& group);

// The topics listed in a "consumer" protocol subscription
// (ConsumerProtocolSubscription: int16 version, then []string topics; every
// version starts with this prefix). Fails on malformed bytes.
absl::StatusOr<std::vector<std::string>> ParseConsumerSubscriptionTopics(std::string_view bytes);

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_RECORDS_H_
