// The broker's configuration, with Kafka's names. Filled from gflags in
// broker/main.cc only; everything else receives this struct.
#ifndef GREGOR_BROKER_CONFIG_BROKER_CONFIG_H_
#define GREGOR_BROKER_CONFIG_BROKER_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/storage/log_config.h"

namespace gregor::broker {

// One Kafka listener: NAME://host:port.
struct Listener {
  std::string name;
  std::string host;
  int port = 0;
  std::string security_protocol = "PLAINTEXT";
  friend bool operator==(const Listener&, const Listener&) = default;
};

// Parses Kafka's "NAME://host:port,NAME2://host:port" (an empty host means
// all interfaces). `protocol_map` ("NAME:PROTOCOL,...") gives each listener's
// security protocol; names without an entry must be a protocol name
// themselves (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL).
absl::StatusOr<std::vector<Listener>> ParseListeners(const std::string& spec,
                                                     const std::string& protocol_map);

struct BrokerConfig {
  int32_t node_id = -1;
  std::string cluster_id;
  std::string rack;

  std::vector<Listener> listeners;
  // What is registered and returned in Metadata; defaults to `listeners`
  // (with 0.0.0.0 replaced by the host name).
  std::vector<Listener> advertised_listeners;
  std::string inter_broker_listener_name = "PLAINTEXT";
  // gRPC ReplicaService (broker<->broker): bind address and the address
  // other brokers use.
  std::string replica_listener = "0.0.0.0:9192";
  std::string advertised_replica_listener;
  int http_port = 8080;  // 0: no HTTP server
  std::string http_host = "0.0.0.0";

  std::vector<std::string> log_dirs;
  std::string controller_quorum_voters;  // id@host:port,...

  // Topics.
  int32_t num_partitions = 1;
  int16_t default_replication_factor = 1;
  bool auto_create_topics_enable = true;
  bool delete_topic_enable = true;
  int32_t offsets_topic_num_partitions = 50;
  int16_t offsets_topic_replication_factor = 3;
  int32_t min_insync_replicas = 1;
  storage::LogConfig default_log_config;
  storage::StorageOptions storage;

  // Replication.
  int64_t replica_lag_time_max_ms = 30000;
  int32_t replica_fetch_max_bytes = 1048576;
  int32_t replica_fetch_response_max_bytes = 10485760;
  int32_t replica_fetch_wait_max_ms = 500;
  int64_t replica_fetch_backoff_ms = 1000;

  // Network.
  int num_network_threads = 0;  // 0: one per core
  int32_t socket_request_max_bytes = 104857600;
  int max_connections = 50000;
  int64_t connections_max_idle_ms = 600000;
  int32_t message_max_bytes = 1048588;

  // Controller liveness.
  int64_t broker_heartbeat_interval_ms = 250;
  int64_t broker_session_timeout_ms = 1500;
  bool controlled_shutdown_enable = true;
  int64_t controlled_shutdown_timeout_ms = 30000;

  // Groups.
  int64_t group_initial_rebalance_delay_ms = 3000;
  int64_t group_min_session_timeout_ms = 6000;
  int64_t group_max_session_timeout_ms = 1800000;
  int32_t group_max_size = 2147483647;
  int64_t offsets_retention_minutes = 10080;

  // Fetch sessions (KIP-227).
  int32_t max_incremental_fetch_session_cache_slots = 1000;

  // The listener a client connected through, by name (nullptr if unknown).
  const Listener* AdvertisedFor(const std::string& listener_name) const;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_CONFIG_BROKER_CONFIG_H_
