// ListOffsets (key 2): earliest (-2), latest (-1: the high watermark, or the
// last stable offset for read_committed), max timestamp (-3, v7+), earliest
// local (-4, v8+; = earliest, no tiered storage), latest tiered (-5, v9+;
// none: -1), or the first offset with a timestamp at or after a given one.
// Versions 1-10 (Kafka 4 dropped v0).
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_LIST_OFFSETS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_LIST_OFFSETS_H_

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/list_offsets.h"

namespace gregor::broker {

class ListOffsetsHandler : public Handler<kafka::ListOffsetsRequest, kafka::ListOffsetsResponse> {
 public:
  explicit ListOffsetsHandler(BrokerContext* ctx) : ctx_(ctx) {}
  int16_t min_version() const override { return 1; }

 protected:
  void Handle(const std::shared_ptr<RequestContext>& rctx, kafka::ListOffsetsRequest req,
              Reply<kafka::ListOffsetsResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_LIST_OFFSETS_H_
