// ListGroups (key 16), v0-5: the groups this broker coordinates (clients ask
// every broker), filtered by state (v4+) and type (v5+).
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_LIST_GROUPS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_LIST_GROUPS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/list_groups.h"

namespace gregor::broker {

class ListGroupsHandler : public Handler<kafka::ListGroupsRequest, kafka::ListGroupsResponse> {
 public:
  // `ctx` must outlive the handler; ctx->groups may be null (no coordinator:
  // every group is COORDINATOR_NOT_AVAILABLE).
  explicit ListGroupsHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::ListGroupsRequest req,
              Reply<kafka::ListGroupsResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_LIST_GROUPS_H_
