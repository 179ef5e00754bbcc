// ListPartitionReassignments (key 46), v0: the partition moves under way,
// from the active controller. topics null lists every reassignment; an empty
// list none. Java's TopicCommand --describe sends it.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_LIST_PARTITION_REASSIGNMENTS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_LIST_PARTITION_REASSIGNMENTS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/list_partition_reassignments.h"

namespace gregor::broker {

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

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_LIST_PARTITION_REASSIGNMENTS_H_
