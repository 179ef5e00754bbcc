// DescribeGroups (key 15), v0-5 (the codec's range; Kafka 4.1 has v6): state,
// protocol and members of classic groups.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_GROUPS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_GROUPS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/describe_groups.h"

namespace gregor::broker {

class DescribeGroupsHandler : public Handler<kafka::DescribeGroupsRequest, kafka::DescribeGroupsResponse> {
 public:
  // `ctx` must outlive the handler; ctx->groups may be null (no coordinator:
  // every group is COORDINATOR_NOT_AVAILABLE).
  explicit DescribeGroupsHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::DescribeGroupsRequest req,
              Reply<kafka::DescribeGroupsResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_GROUPS_H_
