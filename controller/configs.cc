#include "controller/configs.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace gregor::controller {
namespace {

using T = ConfigType;
constexpr double kLongMax = 9223372036854775807.0;

const std::vector<ConfigDef>& MakeTopicDefs() {
  static const auto* defs = new std::vector<ConfigDef>{
      {"cleanup.policy", T::kList, "delete", {}, {}, {"compact", "delete"}, "log.cleanup.policy"},
      {"compression.gzip.level", T::kInt, "-1", 1, 9, {}, "compression.gzip.level", -1},
      {"compression.lz4.level", T::kInt, "9", 1, 17, {}, "compression.lz4.level"},
      {"compression.type", T::kString, "producer", {}, {},
       {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}, "compression.type"},
      {"compression.zstd.level", T::kInt, "3", -131072, 22, {}, "compression.zstd.level"},
      {"delete.retention.ms", T::kLong, "86400000", 0, {}, {}, "log.cleaner.delete.retention.ms"},
      {"file.delete.delay.ms", T::kLong, "60000", 0, {}, {}, "log.segment.delete.delay.ms"},
      {"flush.messages", T::kLong, "9223372036854775807", 1, {}, {}, "log.flush.interval.messages"},
      {"flush.ms", T::kLong, "9223372036854775807", 0, {}, {}, "log.flush.interval.ms"},
      {"follower.replication.throttled.replicas", T::kList, "", {}, {}, {},
       "follower.replication.throttled.replicas"},
      {"index.interval.bytes", T::kInt, "4096", 0, {}, {}, "log.index.interval.bytes"},
      {"leader.replication.throttled.replicas", T::kList, "", {}, {}, {},
       "leader.replication.throttled.replicas"},
      {"local.retention.bytes", T::kLong, "-2", -2, {}, {}, "log.local.retention.bytes"},
      {"local.retention.ms", T::kLong, "-2", -2, {}, {}, "log.local.retention.ms"},
      {"max.compaction.lag.ms", T::kLong, "9223372036854775807", 1, {}, {},
       "log.cleaner.max.compaction.lag.ms"},
      {"max.message.bytes", T::kInt, "1048588", 0, {}, {}, "message.max.bytes"},
      {"message.timestamp.after.max.ms", T::kLong, "3600000", 0, {}, {},
       "log.message.timestamp.after.max.ms"},
      {"message.timestamp.before.max.ms", T::kLong, "9223372036854775807", 0, {}, {},
       "log.message.timestamp.before.max.ms"},
      {"message.timestamp.type", T::kString, "CreateTime", {}, {}, {"CreateTime", "LogAppendTime"},
       "log.message.timestamp.type"},
      {"min.cleanable.dirty.ratio", T::kDouble, "0.5", 0, 1, {}, "log.cleaner.min.cleanable.ratio"},
      {"min.compaction.lag.ms", T::kLong, "0", 0, {}, {}, "log.cleaner.min.compaction.lag.ms"},
      {"min.insync.replicas", T::kInt, "1", 1, {}, {}, "min.insync.replicas"},
      {"preallocate", T::kBoolean, "false", {}, {}, {}, "log.preallocate"},
      {"remote.storage.enable", T::kBoolean, "false", {}, {}, {}, ""},
      {"retention.bytes", T::kLong, "-1", {}, {}, {}, "log.retention.bytes"},
      {"retention.ms", T::kLong, "604800000", -1, {}, {}, "log.retention.ms"},
      {"segment.bytes", T::kInt, "1073741824", 14, {}, {}, "log.segment.bytes"},
      {"segment.index.bytes", T::kInt, "10485760", 4, {}, {}, "log.index.size.max.bytes"},
      {"segment.jitter.ms", T::kLong, "0", 0, {}, {}, "log.roll.jitter.ms"},
      {"segment.ms", T::kLong, "604800000", 1, {}, {}, "log.roll.ms"},
      {"unclean.leader.election.enable", T::kBoolean, "false", {}, {}, {},
       "unclean.leader.election.enable"},
  };
  return *defs;
}

const std::vector<ConfigDef>& MakeBrokerDefs() {
  static const auto* defs = [] {
    auto* out = new std::vector<ConfigDef>();
    // Every topic config's broker synonym, with the topic config's rules.
    for (const ConfigDef& t : MakeTopicDefs()) {
      if (t.broker_synonym.empty()) continue;
      ConfigDef b = t;
      b.name = t.broker_synonym;
      b.broker_synonym = "";
      out->push_back(b);
    }
    out->push_back({"log.cleaner.threads", T::kInt, "1", 0, {}, {}, ""});
    out->push_back({"num.replica.fetchers", T::kInt, "1", 1, {}, {}, ""});
    out->push_back({"replica.lag.time.max.ms", T::kLong, "30000", 1, {}, {}, ""});
    std::sort(out->begin(), out->end(),
              [](const ConfigDef& a, const ConfigDef& b) { return a.name < b.name; });
    return out;
  }();
  return *defs;
}

const ConfigDef* Find(const std::vector<ConfigDef>& defs, std::string_view name) {
  for (const ConfigDef& d : defs) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::string FormatBound(const ConfigDef& def, double v) {
  if (def.type == T::kDouble) {
    std::string s = absl::StrCat(v);
    if (s.find('.') == std::string::npos) s += ".0";  // Java prints doubles with a fraction
    return s;
  }
  return absl::StrCat(static_cast<int64_t>(v));
}

ApiError Invalid(const ConfigDef& def, std::string_view value, std::string_view why) {
  return MakeError(KafkaError::kInvalidConfig, absl::StrCat("Invalid value ", std::string(value),
                                                            " for configuration ", std::string(def.name),
                                                            ": ", std::string(why)));
}

ApiError CheckRange(const ConfigDef& def, std::string_view value, double v) {
  if (def.also_allowed && v == static_cast<double>(*def.also_allowed)) return ApiError::None();
  if (def.min && v < *def.min) {
    return Invalid(def, value, absl::StrCat("Value must be at least ", FormatBound(def, *def.min)));
  }
  if (def.max && v > *def.max) {
    return Invalid(def, value, absl::StrCat("Value must be no more than ", FormatBound(def, *def.max)));
  }
  return ApiError::None();
}

ApiError CheckOneOf(const ConfigDef& def, std::string_view shown, std::string_view element) {
  if (def.valid_values.empty()) return ApiError::None();
  for (std::string_view v : def.valid_values) {
    if (v == element) return ApiError::None();
  }
  std::vector<std::string> sorted(def.valid_values.begin(), def.valid_values.end());
  if (def.type == T::kList) std::sort(sorted.begin(), sorted.end());
  return Invalid(def, shown, absl::StrCat("String must be one of: ", absl::StrJoin(sorted, ", ")));
}

}  // namespace

const std::vector<ConfigDef>& TopicConfigDefs() { return MakeTopicDefs(); }
const std::vector<ConfigDef>& BrokerConfigDefs() { return MakeBrokerDefs(); }
const ConfigDef* FindTopicConfig(std::string_view name) { return Find(MakeTopicDefs(), name); }
const ConfigDef* FindBrokerConfig(std::string_view name) { return Find(MakeBrokerDefs(), name); }

std::optional<bool> ParseConfigBool(std::string_view value) {
  std::string v = absl::AsciiStrToLower(absl::StripAsciiWhitespace(
      absl::string_view(value.data(), value.size())));
  if (v == "true") return true;
  if (v == "false") return false;
  return std::nullopt;
}

ApiError ValidateConfigValue(const ConfigDef& def, std::string_view value) {
  absl::string_view trimmed =
      absl::StripAsciiWhitespace(absl::string_view(value.data(), value.size()));
  switch (def.type) {
    case T::kBoolean:
      if (!ParseConfigBool(value)) {
        return Invalid(def, value, "Expected value to be either true or false");
      }
      return ApiError::None();
    case T::kInt: {
      int32_t v;
      if (!absl::SimpleAtoi(trimmed, &v)) return Invalid(def, value, "Not a number of type INT");
      return CheckRange(def, value, v);
    }
    case T::kLong: {
      int64_t v;
      if (!absl::SimpleAtoi(trimmed, &v)) return Invalid(def, value, "Not a number of type LONG");
      return CheckRange(def, value, static_cast<double>(v));
    }
    case T::kDouble: {
      double v;
      if (!absl::SimpleAtod(trimmed, &v) || std::isnan(v)) {
        return Invalid(def, value, "Not a number of type DOUBLE");
      }
      return CheckRange(def, value, v);
    }
    case T::kString:
      return CheckOneOf(def, value, value);
    case T::kList: {
      if (trimmed.empty()) return ApiError::None();
      for (absl::string_view element : absl::StrSplit(trimmed, ',')) {
        absl::string_view e = absl::StripAsciiWhitespace(element);
        ApiError err = CheckOneOf(def, std::string_view(e.data(), e.size()),
                                  std::string_view(e.data(), e.size()));
        if (!err.ok()) return err;
      }
      return ApiError::None();
    }
  }
  return ApiError::None();
}

std::string NormalizeConfigValue(const ConfigDef& def, std::string_view value) {
  if (def.type == T::kString) return std::string(value);
  if (def.type == T::kBoolean) return *ParseConfigBool(value) ? "true" : "false";
  if (def.type == T::kList) {
    std::vector<std::string> parts;
    absl::string_view v = absl::StripAsciiWhitespace(absl::string_view(value.data(), value.size()));
    if (v.empty()) return "";
    for (absl::string_view e : absl::StrSplit(v, ',')) parts.emplace_back(absl::StripAsciiWhitespace(e));
    return absl::StrJoin(parts, ",");
  }
  return std::string(absl::StripAsciiWhitespace(absl::string_view(value.data(), value.size())));
}

ApiError ValidateTopicConfig(std::string_view name, std::string_view value) {
  const ConfigDef* def = FindTopicConfig(name);
  if (def == nullptr) {
    return MakeError(KafkaError::kInvalidConfig,
                     absl::StrCat("Unknown topic config name: ", std::string(name)));
  }
  return ValidateConfigValue(*def, value);
}

ApiError ValidateBrokerConfig(std::string_view name, std::string_view value) {
  const ConfigDef* def = FindBrokerConfig(name);
  if (def == nullptr) {
    return MakeError(KafkaError::kInvalidConfig,
                     absl::StrCat("Unknown broker config name: ", std::string(name)));
  }
  return ValidateConfigValue(*def, value);
}

namespace {

EffectiveConfig Effective(const metadata::MetadataImage& image, const ConfigDef& def,
                          const metadata::ConfigEntries* topic_configs) {
  if (topic_configs != nullptr) {
    auto it = topic_configs->find(def.name);
    if (it != topic_configs->end()) {
      return {std::string(def.name), it->second, ConfigSource::kTopicConfig};
    }
  }
  if (!def.broker_synonym.empty()) {
    if (auto v = image.config({metadata::CONFIG_RESOURCE_BROKER, ""}, def.broker_synonym)) {
      return {std::string(def.name), *v, ConfigSource::kDynamicDefaultBrokerConfig};
    }
  }
  return {std::string(def.name), std::string(def.default_value), ConfigSource::kDefaultConfig};
}

}  // namespace

std::vector<EffectiveConfig> EffectiveTopicConfigs(const metadata::MetadataImage& image,
                                                   std::string_view topic,
                                                   const metadata::ConfigEntries* overrides) {
  const metadata::ConfigEntries* topic_configs =
      overrides != nullptr
          ? overrides
          : image.configs({metadata::CONFIG_RESOURCE_TOPIC, std::string(topic)});
  std::vector<EffectiveConfig> out;
  for (const ConfigDef& def : TopicConfigDefs()) out.push_back(Effective(image, def, topic_configs));
  return out;
}

std::string EffectiveTopicConfig(const metadata::MetadataImage& image, std::string_view topic,
                                 std::string_view name) {
  const ConfigDef* def = FindTopicConfig(name);
  if (def == nullptr) return "";
  return Effective(image, *def, image.configs({metadata::CONFIG_RESOURCE_TOPIC, std::string(topic)}))
      .value;
}

}  // namespace gregor::controller
