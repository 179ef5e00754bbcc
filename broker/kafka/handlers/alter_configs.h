// AlterConfigs (key 33), v0-2 (and, with incremental_alter_configs.h,
// IncrementalAlterConfigs): change the dynamic configs of topics (resource type 2) and brokers (4: a
// broker id, or "" for the cluster-wide default), forwarded to the active
// controller, which validates keys and values (unknown names and bad values
// are INVALID_CONFIG, a missing topic UNKNOWN_TOPIC_OR_PARTITION) and answers
// per resource. AlterConfigs replaces a resource's whole dynamic config;
// IncrementalAlterConfigs sets (0), deletes (1), appends to (2) or subtracts
// from (3) single keys. validate_only is passed through. Other resource
// types (broker loggers, client metrics, groups) are INVALID_REQUEST.
// As in Kafka 4.1.1, the answer does not wait for the change to reach this
// broker's image (it usually has within milliseconds).
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_ALTER_CONFIGS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_ALTER_CONFIGS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/controller.pb.h"
#include "proto/kafka/messages/alter_configs.h"

namespace gregor::broker {

// One resource of either request.
struct AlterConfigsInput {
  int8_t resource_type = 0;
  std::string resource_name;
  std::vector<controllerpb::AlterableConfig> configs;
};

// Its outcome.
struct AlterConfigsOutcome {
  int8_t resource_type = 0;
  std::string resource_name;
  int16_t error_code = 0;
  std::optional<std::string> error_message;
};

// Sends the resources to the controller (blocking; call it on the blocking
// pool) and returns one outcome per resource, in order.
std::vector<AlterConfigsOutcome> AlterConfigsNow(const BrokerContext* ctx,
                                                 const std::vector<AlterConfigsInput>& resources,
                                                 bool incremental, bool validate_only);

// Runs AlterConfigsNow on the blocking pool and answers `reply` (an
// AlterConfigs or IncrementalAlterConfigs response: both have the same
// per-resource fields).
template <typename Response>
void ForwardAlterConfigs(const BrokerContext* ctx, std::vector<AlterConfigsInput> resources,
                         bool incremental, bool validate_only, Reply<Response> reply);

class AlterConfigsHandler
    : public Handler<kafka::AlterConfigsRequest, kafka::AlterConfigsResponse> {
 public:
  // REQUIRES: `ctx` outlives the handler and every call it started.
  explicit AlterConfigsHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::AlterConfigsRequest req,
              Reply<kafka::AlterConfigsResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};


}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_ALTER_CONFIGS_H_
