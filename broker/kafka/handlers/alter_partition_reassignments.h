// AlterPartitionReassignments (key 45), v0: start or cancel (replicas null)
// moves of partitions to other brokers, run by the active controller, which
// answers per partition (UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT,
// NO_REASSIGNMENT_IN_PROGRESS, ...).
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_ALTER_PARTITION_REASSIGNMENTS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_ALTER_PARTITION_REASSIGNMENTS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/alter_partition_reassignments.h"

namespace gregor::broker {

class AlterPartitionReassignmentsHandler
    : public Handler<kafka::AlterPartitionReassignmentsRequest,
                     kafka::AlterPartitionReassignmentsResponse> {
 public:
  // REQUIRES: `ctx` outlives the handler and every call it started.
  explicit AlterPartitionReassignmentsHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx,
              kafka::AlterPartitionReassignmentsRequest req,
              Reply<kafka::AlterPartitionReassignmentsResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_ALTER_PARTITION_REASSIGNMENTS_H_
