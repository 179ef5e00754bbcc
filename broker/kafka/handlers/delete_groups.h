// DeleteGroups (key 42), v0-2: deletes empty groups and their offsets.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_DELETE_GROUPS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_DELETE_GROUPS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/delete_groups.h"

namespace gregor::broker {

class DeleteGroupsHandler : public Handler<kafka::DeleteGroupsRequest, kafka::DeleteGroupsResponse> {
 public:
  // `ctx` must outlive the handler; ctx->groups may be null (no coordinator:
  // every group is COORDINATOR_NOT_AVAILABLE).
  explicit DeleteGroupsHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::DeleteGroupsRequest req,
              Reply<kafka::DeleteGroupsResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_DELETE_GROUPS_H_
