// OffsetFetch (key 9), v0-9: committed offsets of one group (v0-v7) or of
// several (v8+, answered in request order). A group error is the top-level
// error from v2; v0-v1 have none, so it is copied to every partition asked.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_OFFSET_FETCH_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_OFFSET_FETCH_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/offset_fetch.h"

namespace gregor::broker {

class OffsetFetchHandler : public Handler<kafka::OffsetFetchRequest, kafka::OffsetFetchResponse> {
 public:
  // `ctx` must outlive the handler; ctx->groups may be null (no coordinator:
  // every group is COORDINATOR_NOT_AVAILABLE).
  explicit OffsetFetchHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::OffsetFetchRequest req,
              Reply<kafka::OffsetFetchResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_OFFSET_FETCH_H_
