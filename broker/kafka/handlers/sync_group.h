// SyncGroup (key 14), v0-5: the leader hands out assignments; every member
// waits for its own (v5: protocol type and name repeated).
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_SYNC_GROUP_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_SYNC_GROUP_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/sync_group.h"

namespace gregor::broker {

class SyncGroupHandler : public Handler<kafka::SyncGroupRequest, kafka::SyncGroupResponse> {
 public:
  // `ctx` must outlive the handler; ctx->groups may be null (no coordinator:
  // every group is COORDINATOR_NOT_AVAILABLE).
  explicit SyncGroupHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::SyncGroupRequest req,
              Reply<kafka::SyncGroupResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_SYNC_GROUP_H_
