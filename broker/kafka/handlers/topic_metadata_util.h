// How the cluster looks to a client connected on one listener, computed from
// the metadata image the way Kafka's KRaft metadata cache does it:
//   - brokers: the unfenced brokers that have an endpoint on that listener,
//     with that endpoint's host and port;
//   - a partition's leader only when it is registered and has the listener;
//     offline replicas are those whose broker is gone, fenced or lacks the
//     listener;
//   - the "controller" clients send admin requests to: a live broker (the
//     controllers are not brokers; any broker forwards to them).
// Used by Metadata, DescribeCluster and DescribeTopicPartitions.
//
// Pure functions over an immutable image; thread-safe.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_TOPIC_METADATA_UTIL_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_TOPIC_METADATA_UTIL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/metadata/image.h"
#include "common/strong_int.h"

namespace gregor::broker {

struct BrokerNode {
  int32_t id = -1;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;  // nullopt: no rack
  bool fenced = false;
};

// The brokers with an endpoint named `listener`, by id: unfenced ones only,
// or fenced ones too when `include_fenced`.
std::vector<BrokerNode> BrokersOnListener(const metadata::MetadataImage& image,
                                          const std::string& listener, bool include_fenced = false);

// The id clients should treat as the controller: `self` when it is an
// unfenced broker reachable on `listener`, else the lowest such broker id,
// else -1.
int32_t ControllerIdFor(const metadata::MetadataImage& image, const std::string& listener,
                        BrokerId self);

struct PartitionView {
  int16_t error_code = 0;
  int32_t leader_id = -1;
  int32_t leader_epoch = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  std::vector<int32_t> offline_replicas;
};

struct PartitionViewOptions {
  // Metadata v0: list only replicas that are alive on the listener, and
  // report REPLICA_NOT_AVAILABLE when some are not.
  bool filter_unavailable_replicas = false;
  // Metadata v6+: a live leader without the listener is LISTENER_NOT_FOUND
  // (else LEADER_NOT_AVAILABLE).
  bool error_unavailable_listeners = false;
  // DescribeTopicPartitions reports no per-partition errors.
  bool report_errors = true;
};

PartitionView ViewPartition(const metadata::MetadataImage& image,
                            const metadata::PartitionRegistration& partition,
                            const std::string& listener, const PartitionViewOptions& options);

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_TOPIC_METADATA_UTIL_H_
