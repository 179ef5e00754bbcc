// OffsetForLeaderEpoch (key 23): the end offset of a leader epoch on this
// partition's leader (KIP-101/KIP-279), which consumers use to detect log
// truncation after a leader change (KIP-320).
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_OFFSET_FOR_LEADER_EPOCH_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_OFFSET_FOR_LEADER_EPOCH_H_

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/offset_for_leader_epoch.h"

namespace gregor::broker {

class OffsetForLeaderEpochHandler
    : public Handler<kafka::OffsetForLeaderEpochRequest, kafka::OffsetForLeaderEpochResponse> {
 public:
  explicit OffsetForLeaderEpochHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& rctx, kafka::OffsetForLeaderEpochRequest req,
              Reply<kafka::OffsetForLeaderEpochResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_OFFSET_FOR_LEADER_EPOCH_H_
