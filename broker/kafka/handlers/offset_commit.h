// OffsetCommit (key 8), v0-9: stores committed offsets of a group. As Kafka's
// KafkaApis, partitions of topics the metadata does not know get
// UNKNOWN_TOPIC_OR_PARTITION here; the others go to the coordinator. The
// answer keeps the request's order. v0 commits outside group management; v1
// carries per-partition commit timestamps; v2-v4 a retention time.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_OFFSET_COMMIT_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_OFFSET_COMMIT_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/offset_commit.h"

namespace gregor::broker {

class OffsetCommitHandler : public Handler<kafka::OffsetCommitRequest, kafka::OffsetCommitResponse> {
 public:
  // `ctx` must outlive the handler; ctx->groups may be null (no coordinator:
  // every group is COORDINATOR_NOT_AVAILABLE).
  explicit OffsetCommitHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::OffsetCommitRequest req,
              Reply<kafka::OffsetCommitResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_OFFSET_COMMIT_H_
