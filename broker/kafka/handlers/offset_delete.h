// OffsetDelete (key 47), v0: deletes committed offsets of a group. Partitions of
// unknown topics get UNKNOWN_TOPIC_OR_PARTITION here, as Kafka's KafkaApis.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_OFFSET_DELETE_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_OFFSET_DELETE_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/offset_delete.h"

namespace gregor::broker {

class OffsetDeleteHandler : public Handler<kafka::OffsetDeleteRequest, kafka::OffsetDeleteResponse> {
 public:
  // `ctx` must outlive the handler; ctx->groups may be null (no coordinator:
  // every group is COORDINATOR_NOT_AVAILABLE).
  explicit OffsetDeleteHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::OffsetDeleteRequest req,
              Reply<kafka::OffsetDeleteResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_OFFSET_DELETE_H_
