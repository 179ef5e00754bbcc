// IncrementalAlterConfigs (key 44), v0-1: set (0), delete (1), append to (2)
// or subtract from (3) single config keys of topics and brokers, through the
// active controller. See alter_configs.h for what is checked where.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_INCREMENTAL_ALTER_CONFIGS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_INCREMENTAL_ALTER_CONFIGS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/incremental_alter_configs.h"

namespace gregor::broker {

class IncrementalAlterConfigsHandler
    : public Handler<kafka::IncrementalAlterConfigsRequest,
                     kafka::IncrementalAlterConfigsResponse> {
 public:
  // REQUIRES: `ctx` outlives the handler and every call it started.
  explicit IncrementalAlterConfigsHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx,
              kafka::IncrementalAlterConfigsRequest req,
              Reply<kafka::IncrementalAlterConfigsResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_INCREMENTAL_ALTER_CONFIGS_H_
