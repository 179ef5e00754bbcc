// Helpers shared by the consumer-group handlers (JoinGroup, SyncGroup,
// Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, OffsetDelete,
// DescribeGroups, ListGroups, DeleteGroups, ConsumerGroupDescribe,
// FindCoordinator): who is asking, in the coordinator's terms, and the
// answers shared by all of them.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_GROUP_COMMON_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_GROUP_COMMON_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "broker/group/errors.h"
#include "broker/group/messages.h"
#include "broker/kafka/api_handler.h"
#include "common/metadata/image.h"

namespace gregor::broker {

// The coordinator's view of a request: version, client id, and the client's
// address as Kafka prints it ("/127.0.0.1").
group::RequestContext GroupRequestContext(const RequestContext& ctx);

// "/<ip>" from a connection's "ip:port" peer.
std::string KafkaClientHost(std::string_view peer);

inline int16_t ToWire(group::ErrorCode e) { return static_cast<int16_t>(e); }

// Whether the metadata knows partition `partition` of topic `topic`.
bool TopicPartitionExists(const metadata::MetadataImage& image, const std::string& topic,
                          int32_t partition);

// The operations a client may perform on a group, as DescribeGroups reports
// them when asked (no authorizer: every operation Kafka supports on groups —
// READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS — as a bit field).
int32_t GroupAuthorizedOperations();

// Shares a Reply between callbacks (the coordinator's are copyable).
template <typename Response>
std::shared_ptr<Reply<Response>> SharedReply(Reply<Response> reply) {
  return std::make_shared<Reply<Response>>(std::move(reply));
}

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_GROUP_COMMON_H_
