// Small types shared by the metadata image, the controller and the brokers:
// metadata offsets and broker epochs, the "no leader" id, config resource
// keys, and conversions between common/uuid.h and the proto Uuid.
//
// Namespace note: the metadata records (proto/metadata.proto, package
// gregor.metadata) live in this same namespace, so inside gregor::metadata an
// unqualified `Uuid` is the proto message; the 16-byte value type is
// `gregor::Uuid`.
#ifndef GREGOR_COMMON_METADATA_TYPES_H_
#define GREGOR_COMMON_METADATA_TYPES_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "common/strong_int.h"
#include "common/uuid.h"
#include "proto/metadata.pb.h"

namespace gregor::metadata {

// Position of a committed batch in the metadata log (the Raft log index of
// the entry that carries it). Every record of one batch has the batch's
// offset. 0 means "nothing applied yet".
using MetadataOffset = StrongInt<struct MetadataOffsetTag, int64_t>;

// A broker's registration epoch: the offset of its RegisterBrokerRecord.
using BrokerEpoch = StrongInt<struct BrokerEpochTag, int64_t>;

// Leader id of a partition without a leader.
inline constexpr BrokerId kNoLeader{-1};

// Producer ids are handed out in blocks of this size (Kafka's block size).
inline constexpr int64_t kProducerIdBlockSize = 1000;

gregor::Uuid UuidFromProto(const metadata::Uuid& u);
metadata::Uuid UuidToProto(gregor::Uuid u);
void UuidToProto(gregor::Uuid u, metadata::Uuid* out);

// Identifies a config resource: (TOPIC, topic name) or (BROKER, broker id as
// a decimal string, or "" for the cluster-wide default).
struct ConfigResource {
  ConfigResourceType type = CONFIG_RESOURCE_UNKNOWN;
  std::string name;

  friend bool operator==(const ConfigResource&, const ConfigResource&) = default;
  friend bool operator<(const ConfigResource& a, const ConfigResource& b) {
    return std::tie(a.type, a.name) < std::tie(b.type, b.name);
  }
  template <typename H>
  friend H AbslHashValue(H h, const ConfigResource& r) {
    return H::combine(std::move(h), static_cast<int>(r.type), r.name);
  }
};

// Broker-id list helpers for repeated int32 proto fields.
std::vector<BrokerId> ToBrokerIds(const google::protobuf::RepeatedField<int32_t>& ids);
void ToProtoIds(const std::vector<BrokerId>& ids, google::protobuf::RepeatedField<int32_t>* out);
// "[1, 2, 3]" for logs and error messages.
std::string BrokerIdsString(const std::vector<BrokerId>& ids);

}  // namespace gregor::metadata

#endif  // GREGOR_COMMON_METADATA_TYPES_H_
