// LeaveGroup (key 13), v0-5: members leave a classic group. v0-2 carry one
// member id and get one error code (the group's or the member's); v3+ a
// list of members with an error each.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_LEAVE_GROUP_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_LEAVE_GROUP_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/leave_group.h"

namespace gregor::broker {

class LeaveGroupHandler : public Handler<kafka::LeaveGroupRequest, kafka::LeaveGroupResponse> {
 public:
  // `ctx` must outlive the handler; ctx->groups may be null (no coordinator:
  // every group is COORDINATOR_NOT_AVAILABLE).
  explicit LeaveGroupHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::LeaveGroupRequest req,
              Reply<kafka::LeaveGroupResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_LEAVE_GROUP_H_
