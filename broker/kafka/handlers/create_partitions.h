// CreatePartitions (key 37), v0-3: raises topics' partition counts through
// the active controller (with an optional explicit assignment of the new
// partitions; validate_only passed through). Unless validate_only or
// timeout_ms <= 0, the answer waits (up to timeout_ms) until this broker's
// image shows the new partitions with leaders.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_CREATE_PARTITIONS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_CREATE_PARTITIONS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/create_partitions.h"

namespace gregor::broker {

class CreatePartitionsHandler
    : public Handler<kafka::CreatePartitionsRequest, kafka::CreatePartitionsResponse> {
 public:
  // REQUIRES: `ctx` outlives the handler and every call it started.
  explicit CreatePartitionsHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::CreatePartitionsRequest req,
              Reply<kafka::CreatePartitionsResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_CREATE_PARTITIONS_H_
