// AlterConfigs: incremental (SET / DELETE / APPEND / SUBTRACT per key) and
// full (the request's set replaces the resource's dynamic configs), for topic
// and broker resources.
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "controller/configs.h"
#include "controller/controller.h"

namespace gregor::controller {

using metadata::ConfigEntries;
using metadata::ConfigResource;
using metadata::MetadataImage;
using metadata::MetadataRecord;

namespace {

std::vector<std::string> SplitList(std::string_view value) {
  std::vector<std::string> out;
  absl::string_view v = absl::StripAsciiWhitespace(absl::string_view(value.data(), value.size()));
  if (v.empty()) return out;
  for (absl::string_view e : absl::StrSplit(v, ',')) {
    out.emplace_back(absl::StripAsciiWhitespace(e));
  }
  return out;
}

ApiError CheckResource(const MetadataImage& image, const ConfigResource& r) {
  switch (r.type) {
    case metadata::CONFIG_RESOURCE_TOPIC:
      if (r.name.empty()) {
        return MakeError(KafkaError::kInvalidRequest, "Default topic resources are not allowed.");
      }
      if (image.topic(r.name) == nullptr) {
        return MakeError(KafkaError::kUnknownTopicOrPartition,
                         absl::StrCat("The topic '", r.name, "' does not exist."));
      }
      return ApiError::None();
    case metadata::CONFIG_RESOURCE_BROKER: {
      if (r.name.empty()) return ApiError::None();
      int32_t id;
      if (!absl::SimpleAtoi(r.name, &id)) {
        return MakeError(KafkaError::kInvalidRequest,
                         "Unable to parse broker name as a base 10 number.");
      }
      if (id < 0) return MakeError(KafkaError::kInvalidRequest, "Invalid negative broker ID.");
      return ApiError::None();
    }
    default:
      return MakeError(KafkaError::kInvalidRequest,
                       absl::StrCat("Unsupported resource type ", static_cast<int>(r.type), "."));
  }
}

ApiError ValidateKey(const ConfigResource& r, std::string_view key, std::string_view value) {
  return r.type == metadata::CONFIG_RESOURCE_TOPIC ? ValidateTopicConfig(key, value)
                                                   : ValidateBrokerConfig(key, value);
}

const ConfigDef* Def(const ConfigResource& r, std::string_view key) {
  return r.type == metadata::CONFIG_RESOURCE_TOPIC ? FindTopicConfig(key) : FindBrokerConfig(key);
}

// Computes the resource's new configs from an incremental request.
ApiError ApplyIncremental(const ConfigResource& r, const controllerpb::AlterConfigsResource& res,
                          size_t max_value_bytes, ConfigEntries& configs) {
  std::set<std::string> seen;
  for (const auto& c : res.configs()) {
    if (!seen.insert(c.name()).second) {
      return MakeError(KafkaError::kInvalidRequest,
                       absl::StrCat("Duplicate config keys: ", c.name()));
    }
    const ConfigDef* def = Def(r, c.name());
    if (def == nullptr) return ValidateKey(r, c.name(), "");
    switch (c.op()) {
      case controllerpb::CONFIG_SET:
        if (!c.has_value()) {
          return MakeError(KafkaError::kInvalidRequest,
                           absl::StrCat("Null value not supported for : ", c.name()));
        }
        configs[c.name()] = c.value();
        break;
      case controllerpb::CONFIG_DELETE:
        configs.erase(c.name());
        break;
      case controllerpb::CONFIG_APPEND:
      case controllerpb::CONFIG_SUBTRACT: {
        if (def->type != ConfigType::kList) {
          return MakeError(KafkaError::kInvalidConfig,
                           absl::StrCat("Config value ",
                                        c.op() == controllerpb::CONFIG_APPEND ? "append" : "subtract",
                                        " is not allowed for config key: ", c.name()));
        }
        auto it = configs.find(c.name());
        std::vector<std::string> list =
            SplitList(it != configs.end() ? std::string_view(it->second) : def->default_value);
        for (const std::string& v : SplitList(c.value())) {
          auto pos = std::find(list.begin(), list.end(), v);
          if (c.op() == controllerpb::CONFIG_APPEND && pos == list.end()) list.push_back(v);
          if (c.op() == controllerpb::CONFIG_SUBTRACT && pos != list.end()) list.erase(pos);
        }
        configs[c.name()] = absl::StrJoin(list, ",");
        break;
      }
      default:
        return MakeError(KafkaError::kInvalidRequest,
                         absl::StrCat("Unknown config operation ", static_cast<int>(c.op())));
    }
  }
  for (const auto& c : res.configs()) {
    auto it = configs.find(c.name());
    if (it == configs.end()) continue;
    if (it->second.size() > max_value_bytes) {
      return MakeError(KafkaError::kInvalidConfig, absl::StrCat("The value of ", c.name(), " is too long."));
    }
    if (ApiError e = ValidateKey(r, c.name(), it->second); !e.ok()) return e;
    it->second = NormalizeConfigValue(*Def(r, c.name()), it->second);
  }
  return ApiError::None();
}

ApiError ApplyFull(const ConfigResource& r, const controllerpb::AlterConfigsResource& res,
                   size_t max_value_bytes, ConfigEntries& configs) {
  configs.clear();
  for (const auto& c : res.configs()) {
    if (!c.has_value()) {
      return MakeError(KafkaError::kInvalidRequest,
                       absl::StrCat("Null value not supported for : ", c.name()));
    }
    if (c.value().size() > max_value_bytes) {
      return MakeError(KafkaError::kInvalidConfig, absl::StrCat("The value of ", c.name(), " is too long."));
    }
    if (ApiError e = ValidateKey(r, c.name(), c.value()); !e.ok()) return e;
    configs[c.name()] = NormalizeConfigValue(*Def(r, c.name()), c.value());
  }
  return ApiError::None();
}

}  // namespace

ControllerResult<controllerpb::AlterConfigsResponse> Controller::AlterConfigs(
    const controllerpb::AlterConfigsRequest& request) const {
  ControllerResult<controllerpb::AlterConfigsResponse> out;
  RecordBuilder builder(image_);
  std::map<std::pair<int, std::string>, int> count;
  for (const auto& res : request.resources()) ++count[{res.resource_type(), res.resource_name()}];
  for (const auto& res : request.resources()) {
    controllerpb::AlterConfigsResourceResult* result = out.response.add_resources();
    result->set_resource_type(res.resource_type());
    result->set_resource_name(res.resource_name());
    const ConfigResource r{res.resource_type(), res.resource_name()};
    ApiError error = count[{res.resource_type(), res.resource_name()}] > 1
                         ? MakeError(KafkaError::kInvalidRequest, "Duplicate resource.")
                         : CheckResource(builder.view(), r);
    const ConfigEntries* stored = builder.view().configs(r);
    const ConfigEntries old = stored != nullptr ? *stored : ConfigEntries{};
    ConfigEntries next = old;
    if (error.ok()) {
      error = res.incremental() ? ApplyIncremental(r, res, options_.max_config_value_bytes, next)
                                : ApplyFull(r, res, options_.max_config_value_bytes, next);
    }
    if (!error.ok()) {
      error.ToProto(result->mutable_error());
      continue;
    }
    ApiError::None().ToProto(result->mutable_error());
    // Records for the difference between the old and the new configs.
    auto emit = [&](const std::string& key, const std::string* value) {
      MetadataRecord rec;
      auto* c = rec.mutable_config();
      c->set_resource_type(r.type);
      c->set_resource_name(r.name);
      c->set_name(key);
      if (value != nullptr) c->set_value(*value);
      builder.Add(std::move(rec));
    };
    for (const auto& [key, value] : old) {
      if (next.find(key) == next.end()) emit(key, nullptr);
    }
    for (const auto& [key, value] : next) {
      auto it = old.find(key);
      if (it == old.end() || it->second != value) emit(key, &value);
    }
  }
  if (!request.validate_only()) out.records = builder.Take();
  return out;
}

}  // namespace gregor::controller
