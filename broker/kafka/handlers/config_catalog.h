// What DescribeConfigs reports: every config of a topic or of this broker
// with its effective value, where the value comes from (Kafka's config
// sources), its synonyms in order of precedence, its type and a short
// description.
//
// Topic configs are the controller's table (controller/configs.h: Kafka's
// names, types and defaults). A topic config's value comes from, in order:
//   the topic's own setting                       TOPIC_CONFIG (1)
//   this broker's dynamic setting of the synonym  DYNAMIC_BROKER_CONFIG (2)
//   the cluster-wide dynamic default              DYNAMIC_DEFAULT_BROKER_CONFIG (3)
//   this broker's static configuration (flags)    STATIC_BROKER_CONFIG (4)
//   Kafka's default                               DEFAULT_CONFIG (5)
// where the synonym is the broker config of the same meaning
// (retention.ms -> log.retention.ms). A static broker value counts as set
// only when it differs from Kafka's default.
//
// Broker configs: the dynamically alterable ones (the controller's broker
// table) follow the same order; the rest are read-only and come from the
// broker's configuration.
//
// Pure functions; thread-safe.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_CONFIG_CATALOG_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_CONFIG_CATALOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/config/broker_config.h"
#include "common/metadata/image.h"

namespace gregor::broker {

// Kafka's DescribeConfigs source numbers.
enum class ConfigSourceId : int8_t {
  kTopic = 1,
  kDynamicBroker = 2,
  kDynamicDefaultBroker = 3,
  kStaticBroker = 4,
  kDefault = 5,
};

// Kafka's DescribeConfigs (v3+) config types.
enum class ConfigTypeId : int8_t {
  kUnknown = 0,
  kBoolean = 1,
  kString = 2,
  kInt = 3,
  kShort = 4,
  kLong = 5,
  kDouble = 6,
  kList = 7,
  kClass = 8,
  kPassword = 9,
};

struct ConfigSynonymEntry {
  std::string name;
  std::optional<std::string> value;
  ConfigSourceId source;
};

struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;  // nullopt: not set and no default
  ConfigSourceId source = ConfigSourceId::kDefault;
  bool read_only = false;
  bool sensitive = false;
  ConfigTypeId type = ConfigTypeId::kUnknown;
  std::string documentation;
  // Every place the value could come from that has one, highest
  // precedence first (the first is where `value` comes from).
  std::vector<ConfigSynonymEntry> synonyms;
};

// Every config of `topic`, sorted by name.
std::vector<ConfigEntry> DescribeTopicConfigs(const metadata::MetadataImage& image,
                                              const BrokerConfig& config, std::string_view topic);

// This broker's configs (sorted by name), or — when `cluster_default` — only
// the cluster-wide dynamic defaults that are set (what Kafka lists for the
// broker resource "").
std::vector<ConfigEntry> DescribeBrokerConfigs(const metadata::MetadataImage& image,
                                               const BrokerConfig& config, bool cluster_default);

// The broker's static value of a broker config when the broker's
// configuration sets it to something other than Kafka's default.
std::optional<std::string> StaticBrokerValue(const BrokerConfig& config, std::string_view key);

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_CONFIG_CATALOG_H_
