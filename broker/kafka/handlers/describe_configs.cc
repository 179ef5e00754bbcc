#include "broker/kafka/handlers/describe_configs.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/kafka/handlers/admin_util.h"
#include "broker/kafka/handlers/config_catalog.h"
#include "broker/replica/replica_manager.h"

namespace gregor::broker {
namespace {

using Resp = kafka::DescribeConfigsResponse;

constexpr int8_t kTopicResource = 2;
constexpr int8_t kBrokerResource = 4;

Resp::DescribeConfigsResult Failed(const kafka::DescribeConfigsRequest::DescribeConfigsResource& r,
                                   kafka::ErrorCode code, std::string message) {
  Resp::DescribeConfigsResult out;
  out.resource_type = r.resource_type;
  out.resource_name = r.resource_name;
  out.error_code = Code(code);
  out.error_message = std::move(message);
  return out;
}

}  // namespace

void DescribeConfigsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                    kafka::DescribeConfigsRequest req,
                                    Reply<kafka::DescribeConfigsResponse> reply) {
  (void)ctx;
  const int16_t version = reply.version();
  std::shared_ptr<const metadata::MetadataImage> image = ctx_->replicas->image();
  const BrokerConfig& config = *ctx_->config;
  Resp resp;
  for (const auto& r : req.resources) {
    std::vector<ConfigEntry> entries;
    if (r.resource_type == kTopicResource) {
      if (auto why = InvalidTopicNameReason(r.resource_name)) {
        resp.results.push_back(Failed(r, kafka::ErrorCode::kInvalidTopicException, *why));
        continue;
      }
      if (image->topic(r.resource_name) == nullptr) {
        // Kafka 4.1.1 answers with an empty message.
        resp.results.push_back(Failed(r, kafka::ErrorCode::kUnknownTopicOrPartition, ""));
        continue;
      }
      entries = DescribeTopicConfigs(*image, config, r.resource_name);
    } else if (r.resource_type == kBrokerResource) {
      int32_t id = 0;
      if (r.resource_name.empty()) {
        entries = DescribeBrokerConfigs(*image, config, /*cluster_default=*/true);
      } else if (absl::SimpleAtoi(r.resource_name, &id) && id == config.node_id) {
        entries = DescribeBrokerConfigs(*image, config, /*cluster_default=*/false);
      } else {
        resp.results.push_back(Failed(r, kafka::ErrorCode::kInvalidRequest,
                                      absl::StrCat("Unexpected broker id, expected ",
                                                   config.node_id,
                                                   " or empty string, but received ",
                                                   r.resource_name)));
        continue;
      }
    } else {
      resp.results.push_back(Failed(r, kafka::ErrorCode::kInvalidRequest,
                                    absl::StrCat("Unsupported resource type: ",
                                                 static_cast<int>(r.resource_type))));
      continue;
    }
    std::set<std::string> keys;
    if (r.configuration_keys) keys.insert(r.configuration_keys->begin(), r.configuration_keys->end());
    Resp::DescribeConfigsResult out;
    out.resource_type = r.resource_type;
    out.resource_name = r.resource_name;
    out.error_code = 0;
    out.error_message = "";  // what Kafka 4.1.1 sent on success
    for (ConfigEntry& e : entries) {
      if (r.configuration_keys && keys.count(e.name) == 0) continue;
      Resp::DescribeConfigsResourceResult c;
      c.name = e.name;
      c.value = e.sensitive ? std::nullopt : e.value;
      c.read_only = e.read_only;
      c.is_default = e.source == ConfigSourceId::kDefault;
      c.config_source = static_cast<int8_t>(e.source);
      c.is_sensitive = e.sensitive;
      if (version >= 1 && req.include_synonyms) {
        for (const ConfigSynonymEntry& s : e.synonyms) {
          Resp::DescribeConfigsSynonym syn;
          syn.name = s.name;
          syn.value = e.sensitive ? std::nullopt : s.value;
          syn.source = static_cast<int8_t>(s.source);
          c.synonyms.push_back(std::move(syn));
        }
      }
      c.config_type = static_cast<int8_t>(e.type);
      if (version >= 3 && req.include_documentation) {
        c.documentation = std::move(e.documentation);
      } else {
        c.documentation = std::nullopt;
      }
      out.configs.push_back(std::move(c));
    }
    resp.results.push_back(std::move(out));
  }
  reply.Send(resp);
}

}  // namespace gregor::broker
