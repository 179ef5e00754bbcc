// DeleteTopics (key 20), v0-6: topics by name, or (v6) by name or topic id,
// forwarded to the active controller. The broker first refuses what Kafka
// refuses before forwarding: deletion disabled (delete.topic.enable=false:
// TOPIC_DELETION_DISABLED, INVALID_REQUEST before v3), an entry with both or
// neither of name and id, an id named twice. Unless timeout_ms <= 0 the
// answer waits (up to timeout_ms) until the deleted topics are gone from
// this broker's metadata image.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_DELETE_TOPICS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_DELETE_TOPICS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/delete_topics.h"

namespace gregor::broker {

class DeleteTopicsHandler
    : public Handler<kafka::DeleteTopicsRequest, kafka::DeleteTopicsResponse> {
 public:
  // REQUIRES: `ctx` outlives the handler and every call it started.
  explicit DeleteTopicsHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::DeleteTopicsRequest req,
              Reply<kafka::DeleteTopicsResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_DELETE_TOPICS_H_
