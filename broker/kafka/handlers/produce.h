// Produce (key 0): validates each partition's record batches, appends them
// in place to the partition leaders here, and answers according to acks:
// 0 — no answer (the connection is closed on an error, as Kafka does);
// 1 — once the leader appended; -1 — once the high watermark passed the
// batch on every partition (it parks in the produce purgatory meanwhile) or
// timeout_ms expired (REQUEST_TIMED_OUT).
//
// Versions 3-11: v3 is the first with RecordBatch v2, the only format Gregor
// stores (Kafka 4 also refuses v0-v2).
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_PRODUCE_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_PRODUCE_H_

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/produce.h"

namespace gregor::broker {

class ProduceHandler : public Handler<kafka::ProduceRequest, kafka::ProduceResponse> {
 public:
  explicit ProduceHandler(BrokerContext* ctx) : ctx_(ctx) {}
  int16_t min_version() const override { return 3; }

 protected:
  void Handle(const std::shared_ptr<RequestContext>& rctx, kafka::ProduceRequest req,
              Reply<kafka::ProduceResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_PRODUCE_H_
