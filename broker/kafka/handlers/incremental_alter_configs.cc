#include "broker/kafka/handlers/incremental_alter_configs.h"

#include "broker/kafka/handlers/alter_configs.h"

namespace gregor::broker {

void IncrementalAlterConfigsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                            kafka::IncrementalAlterConfigsRequest req,
                                            Reply<kafka::IncrementalAlterConfigsResponse> reply) {
  std::vector<AlterConfigsInput> resources;
  for (const auto& r : req.resources) {
    AlterConfigsInput in{r.resource_type, r.resource_name, {}};
    for (const auto& c : r.configs) {
      controllerpb::AlterableConfig a;
      a.set_name(c.name);
      // Kafka's operation numbers are the controller's (an unknown one is
      // refused there).
      a.set_op(static_cast<controllerpb::ConfigOp>(c.config_operation));
      if (c.value) a.set_value(*c.value);
      in.configs.push_back(std::move(a));
    }
    resources.push_back(std::move(in));
  }
  ForwardAlterConfigs(ctx_, std::move(resources), /*incremental=*/true, req.validate_only,
                      std::move(reply));
}

}  // namespace gregor::broker
