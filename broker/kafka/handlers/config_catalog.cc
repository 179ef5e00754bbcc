#include "broker/kafka/handlers/config_catalog.h"

#include <algorithm>
#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/configs.h"

namespace gregor::broker {
namespace {

using controller::ConfigDef;
using controller::ConfigType;
using metadata::ConfigResource;

// ---- descriptions (our own words) ----

const std::map<std::string_view, std::string_view>& TopicDocs() {
  static const auto* docs = new std::map<std::string_view, std::string_view>{
      {"cleanup.policy",
       "How old segments are removed: delete (by retention time and size), compact (keep the "
       "latest record per key), or both."},
      {"compression.gzip.level", "Compression level when compression.type is gzip."},
      {"compression.lz4.level", "Compression level when compression.type is lz4."},
      {"compression.type",
       "Compression of stored batches; producer keeps batches as the producer sent them."},
      {"compression.zstd.level", "Compression level when compression.type is zstd."},
      {"delete.retention.ms",
       "How long tombstones (and transaction markers) stay in a compacted topic."},
      {"file.delete.delay.ms", "How long a removed segment's files wait before deletion."},
      {"flush.messages", "Force an fsync after this many messages (the default never does)."},
      {"flush.ms", "Force an fsync this long after the previous one (the default never does)."},
      {"follower.replication.throttled.replicas",
       "Replicas whose follower-side replication is throttled (partition:broker list or *)."},
      {"index.interval.bytes", "Bytes of log between two offset index entries."},
      {"leader.replication.throttled.replicas",
       "Replicas whose leader-side replication is throttled (partition:broker list or *)."},
      {"local.retention.bytes", "Tiered storage: bytes kept locally (-2: retention.bytes)."},
      {"local.retention.ms", "Tiered storage: time kept locally (-2: retention.ms)."},
      {"max.compaction.lag.ms", "Longest time a record may stay uncompacted."},
      {"max.message.bytes", "Largest record batch the topic accepts."},
      {"message.timestamp.after.max.ms",
       "How far in the future a record's timestamp may be (CreateTime)."},
      {"message.timestamp.before.max.ms",
       "How far in the past a record's timestamp may be (CreateTime)."},
      {"message.timestamp.type",
       "Whether record timestamps are the producer's (CreateTime) or the broker's "
       "(LogAppendTime)."},
      {"min.cleanable.dirty.ratio",
       "Share of uncompacted log above which the cleaner compacts the partition."},
      {"min.compaction.lag.ms", "Shortest time a record stays uncompacted."},
      {"min.insync.replicas",
       "In-sync replicas an acks=all write needs; fewer get NOT_ENOUGH_REPLICAS."},
      {"preallocate", "Preallocate segment files."},
      {"remote.storage.enable", "Tiered storage for the topic (not supported by Gregor)."},
      {"retention.bytes", "Largest size of a partition before old segments go (-1: no limit)."},
      {"retention.ms", "How long records are kept before their segment goes (-1: forever)."},
      {"segment.bytes", "Size at which a new segment file is started."},
      {"segment.index.bytes", "Largest size of a segment's offset index."},
      {"segment.jitter.ms", "Random jitter subtracted from segment.ms."},
      {"segment.ms", "Time after which a new segment is started even when not full."},
      {"unclean.leader.election.enable",
       "Allow a replica outside the ISR to become leader (may lose acknowledged records)."},
  };
  return *docs;
}

std::string TopicDoc(std::string_view name) {
  auto it = TopicDocs().find(name);
  return it == TopicDocs().end() ? "" : std::string(it->second);
}

ConfigTypeId TypeOf(ConfigType t) {
  switch (t) {
    case ConfigType::kBoolean:
      return ConfigTypeId::kBoolean;
    case ConfigType::kInt:
      return ConfigTypeId::kInt;
    case ConfigType::kLong:
      return ConfigTypeId::kLong;
    case ConfigType::kDouble:
      return ConfigTypeId::kDouble;
    case ConfigType::kString:
      return ConfigTypeId::kString;
    case ConfigType::kList:
      return ConfigTypeId::kList;
  }
  return ConfigTypeId::kUnknown;
}

// ---- the broker's static values ----

std::string ListenersString(const std::vector<Listener>& listeners) {
  std::vector<std::string> parts;
  for (const Listener& l : listeners) parts.push_back(absl::StrCat(l.name, "://", l.host, ":", l.port));
  return absl::StrJoin(parts, ",");
}

std::string CleanupPolicy(const storage::LogConfig& c) {
  if (c.cleanup_compact && c.cleanup_delete) return "compact,delete";
  return c.cleanup_compact ? "compact" : "delete";
}

using ValueFn = std::function<std::optional<std::string>(const BrokerConfig&)>;

// Broker configs whose static value comes from BrokerConfig, by name:
// the dynamic ones that BrokerConfig holds, then the read-only ones.
const std::map<std::string_view, ValueFn>& DynamicStaticValues() {
  static const auto* values = new std::map<std::string_view, ValueFn>{
      {"log.segment.bytes", [](const BrokerConfig& c) { return absl::StrCat(c.default_log_config.segment_bytes); }},
      {"log.roll.ms", [](const BrokerConfig& c) { return absl::StrCat(c.default_log_config.segment_ms); }},
      {"log.index.size.max.bytes",
       [](const BrokerConfig& c) { return absl::StrCat(c.default_log_config.segment_index_bytes); }},
      {"log.index.interval.bytes",
       [](const BrokerConfig& c) { return absl::StrCat(c.default_log_config.index_interval_bytes); }},
      {"message.max.bytes", [](const BrokerConfig& c) { return absl::StrCat(c.message_max_bytes); }},
      {"log.message.timestamp.type",
       [](const BrokerConfig& c) -> std::optional<std::string> {
         return c.default_log_config.timestamp_type == storage::TimestampType::kLogAppendTime
                    ? "LogAppendTime"
                    : "CreateTime";
       }},
      {"log.flush.interval.messages",
       [](const BrokerConfig& c) { return absl::StrCat(c.default_log_config.flush_messages); }},
      {"log.flush.interval.ms", [](const BrokerConfig& c) { return absl::StrCat(c.default_log_config.flush_ms); }},
      {"log.retention.ms", [](const BrokerConfig& c) { return absl::StrCat(c.default_log_config.retention_ms); }},
      {"log.retention.bytes",
       [](const BrokerConfig& c) { return absl::StrCat(c.default_log_config.retention_bytes); }},
      {"log.cleanup.policy", [](const BrokerConfig& c) -> std::optional<std::string> {
         return CleanupPolicy(c.default_log_config);
       }},
      {"log.cleaner.delete.retention.ms",
       [](const BrokerConfig& c) { return absl::StrCat(c.default_log_config.delete_retention_ms); }},
      {"log.cleaner.min.cleanable.ratio",
       [](const BrokerConfig& c) { return absl::StrCat(c.default_log_config.min_cleanable_dirty_ratio); }},
      {"log.cleaner.min.compaction.lag.ms",
       [](const BrokerConfig& c) { return absl::StrCat(c.default_log_config.min_compaction_lag_ms); }},
      {"log.cleaner.max.compaction.lag.ms",
       [](const BrokerConfig& c) { return absl::StrCat(c.default_log_config.max_compaction_lag_ms); }},
      {"min.insync.replicas", [](const BrokerConfig& c) { return absl::StrCat(c.min_insync_replicas); }},
      {"replica.lag.time.max.ms", [](const BrokerConfig& c) { return absl::StrCat(c.replica_lag_time_max_ms); }},
  };
  return *values;
}

// A read-only broker config: Kafka's name, type and default, our value.
struct StaticConfig {
  std::string_view name;
  ConfigTypeId type;
  std::optional<std::string_view> kafka_default;  // nullopt: Kafka has none
  ValueFn value;
  std::string_view doc;
};

const std::vector<StaticConfig>& StaticConfigs() {
  using T = ConfigTypeId;
  static const auto* list = new std::vector<StaticConfig>{
      {"advertised.listeners", T::kString, std::nullopt,
       [](const BrokerConfig& c) { return ListenersString(c.advertised_listeners); },
       "The listeners clients are told to connect to."},
      {"auto.create.topics.enable", T::kBoolean, "true",
       [](const BrokerConfig& c) -> std::optional<std::string> {
         return c.auto_create_topics_enable ? "true" : "false";
       },
       "Create topics that clients ask for in Metadata requests."},
      {"broker.heartbeat.interval.ms", T::kInt, "2000",
       [](const BrokerConfig& c) { return absl::StrCat(c.broker_heartbeat_interval_ms); },
       "How often the broker heartbeats to the active controller."},
      {"broker.id", T::kInt, "-1", [](const BrokerConfig& c) { return absl::StrCat(c.node_id); },
       "This broker's id (same as node.id)."},
      {"broker.rack", T::kString, std::nullopt,
       [](const BrokerConfig& c) -> std::optional<std::string> {
         if (c.rack.empty()) return std::nullopt;
         return c.rack;
       },
       "The rack of this broker, for rack-aware replica placement."},
      {"broker.session.timeout.ms", T::kInt, "9000",
       [](const BrokerConfig& c) { return absl::StrCat(c.broker_session_timeout_ms); },
       "A broker that misses heartbeats this long is fenced by the controller."},
      {"connections.max.idle.ms", T::kLong, "600000",
       [](const BrokerConfig& c) { return absl::StrCat(c.connections_max_idle_ms); },
       "Idle client connections are closed after this long."},
      {"controlled.shutdown.enable", T::kBoolean, "true",
       [](const BrokerConfig& c) -> std::optional<std::string> {
         return c.controlled_shutdown_enable ? "true" : "false";
       },
       "Move leadership away before shutting down."},
      {"controller.quorum.voters", T::kList, "",
       [](const BrokerConfig& c) -> std::optional<std::string> { return c.controller_quorum_voters; },
       "The controller quorum: id@host:port,..."},
      {"default.replication.factor", T::kInt, "1",
       [](const BrokerConfig& c) { return absl::StrCat(c.default_replication_factor); },
       "Replication factor of automatically created topics."},
      {"delete.topic.enable", T::kBoolean, "true",
       [](const BrokerConfig& c) -> std::optional<std::string> {
         return c.delete_topic_enable ? "true" : "false";
       },
       "Allow DeleteTopics."},
      {"group.initial.rebalance.delay.ms", T::kInt, "3000",
       [](const BrokerConfig& c) { return absl::StrCat(c.group_initial_rebalance_delay_ms); },
       "How long a new group waits for more members before its first rebalance."},
      {"group.max.session.timeout.ms", T::kInt, "1800000",
       [](const BrokerConfig& c) { return absl::StrCat(c.group_max_session_timeout_ms); },
       "Largest session timeout a group member may ask for."},
      {"group.max.size", T::kInt, "2147483647",
       [](const BrokerConfig& c) { return absl::StrCat(c.group_max_size); },
       "Most members a consumer group may have."},
      {"group.min.session.timeout.ms", T::kInt, "6000",
       [](const BrokerConfig& c) { return absl::StrCat(c.group_min_session_timeout_ms); },
       "Smallest session timeout a group member may ask for."},
      {"inter.broker.listener.name", T::kString, std::nullopt,
       [](const BrokerConfig& c) -> std::optional<std::string> { return c.inter_broker_listener_name; },
       "The listener brokers use among themselves."},
      {"listeners", T::kString, "PLAINTEXT://:9092",
       [](const BrokerConfig& c) { return ListenersString(c.listeners); },
       "The addresses the broker listens on for clients."},
      {"log.dirs", T::kString, std::nullopt,
       [](const BrokerConfig& c) -> std::optional<std::string> { return absl::StrJoin(c.log_dirs, ","); },
       "The directories holding the partition logs."},
      {"max.connections", T::kInt, "2147483647",
       [](const BrokerConfig& c) { return absl::StrCat(c.max_connections); },
       "Most client connections the broker accepts."},
      {"max.incremental.fetch.session.cache.slots", T::kInt, "1000",
       [](const BrokerConfig& c) { return absl::StrCat(c.max_incremental_fetch_session_cache_slots); },
       "Most incremental fetch sessions kept."},
      {"node.id", T::kInt, "-1", [](const BrokerConfig& c) { return absl::StrCat(c.node_id); },
       "This broker's id."},
      {"num.network.threads", T::kInt, "3",
       [](const BrokerConfig& c) { return absl::StrCat(c.num_network_threads); },
       "Network event loops (0: one per core)."},
      {"num.partitions", T::kInt, "1", [](const BrokerConfig& c) { return absl::StrCat(c.num_partitions); },
       "Partitions of automatically created topics."},
      {"offsets.retention.minutes", T::kInt, "10080",
       [](const BrokerConfig& c) { return absl::StrCat(c.offsets_retention_minutes); },
       "How long committed offsets of an empty group are kept."},
      {"offsets.topic.num.partitions", T::kInt, "50",
       [](const BrokerConfig& c) { return absl::StrCat(c.offsets_topic_num_partitions); },
       "Partitions of __consumer_offsets."},
      {"offsets.topic.replication.factor", T::kShort, "3",
       [](const BrokerConfig& c) { return absl::StrCat(c.offsets_topic_replication_factor); },
       "Replication factor of __consumer_offsets."},
      {"replica.fetch.backoff.ms", T::kInt, "1000",
       [](const BrokerConfig& c) { return absl::StrCat(c.replica_fetch_backoff_ms); },
       "Pause of a follower's fetcher after a fetch error."},
      {"replica.fetch.max.bytes", T::kInt, "1048576",
       [](const BrokerConfig& c) { return absl::StrCat(c.replica_fetch_max_bytes); },
       "Bytes a follower fetches per partition at most."},
      {"replica.fetch.response.max.bytes", T::kInt, "10485760",
       [](const BrokerConfig& c) { return absl::StrCat(c.replica_fetch_response_max_bytes); },
       "Bytes of one follower fetch response at most."},
      {"replica.fetch.wait.max.ms", T::kInt, "500",
       [](const BrokerConfig& c) { return absl::StrCat(c.replica_fetch_wait_max_ms); },
       "How long a follower's fetch waits for data at most."},
      {"socket.request.max.bytes", T::kInt, "104857600",
       [](const BrokerConfig& c) { return absl::StrCat(c.socket_request_max_bytes); },
       "Largest request the broker accepts."},
  };
  return *list;
}

std::optional<std::string> Dynamic(const metadata::MetadataImage& image, const std::string& resource,
                                   std::string_view key) {
  return image.config(ConfigResource{metadata::CONFIG_RESOURCE_BROKER, resource}, key);
}

// The synonyms of broker config `key` (dynamic per broker, cluster default,
// static, default), highest first.
std::vector<ConfigSynonymEntry> BrokerSynonyms(const metadata::MetadataImage& image,
                                               const BrokerConfig& config, std::string_view key,
                                               std::optional<std::string_view> kafka_default) {
  std::vector<ConfigSynonymEntry> out;
  const std::string name(key);
  if (auto v = Dynamic(image, absl::StrCat(config.node_id), key)) {
    out.push_back({name, *v, ConfigSourceId::kDynamicBroker});
  }
  if (auto v = Dynamic(image, "", key)) out.push_back({name, *v, ConfigSourceId::kDynamicDefaultBroker});
  if (auto v = StaticBrokerValue(config, key)) out.push_back({name, *v, ConfigSourceId::kStaticBroker});
  if (kafka_default) out.push_back({name, std::string(*kafka_default), ConfigSourceId::kDefault});
  return out;
}

void TakeFirst(ConfigEntry& e) {
  if (e.synonyms.empty()) {
    e.value = std::nullopt;
    e.source = ConfigSourceId::kDefault;
    return;
  }
  e.value = e.synonyms.front().value;
  e.source = e.synonyms.front().source;
}

}  // namespace

std::optional<std::string> StaticBrokerValue(const BrokerConfig& config, std::string_view key) {
  auto dyn = DynamicStaticValues().find(key);
  if (dyn != DynamicStaticValues().end()) {
    std::optional<std::string> v = dyn->second(config);
    const ConfigDef* def = controller::FindBrokerConfig(key);
    if (v && def != nullptr && *v == def->default_value) return std::nullopt;
    return v;
  }
  for (const StaticConfig& s : StaticConfigs()) {
    if (s.name != key) continue;
    std::optional<std::string> v = s.value(config);
    if (v && s.kafka_default && *v == *s.kafka_default) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

std::vector<ConfigEntry> DescribeTopicConfigs(const metadata::MetadataImage& image,
                                              const BrokerConfig& config, std::string_view topic) {
  const metadata::ConfigEntries* topic_configs =
      image.configs(ConfigResource{metadata::CONFIG_RESOURCE_TOPIC, std::string(topic)});
  std::vector<ConfigEntry> out;
  for (const ConfigDef& def : controller::TopicConfigDefs()) {
    ConfigEntry e;
    e.name = std::string(def.name);
    e.type = TypeOf(def.type);
    e.documentation = TopicDoc(def.name);
    if (topic_configs != nullptr) {
      auto it = topic_configs->find(def.name);
      if (it != topic_configs->end()) e.synonyms.push_back({e.name, it->second, ConfigSourceId::kTopic});
    }
    if (def.broker_synonym.empty()) {
      e.synonyms.push_back({e.name, std::string(def.default_value), ConfigSourceId::kDefault});
    } else {
      for (auto& s : BrokerSynonyms(image, config, def.broker_synonym, def.default_value)) {
        e.synonyms.push_back(std::move(s));
      }
    }
    TakeFirst(e);
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::vector<ConfigEntry> DescribeBrokerConfigs(const metadata::MetadataImage& image,
                                               const BrokerConfig& config, bool cluster_default) {
  std::vector<ConfigEntry> out;
  for (const ConfigDef& def : controller::BrokerConfigDefs()) {
    ConfigEntry e;
    e.name = std::string(def.name);
    e.type = TypeOf(def.type);
    if (cluster_default) {
      std::optional<std::string> v = Dynamic(image, "", def.name);
      if (!v) continue;
      e.synonyms.push_back({e.name, *v, ConfigSourceId::kDynamicDefaultBroker});
    } else {
      e.synonyms = BrokerSynonyms(image, config, def.name, def.default_value);
    }
    // A broker config that is a topic config's synonym shares its meaning.
    for (const ConfigDef& t : controller::TopicConfigDefs()) {
      if (t.broker_synonym == def.name) {
        e.documentation = absl::StrCat("Default for the topic config ", std::string(t.name), ": ", TopicDoc(t.name));
        break;
      }
    }
    if (e.documentation.empty()) e.documentation = "A broker setting the controller lets you change at run time.";
    TakeFirst(e);
    out.push_back(std::move(e));
  }
  if (!cluster_default) {
    for (const StaticConfig& s : StaticConfigs()) {
      ConfigEntry e;
      e.name = std::string(s.name);
      e.type = s.type;
      e.read_only = true;
      e.documentation = std::string(s.doc);
      if (auto v = StaticBrokerValue(config, s.name)) {
        e.synonyms.push_back({e.name, *v, ConfigSourceId::kStaticBroker});
      } else if (s.kafka_default) {
        e.synonyms.push_back({e.name, std::string(*s.kafka_default), ConfigSourceId::kDefault});
      } else {
        e.synonyms.push_back({e.name, s.value(config), ConfigSourceId::kDefault});
      }
      TakeFirst(e);
      out.push_back(std::move(e));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace gregor::broker
