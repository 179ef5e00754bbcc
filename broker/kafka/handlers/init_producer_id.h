// InitProducerId (key 22) for idempotent producers (no transactional id):
// a new producer id, epoch 0, from blocks the controller allocates. While
// the first block is on its way the answer is COORDINATOR_LOAD_IN_PROGRESS
// and the client retries (Kafka answers the same on a fresh broker).
// Transactional producers get COORDINATOR_NOT_AVAILABLE: the transaction
// coordinator is not implemented yet.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_INIT_PRODUCER_ID_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_INIT_PRODUCER_ID_H_

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/init_producer_id.h"

namespace gregor::broker {

class InitProducerIdHandler
    : public Handler<kafka::InitProducerIdRequest, kafka::InitProducerIdResponse> {
 public:
  explicit InitProducerIdHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& rctx, kafka::InitProducerIdRequest req,
              Reply<kafka::InitProducerIdResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_INIT_PRODUCER_ID_H_
