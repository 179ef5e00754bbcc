// Heartbeat (key 12), v0-4: a classic group member is alive; the error tells it
// to rejoin.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_HEARTBEAT_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_HEARTBEAT_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/heartbeat.h"

namespace gregor::broker {

class HeartbeatHandler : public Handler<kafka::HeartbeatRequest, kafka::HeartbeatResponse> {
 public:
  // `ctx` must outlive the handler; ctx->groups may be null (no coordinator:
  // every group is COORDINATOR_NOT_AVAILABLE).
  explicit HeartbeatHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::HeartbeatRequest req,
              Reply<kafka::HeartbeatResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_HEARTBEAT_H_
