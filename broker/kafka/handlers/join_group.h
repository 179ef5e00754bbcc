// JoinGroup (key 11), v0-9: joins a classic consumer group (KIP-394 member ids from
// v4, static membership from v5). v0 has no rebalance timeout: the session
// timeout is used, as Kafka does. Below v7 a null protocol name is sent as "".
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_JOIN_GROUP_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_JOIN_GROUP_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/join_group.h"

namespace gregor::broker {

class JoinGroupHandler : public Handler<kafka::JoinGroupRequest, kafka::JoinGroupResponse> {
 public:
  // `ctx` must outlive the handler; ctx->groups may be null (no coordinator:
  // every group is COORDINATOR_NOT_AVAILABLE).
  explicit JoinGroupHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::JoinGroupRequest req,
              Reply<kafka::JoinGroupResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_JOIN_GROUP_H_
