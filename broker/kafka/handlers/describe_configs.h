// DescribeConfigs (key 32), v0-4: the configs of topics (resource type 2)
// and of this broker (4: its id for every broker config, "" for the
// cluster-wide dynamic defaults), with values, sources, read-only and
// sensitive flags, synonyms when asked (v1+), types (v3+) and descriptions
// when asked (v3+). See config_catalog.h for where values come from.
// configuration_keys null means all; names that are not configs are left
// out, as Kafka does. A topic that does not exist is
// UNKNOWN_TOPIC_OR_PARTITION, an illegal name INVALID_TOPIC_EXCEPTION;
// another broker's id or another resource type INVALID_REQUEST.
// Answered on the event loop from this broker's image.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_CONFIGS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_CONFIGS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/describe_configs.h"

namespace gregor::broker {

class DescribeConfigsHandler
    : public Handler<kafka::DescribeConfigsRequest, kafka::DescribeConfigsResponse> {
 public:
  // REQUIRES: `ctx` (with config and replicas) outlives the handler.
  explicit DescribeConfigsHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::DescribeConfigsRequest req,
              Reply<kafka::DescribeConfigsResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_CONFIGS_H_
