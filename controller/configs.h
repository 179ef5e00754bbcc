// Topic and broker configuration keys the controller accepts, with Kafka's
// names, types, defaults and validation rules (org.apache.kafka's ConfigDef
// semantics: numbers and booleans are trimmed before parsing; lists are
// comma-separated; error texts follow Kafka's ConfigException).
//
// Topic configs are stored in the metadata only when set explicitly; the
// effective value falls back to the cluster-wide dynamic broker config of the
// "synonym" key (e.g. retention.ms -> log.retention.ms), then to Kafka's
// default.
#ifndef GREGOR_CONTROLLER_CONFIGS_H_
#define GREGOR_CONTROLLER_CONFIGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/metadata/image.h"
#include "controller/errors.h"

namespace gregor::controller {

enum class ConfigType { kBoolean, kInt, kLong, kDouble, kString, kList };

struct ConfigDef {
  std::string_view name;
  ConfigType type;
  std::string_view default_value;
  // Inclusive numeric bounds (kInt/kLong/kDouble); unset: unbounded.
  std::optional<double> min;
  std::optional<double> max;
  // kString / kList elements must be one of these (empty: anything).
  std::vector<std::string_view> valid_values;
  // For topic configs: the broker config that gives the cluster default.
  std::string_view broker_synonym;
  // A value accepted outside [min, max] (e.g. -1 for compression.gzip.level).
  std::optional<int64_t> also_allowed;
};

// Kafka's DescribeConfigs source numbers.
enum class ConfigSource : int32_t {
  kTopicConfig = 1,
  kDynamicBrokerConfig = 2,
  kDynamicDefaultBrokerConfig = 3,
  kDefaultConfig = 5,
};

const std::vector<ConfigDef>& TopicConfigDefs();
const std::vector<ConfigDef>& BrokerConfigDefs();
// nullptr when unknown.
const ConfigDef* FindTopicConfig(std::string_view name);
const ConfigDef* FindBrokerConfig(std::string_view name);

// Parses and checks `value` against `def`. Returns None or INVALID_CONFIG
// ("Invalid value x for configuration retention.ms: Not a number of type LONG").
ApiError ValidateConfigValue(const ConfigDef& def, std::string_view value);

// Checks a topic config key and value: unknown keys get INVALID_CONFIG
// "Unknown topic config name: x".
ApiError ValidateTopicConfig(std::string_view name, std::string_view value);
ApiError ValidateBrokerConfig(std::string_view name, std::string_view value);

struct EffectiveConfig {
  std::string name;
  std::string value;
  ConfigSource source;
};

// Every topic config with its effective value for topic `topic` in `image`,
// where `overrides` (if given) replaces the topic's stored dynamic configs —
// used for a topic being created. Sorted by name.
std::vector<EffectiveConfig> EffectiveTopicConfigs(const metadata::MetadataImage& image,
                                                   std::string_view topic,
                                                   const metadata::ConfigEntries* overrides);

// The effective value of one topic config (explicit, cluster default, or
// Kafka default). REQUIRES: `name` is a known topic config.
std::string EffectiveTopicConfig(const metadata::MetadataImage& image, std::string_view topic,
                                 std::string_view name);

// The value as stored: numbers, booleans and lists without surrounding
// whitespace (Kafka trims them when parsing), strings as given.
// REQUIRES: ValidateConfigValue(def, value) is None.
std::string NormalizeConfigValue(const ConfigDef& def, std::string_view value);

// Parses a Kafka boolean ("true"/"false", any case, trimmed).
std::optional<bool> ParseConfigBool(std::string_view value);

}  // namespace gregor::controller

#endif  // GREGOR_CONTROLLER_CONFIGS_H_
