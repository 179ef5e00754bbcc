// DeleteRecords (key 21), v0-2: moves partitions' log start offsets forward
// on their leaders (this broker must lead the partition; else
// NOT_LEADER_OR_FOLLOWER). Offset -1 means the high watermark; an offset
// beyond it, or negative, is OFFSET_OUT_OF_RANGE; a topic without
// cleanup.policy=delete is POLICY_VIOLATION, as in Kafka. The answer's low
// watermark is the leader's new log start offset.
//
// Differs from Kafka: Kafka answers once every replica's log start offset
// has moved (followers learn it on their next fetch) or timeout_ms passes;
// here the leader's own is reported at once.
//
// Segment deletion is file I/O, so the work runs on the blocking pool.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_DELETE_RECORDS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_DELETE_RECORDS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/delete_records.h"

namespace gregor::broker {

class DeleteRecordsHandler
    : public Handler<kafka::DeleteRecordsRequest, kafka::DeleteRecordsResponse> {
 public:
  // REQUIRES: `ctx` (with replicas) outlives the handler and its work.
  explicit DeleteRecordsHandler(const BrokerContext* ctx) : ctx_(ctx) {}

  // Deletes records up to (not including) `offset` of one partition; returns
  // the error code and the new low watermark (-1 on error).
  static std::pair<int16_t, int64_t> DeleteUpTo(const BrokerContext& ctx,
                                                const std::string& topic, int32_t partition,
                                                int64_t offset);

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::DeleteRecordsRequest req,
              Reply<kafka::DeleteRecordsResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_DELETE_RECORDS_H_
