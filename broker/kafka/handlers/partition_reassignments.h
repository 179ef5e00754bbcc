// AlterPartitionReassignments (key 45) and ListPartitionReassignments
// (key 46), v0: start or cancel (replicas null) moves of partitions to other
// brokers, and list the moves under way — both run by the active controller.
// A list request with topics null lists every reassignment; an empty list
// none. Java's TopicCommand --describe sends ListPartitionReassignments v0.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_PARTITION_REASSIGNMENTS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_PARTITION_REASSIGNMENTS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/alter_partition_reassignments.h"
#include "proto/kafka/messages/list_partition_reassignments.h"

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

class ListPartitionReassignmentsHandler
    : public Handler<kafka::ListPartitionReassignmentsRequest,
                     kafka::ListPartitionReassignmentsResponse> {
 public:
  // REQUIRES: `ctx` outlives the handler and every call it started.
  explicit ListPartitionReassignmentsHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx,
              kafka::ListPartitionReassignmentsRequest req,
              Reply<kafka::ListPartitionReassignmentsResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_PARTITION_REASSIGNMENTS_H_
