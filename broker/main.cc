// gregor-broker: a Kafka-protocol broker of a Gregor cluster. Flags use
// Kafka's configuration names (dots become underscores); see
// docs/operations.md.
#include <signal.h>
#include <sys/resource.h>

#include <iostream>

#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "broker/broker_server.h"
#include "gflags/gflags.h"
#include "glog/logging.h"

DEFINE_int32(node_id, -1, "This broker's id (node.id), unique in the cluster.");
DEFINE_string(cluster_id, "gregor-local-cluster", "Cluster id returned to clients.");
DEFINE_string(rack, "", "broker.rack, for rack-aware replica placement.");
DEFINE_string(listeners, "PLAINTEXT://0.0.0.0:9092",
              "Kafka listeners: NAME://host:port[,NAME://host:port]");
DEFINE_string(advertised_listeners, "",
              "Listeners as clients should reach them (default: --listeners).");
DEFINE_string(listener_security_protocol_map, "",
              "NAME:PROTOCOL pairs for listener names that are not protocol names.");
DEFINE_string(inter_broker_listener_name, "PLAINTEXT", "Listener brokers use among themselves.");
DEFINE_string(replica_listener, "0.0.0.0:9192",
              "host:port of the ReplicaService (broker-to-broker replication, gRPC).");
DEFINE_string(advertised_replica_listener, "",
              "host:port other brokers use for replication (default: --replica_listener).");
DEFINE_int32(http_port, 8080, "Port of /metrics, /status and /ui (0: any free port, -1: off).");
DEFINE_string(log_dirs, "/tmp/gregor-logs", "Comma-separated partition log directories.");
DEFINE_string(controller_quorum_voters, "", "Controllers: id@host:port[,id@host:port].");
DEFINE_int32(num_partitions, 1, "Partitions of auto-created topics.");
DEFINE_int32(default_replication_factor, 1, "Replication factor of auto-created topics.");
DEFINE_bool(auto_create_topics_enable, true, "Create topics that clients ask for.");
DEFINE_int32(offsets_topic_num_partitions, 50, "Partitions of __consumer_offsets.");
DEFINE_int32(offsets_topic_replication_factor, 3, "Replication factor of __consumer_offsets.");
DEFINE_int32(min_insync_replicas, 1, "Default min.insync.replicas.");
DEFINE_int64(replica_lag_time_max_ms, 30000, "replica.lag.time.max.ms.");
DEFINE_int32(replica_fetch_max_bytes, 1048576, "replica.fetch.max.bytes (per partition).");
DEFINE_int32(replica_fetch_response_max_bytes, 10485760, "replica.fetch.response.max.bytes.");
DEFINE_int32(replica_fetch_wait_max_ms, 500, "replica.fetch.wait.max.ms.");
DEFINE_int64(replica_fetch_backoff_ms, 1000,
             "replica.fetch.backoff.ms (longest back-off when a leader is unreachable).");
DEFINE_int64(log_segment_bytes, 1 << 30, "log.segment.bytes.");
DEFINE_int64(log_retention_ms, 7LL * 24 * 3600 * 1000, "log.retention.ms.");
DEFINE_int64(log_retention_bytes, -1, "log.retention.bytes.");
DEFINE_bool(log_flush_sync_before_ack, true,
            "fdatasync (group commit) before acknowledging acks=all writes and before records "
            "become visible to consumers. false: Kafka's page-cache mode.");
DEFINE_int32(num_network_threads, 0, "Event loops (0: one per core).");
DEFINE_int32(socket_request_max_bytes, 104857600, "socket.request.max.bytes.");
DEFINE_int32(message_max_bytes, 1048588, "message.max.bytes.");
DEFINE_int64(broker_heartbeat_interval_ms, 200, "broker.heartbeat.interval.ms.");
DEFINE_int64(group_initial_rebalance_delay_ms, 3000, "group.initial.rebalance.delay.ms.");
DEFINE_int64(controlled_shutdown_timeout_ms, 30000,
             "How long SIGTERM waits for the controller to move leaderships away.");
DEFINE_bool(mutex_deadlock_detection, false,
            "Abseil's lock-order checking on every Mutex operation. Debian's Abseil is built "
            "without NDEBUG, so it is on unless turned off here; it serialises every lock "
            "through one global lock (seen in perf under load), so the broker turns it off. "
            "Tests keep it on.");

namespace {

gregor::broker::BrokerConfig ConfigFromFlags() {
  using gregor::broker::ParseListeners;
  gregor::broker::BrokerConfig c;
  c.node_id = FLAGS_node_id;
  c.cluster_id = FLAGS_cluster_id;
  c.rack = FLAGS_rack;
  auto listeners = ParseListeners(FLAGS_listeners, FLAGS_listener_security_protocol_map);
  LOG_IF(FATAL, !listeners.ok()) << "--listeners: " << listeners.status();
  c.listeners = *listeners;
  if (FLAGS_advertised_listeners.empty()) {
    c.advertised_listeners = c.listeners;
  } else {
    auto adv = ParseListeners(FLAGS_advertised_listeners, FLAGS_listener_security_protocol_map);
    LOG_IF(FATAL, !adv.ok()) << "--advertised_listeners: " << adv.status();
    c.advertised_listeners = *adv;
  }
  c.inter_broker_listener_name = FLAGS_inter_broker_listener_name;
  c.replica_listener = FLAGS_replica_listener;
  c.advertised_replica_listener = FLAGS_advertised_replica_listener.empty()
                                      ? FLAGS_replica_listener
                                      : FLAGS_advertised_replica_listener;
  c.http_port = FLAGS_http_port;
  c.log_dirs = absl::StrSplit(FLAGS_log_dirs, ',', absl::SkipEmpty());
  c.controller_quorum_voters = FLAGS_controller_quorum_voters;
  c.num_partitions = FLAGS_num_partitions;
  c.default_replication_factor = static_cast<int16_t>(FLAGS_default_replication_factor);
  c.auto_create_topics_enable = FLAGS_auto_create_topics_enable;
  c.offsets_topic_num_partitions = FLAGS_offsets_topic_num_partitions;
  c.offsets_topic_replication_factor = static_cast<int16_t>(FLAGS_offsets_topic_replication_factor);
  c.min_insync_replicas = FLAGS_min_insync_replicas;
  c.replica_lag_time_max_ms = FLAGS_replica_lag_time_max_ms;
  c.replica_fetch_max_bytes = FLAGS_replica_fetch_max_bytes;
  c.replica_fetch_response_max_bytes = FLAGS_replica_fetch_response_max_bytes;
  c.replica_fetch_wait_max_ms = FLAGS_replica_fetch_wait_max_ms;
  c.replica_fetch_backoff_ms = FLAGS_replica_fetch_backoff_ms;
  c.default_log_config.segment_bytes = FLAGS_log_segment_bytes;
  c.default_log_config.retention_ms = FLAGS_log_retention_ms;
  c.default_log_config.retention_bytes = FLAGS_log_retention_bytes;
  c.default_log_config.max_message_bytes = FLAGS_message_max_bytes;
  c.storage.sync_before_ack = FLAGS_log_flush_sync_before_ack;
  c.num_network_threads = FLAGS_num_network_threads;
  c.socket_request_max_bytes = FLAGS_socket_request_max_bytes;
  c.message_max_bytes = FLAGS_message_max_bytes;
  c.broker_heartbeat_interval_ms = FLAGS_broker_heartbeat_interval_ms;
  c.group_initial_rebalance_delay_ms = FLAGS_group_initial_rebalance_delay_ms;
  c.controlled_shutdown_timeout_ms = FLAGS_controlled_shutdown_timeout_ms;
  return c;
}

void RaiseFileLimit() {
  rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("gregor-broker --node_id=N --controller_quorum_voters=... [flags]");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  if (!FLAGS_mutex_deadlock_detection) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  }
  if (FLAGS_node_id < 0 || FLAGS_controller_quorum_voters.empty()) {
    std::cerr << "--node_id and --controller_quorum_voters are required\n";
    return 2;
  }
  RaiseFileLimit();
  // Signals are taken by a dedicated thread (sigwait), never by the loops.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  gregor::broker::BrokerServer server(ConfigFromFlags());
  absl::Status s = server.Start();
  if (!s.ok()) {
    LOG(ERROR) << "broker failed to start: " << s;
    server.Shutdown(false);
    return 1;
  }
  int sig = 0;
  sigwait(&set, &sig);
  LOG(INFO) << "signal " << sig << ": shutting down (controlled); send it again to stop at once";
  std::thread second([&set] {
    int again = 0;
    sigwait(&set, &again);
    LOG(WARNING) << "second signal: exiting now";
    _exit(1);
  });
  second.detach();
  server.Shutdown(/*controlled=*/true);
  LOG(INFO) << "broker stopped";
  return 0;
}
