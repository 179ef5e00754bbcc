#include "broker/kafka/handlers/alter_configs.h"

#include "absl/strings/str_cat.h"
#include "broker/kafka/handlers/admin_util.h"
#include "proto/kafka/messages/incremental_alter_configs.h"

namespace gregor::broker {
namespace {

constexpr int8_t kTopicResource = 2;
constexpr int8_t kBrokerResource = 4;

std::vector<AlterConfigsOutcome> AllFailed(const std::vector<AlterConfigsInput>& resources,
                                           kafka::ErrorCode code, const std::string& message) {
  std::vector<AlterConfigsOutcome> out;
  for (const auto& r : resources) {
    out.push_back({r.resource_type, r.resource_name, Code(code), message});
  }
  return out;
}

template <typename Response>
Response ToResponse(const std::vector<AlterConfigsOutcome>& outcomes) {
  Response resp;
  for (const auto& o : outcomes) {
    typename Response::AlterConfigsResourceResponse r;
    r.resource_type = o.resource_type;
    r.resource_name = o.resource_name;
    r.error_code = o.error_code;
    r.error_message = o.error_message;
    resp.responses.push_back(std::move(r));
  }
  return resp;
}

}  // namespace

std::vector<AlterConfigsOutcome> AlterConfigsNow(const BrokerContext* ctx,
                                                 const std::vector<AlterConfigsInput>& resources,
                                                 bool incremental, bool validate_only) {
  std::vector<AlterConfigsOutcome> out(resources.size());
  std::vector<int> forwarded;  // indexes of the resources sent, in order
  controllerpb::AlterConfigsRequest creq;
  creq.set_validate_only(validate_only);
  for (size_t i = 0; i < resources.size(); ++i) {
    const AlterConfigsInput& r = resources[i];
    out[i].resource_type = r.resource_type;
    out[i].resource_name = r.resource_name;
    if (r.resource_type != kTopicResource && r.resource_type != kBrokerResource) {
      out[i].error_code = Code(kafka::ErrorCode::kInvalidRequest);
      out[i].error_message =
          absl::StrCat("Unsupported resource type: ", static_cast<int>(r.resource_type));
      continue;
    }
    controllerpb::AlterConfigsResource* c = creq.add_resources();
    c->set_resource_type(r.resource_type == kTopicResource ? metadata::CONFIG_RESOURCE_TOPIC
                                                           : metadata::CONFIG_RESOURCE_BROKER);
    c->set_resource_name(r.resource_name);
    c->set_incremental(incremental);
    for (const auto& cfg : r.configs) *c->add_configs() = cfg;
    forwarded.push_back(static_cast<int>(i));
  }
  if (forwarded.empty()) return out;
  absl::StatusOr<controllerpb::AlterConfigsResponse> c =
      CallController(ctx, [&](auto& client) { return client.AlterConfigs(creq); });
  if (!c.ok() || c->error().code() != 0 ||
      c->resources_size() != static_cast<int>(forwarded.size())) {
    ErrorFields e;
    if (!c.ok()) {
      e.code = Code(kControllerUnavailable);
      e.message = ControllerUnavailableMessage(c.status());
    } else {
      e = FromController(c->error());
      if (e.code == 0) e.code = Code(kafka::ErrorCode::kUnknownServerError);
    }
    for (int i : forwarded) {
      out[i].error_code = e.code;
      out[i].error_message = e.message;
    }
    return out;
  }
  for (size_t k = 0; k < forwarded.size(); ++k) {
    ErrorFields e = FromController(c->resources(static_cast<int>(k)).error());
    out[forwarded[k]].error_code = e.code;
    out[forwarded[k]].error_message = e.message;
  }
  return out;
}

template <typename Response>
void ForwardAlterConfigs(const BrokerContext* ctx, std::vector<AlterConfigsInput> resources,
                         bool incremental, bool validate_only, Reply<Response> reply) {
  auto shared = std::make_shared<const std::vector<AlterConfigsInput>>(std::move(resources));
  RunBlocking<Response>(
      ctx, std::move(reply),
      [ctx, shared, incremental, validate_only](Reply<Response>& reply) {
        reply.Send(ToResponse<Response>(AlterConfigsNow(ctx, *shared, incremental, validate_only)));
      },
      [shared](Reply<Response>& reply) {
        reply.Send(ToResponse<Response>(AllFailed(*shared, kControllerUnavailable,
                                                  "The broker is overloaded; retry later.")));
      });
}

template void ForwardAlterConfigs<kafka::AlterConfigsResponse>(
    const BrokerContext*, std::vector<AlterConfigsInput>, bool, bool,
    Reply<kafka::AlterConfigsResponse>);
template void ForwardAlterConfigs<kafka::IncrementalAlterConfigsResponse>(
    const BrokerContext*, std::vector<AlterConfigsInput>, bool, bool,
    Reply<kafka::IncrementalAlterConfigsResponse>);

void AlterConfigsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                 kafka::AlterConfigsRequest req,
                                 Reply<kafka::AlterConfigsResponse> reply) {
  std::vector<AlterConfigsInput> resources;
  for (const auto& r : req.resources) {
    AlterConfigsInput in{r.resource_type, r.resource_name, {}};
    for (const auto& c : r.configs) {
      controllerpb::AlterableConfig a;
      a.set_name(c.name);
      a.set_op(controllerpb::CONFIG_SET);
      if (c.value) a.set_value(*c.value);
      in.configs.push_back(std::move(a));
    }
    resources.push_back(std::move(in));
  }
  ForwardAlterConfigs(ctx_, std::move(resources), /*incremental=*/false, req.validate_only,
                      std::move(reply));
}

}  // namespace gregor::broker
