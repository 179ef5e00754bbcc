// CreateTopics (key 19), v0-7: forwarded to the active controller (which
// validates names, counts, assignments and configs and answers with Kafka's
// error codes and messages, per topic). validate_only is passed through.
// Unless validate_only or timeout_ms <= 0, the answer waits — on the
// blocking pool, up to timeout_ms — until the created topics and their
// leaders are in this broker's metadata image, so a client that produces at
// once finds them. v5+ answers carry the topic's partition count,
// replication factor and configs (with their sources); v7 its topic id.
// No controller answering in time: REQUEST_TIMED_OUT for every topic.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_CREATE_TOPICS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_CREATE_TOPICS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/create_topics.h"

namespace gregor::broker {

class CreateTopicsHandler
    : public Handler<kafka::CreateTopicsRequest, kafka::CreateTopicsResponse> {
 public:
  // REQUIRES: `ctx` outlives the handler and every call it started.
  explicit CreateTopicsHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::CreateTopicsRequest req,
              Reply<kafka::CreateTopicsResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_CREATE_TOPICS_H_
