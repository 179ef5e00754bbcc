// ConsumerGroupDescribe (key 69), v0 (the codec's range): describes KIP-848
// consumer groups. Only classic groups exist here, so every known group is
// GROUP_ID_NOT_FOUND "Group <id> is not a consumer group.", as Kafka 4.1.1
// answers for a classic group (the Java admin client then falls back to
// DescribeGroups).
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_CONSUMER_GROUP_DESCRIBE_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_CONSUMER_GROUP_DESCRIBE_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/consumer_group_describe.h"

namespace gregor::broker {

class ConsumerGroupDescribeHandler : public Handler<kafka::ConsumerGroupDescribeRequest, kafka::ConsumerGroupDescribeResponse> {
 public:
  // `ctx` must outlive the handler; ctx->groups may be null (no coordinator:
  // every group is COORDINATOR_NOT_AVAILABLE).
  explicit ConsumerGroupDescribeHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::ConsumerGroupDescribeRequest req,
              Reply<kafka::ConsumerGroupDescribeResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_CONSUMER_GROUP_DESCRIBE_H_
