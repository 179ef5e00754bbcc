// DescribeTopicPartitions (key 75), v0: topics and their partitions (with
// eligible leader replicas, KIP-966: always empty here) in pages of at most
// response_partition_limit partitions (and at most 2000, Kafka's
// max.request.partition.size.limit). Topics are listed in name order; a
// cursor (topic, partition) resumes a listing. An empty topic list means all
// topics (then missing topics are simply not listed); named topics that do
// not exist get UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for
// illegal names). Used by Kafka's TopicCommand --describe.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_TOPIC_PARTITIONS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_TOPIC_PARTITIONS_H_

#include <memory>
#include <string>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "common/metadata/image.h"
#include "proto/kafka/messages/describe_topic_partitions.h"

namespace gregor::broker {

class DescribeTopicPartitionsHandler
    : public Handler<kafka::DescribeTopicPartitionsRequest,
                     kafka::DescribeTopicPartitionsResponse> {
 public:
  // Kafka's max.request.partition.size.limit default.
  static constexpr int32_t kMaxPartitionsPerResponse = 2000;

  // REQUIRES: `ctx` (with replicas) outlives the handler.
  explicit DescribeTopicPartitionsHandler(const BrokerContext* ctx) : ctx_(ctx) {}

  static kafka::DescribeTopicPartitionsResponse Answer(
      const kafka::DescribeTopicPartitionsRequest& req, const metadata::MetadataImage& image,
      const std::string& listener);

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx,
              kafka::DescribeTopicPartitionsRequest req,
              Reply<kafka::DescribeTopicPartitionsResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_TOPIC_PARTITIONS_H_
