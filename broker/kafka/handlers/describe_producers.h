// DescribeProducers (key 61), v0: the idempotent and transactional producers
// a partition holds state for — producer id and epoch, last sequence and
// timestamp, the open transaction's first offset — answered by the
// partition's leader (elsewhere NOT_LEADER_OR_FOLLOWER; unknown partitions
// UNKNOWN_TOPIC_OR_PARTITION). The coordinator epoch is not tracked: -1.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_PRODUCERS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_PRODUCERS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/describe_producers.h"

namespace gregor::broker {

class DescribeProducersHandler
    : public Handler<kafka::DescribeProducersRequest, kafka::DescribeProducersResponse> {
 public:
  // REQUIRES: `ctx` (with replicas) outlives the handler.
  explicit DescribeProducersHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::DescribeProducersRequest req,
              Reply<kafka::DescribeProducersResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_PRODUCERS_H_
