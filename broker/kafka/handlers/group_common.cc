#include "broker/kafka/handlers/group_common.h"

namespace gregor::broker {

std::string KafkaClientHost(std::string_view peer) {
  size_t colon = peer.rfind(':');
  std::string_view ip = colon == std::string_view::npos ? peer : peer.substr(0, colon);
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  return "/" + std::string(ip);
}

group::RequestContext GroupRequestContext(const RequestContext& ctx) {
  group::RequestContext g;
  g.api_version = ctx.api_version();
  g.client_id = ctx.header.client_id.value_or("");
  g.client_host = KafkaClientHost(ctx.conn.peer);
  return g;
}

bool TopicPartitionExists(const metadata::MetadataImage& image, const std::string& topic,
                          int32_t partition) {
  const metadata::TopicImage* t = image.topic(topic);
  return t != nullptr && partition >= 0 && t->partition(PartitionId(partition)) != nullptr;
}

int32_t GroupAuthorizedOperations() {
  // Kafka's AclOperation codes.
  constexpr int kRead = 3, kDelete = 6, kDescribe = 8, kDescribeConfigs = 10, kAlterConfigs = 11;
  return (1 << kRead) | (1 << kDelete) | (1 << kDescribe) | (1 << kDescribeConfigs) |
         (1 << kAlterConfigs);
}

}  // namespace gregor::broker
