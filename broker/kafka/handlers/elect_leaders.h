// ElectLeaders (key 43), v0-2: preferred (0) or unclean (1) leader elections
// run by the active controller. topic_partitions null means every partition
// (then, as in Kafka, only partitions where something happened or failed are
// listed); an empty list elects nothing. Per-partition results carry the
// controller's codes (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
// ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION, ...).
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_ELECT_LEADERS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_ELECT_LEADERS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/elect_leaders.h"

namespace gregor::broker {

class ElectLeadersHandler
    : public Handler<kafka::ElectLeadersRequest, kafka::ElectLeadersResponse> {
 public:
  // REQUIRES: `ctx` outlives the handler and every call it started.
  explicit ElectLeadersHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::ElectLeadersRequest req,
              Reply<kafka::ElectLeadersResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_ELECT_LEADERS_H_
