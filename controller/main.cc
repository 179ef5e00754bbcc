// gregor-controller: one member of the controller quorum.
//
// One gRPC server on the --listeners address serves both RaftService (to the
// other controllers) and ControllerService (to brokers and tools); the
// addresses in --controller_quorum_voters are therefore both. HTTP /metrics
// and /status are on --http_port.
//
//   gregor-controller --node_id=1 --listeners=127.0.0.1:9093 \
//     --controller_quorum_voters=1@127.0.0.1:9093,2@127.0.0.1:9094,3@127.0.0.1:9095 \
//     --metadata_log_dir=/var/lib/gregor/controller-1 --http_port=8093
#include <csignal>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "common/clock.h"
#include "controller/client/controller_client.h"
#include "controller/quorum_controller.h"
#include "controller/raft_driver/raft_node.h"
#include "controller/raft_driver/raft_service.h"
#include "controller/raft_node_log.h"
#include "controller/service/controller_service.h"
#include "controller/service/http_status.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "grpcpp/grpcpp.h"

DEFINE_int32(node_id, 1, "node.id: this controller's id in --controller_quorum_voters");
DEFINE_string(listeners, "127.0.0.1:9093",
              "listeners: host:port (or CONTROLLER://host:port) of this controller's gRPC server "
              "(RaftService and ControllerService)");
DEFINE_string(controller_quorum_voters, "1@127.0.0.1:9093",
              "controller.quorum.voters: id@host:port,... of every controller");
DEFINE_string(metadata_log_dir, "/tmp/gregor-controller",
              "metadata.log.dir: where the Raft log and snapshots (RocksDB) live");
DEFINE_int32(broker_session_timeout_ms, 1000,
             "broker.session.timeout.ms: a broker silent this long is fenced (Kafka: 9000)");
DEFINE_int32(broker_heartbeat_interval_ms, 200,
             "broker.heartbeat.interval.ms: how often brokers heartbeat (Kafka: 2000); the "
             "controller checks that the session timeout spans at least 3 heartbeats");
DEFINE_bool(auto_leader_rebalance_enable, true, "auto.leader.rebalance.enable");
DEFINE_int32(leader_imbalance_check_interval_seconds, 300, "leader.imbalance.check.interval.seconds");
DEFINE_bool(unclean_leader_election_enable, false, "unclean.leader.election.enable (cluster default)");
DEFINE_int32(num_partitions, 1, "num.partitions: default partition count of new topics");
DEFINE_int32(default_replication_factor, 1, "default.replication.factor of new topics");
DEFINE_int32(http_port, 0, "port of the HTTP /metrics and /status pages (0: off)");
DEFINE_string(http_host, "0.0.0.0", "address the HTTP pages bind to");
DEFINE_int32(raft_tick_ms, 50, "Raft tick; election timeout = raft_election_ticks ticks (randomized 1x-2x)");
DEFINE_int32(raft_election_ticks, 10, "Raft election timeout in ticks");
DEFINE_int32(raft_heartbeat_ticks, 1, "Raft leader heartbeat interval in ticks");
DEFINE_bool(metadata_log_fsync, true, "fsync the Raft log before acknowledging (off only for tests)");
DEFINE_int64(metadata_snapshot_every_entries, 10000, "take a metadata snapshot every N entries");
DEFINE_int64(metadata_log_keep_entries, 1000,
             "entries kept in the log before the latest snapshot (lagging followers and brokers "
             "older than that get the snapshot)");
DEFINE_int32(max_watchers, 1024, "WatchMetadata streams at once");

namespace gregor::controller {
namespace {

std::string ListenerAddress(const std::string& listeners) {
  std::string l = listeners;
  if (auto pos = l.find("://"); pos != std::string::npos) l = l.substr(pos + 3);
  if (auto pos = l.find(','); pos != std::string::npos) l = l.substr(0, pos);
  return l;
}

int Main() {
  auto voters = client::ParseQuorumVoters(FLAGS_controller_quorum_voters);
  if (!voters.ok()) {
    LOG(ERROR) << "--controller_quorum_voters: " << voters.status();
    return 2;
  }
  const std::string listen = ListenerAddress(FLAGS_listeners);
  bool found = false;
  QuorumControllerOptions qo;
  qo.node_id = NodeId(FLAGS_node_id);
  raft_driver::RaftNodeOptions ro;
  ro.id = NodeId(FLAGS_node_id);
  for (const auto& v : *voters) {
    qo.voter_addresses[v.id] = v.address;
    ro.voters.push_back({v.id, v.address});
    if (v.id.value() == FLAGS_node_id) {
      found = true;
      const std::string port = v.address.substr(v.address.rfind(':') + 1);
      if (!absl::EndsWith(listen, absl::StrCat(":", port))) {
        LOG(WARNING) << "--listeners " << listen << " does not use the port of voter " << v.id << " ("
                     << v.address << "): peers and brokers will not reach this node";
      }
    }
  }
  if (!found) {
    LOG(ERROR) << "--node_id " << FLAGS_node_id << " is not in --controller_quorum_voters";
    return 2;
  }
  if (FLAGS_broker_session_timeout_ms < 3 * FLAGS_broker_heartbeat_interval_ms) {
    LOG(WARNING) << "--broker_session_timeout_ms " << FLAGS_broker_session_timeout_ms
                 << " spans fewer than 3 heartbeats of " << FLAGS_broker_heartbeat_interval_ms
                 << " ms; brokers may be fenced spuriously";
  }
  ControllerOptions& co = qo.controller;
  co.broker_session_timeout = std::chrono::milliseconds(FLAGS_broker_session_timeout_ms);
  co.auto_leader_rebalance_enable = FLAGS_auto_leader_rebalance_enable;
  co.leader_imbalance_check_interval = std::chrono::seconds(FLAGS_leader_imbalance_check_interval_seconds);
  co.unclean_leader_election_enable = FLAGS_unclean_leader_election_enable;
  co.default_num_partitions = FLAGS_num_partitions;
  co.default_replication_factor = FLAGS_default_replication_factor;
  ro.data_dir = FLAGS_metadata_log_dir;
  ro.tick_interval = std::chrono::milliseconds(FLAGS_raft_tick_ms);
  ro.election_ticks = FLAGS_raft_election_ticks;
  ro.heartbeat_ticks = FLAGS_raft_heartbeat_ticks;
  ro.sync_writes = FLAGS_metadata_log_fsync;
  ro.snapshot_every_entries = static_cast<uint64_t>(FLAGS_metadata_snapshot_every_entries);
  ro.compaction_keep_entries = static_cast<uint64_t>(FLAGS_metadata_log_keep_entries);

  raft_driver::RaftServiceImpl raft_service;
  QuorumController quorum(qo, Clock::Real());
  auto node = raft_driver::RaftNode::Open(ro, &quorum, &raft_service);
  if (!node.ok()) {
    LOG(ERROR) << "Cannot open the metadata log in " << FLAGS_metadata_log_dir << ": " << node.status();
    return 1;
  }
  RaftNodeLog log(node->get());
  quorum.Start(&log);
  ControllerServiceOptions so;
  so.max_watchers = FLAGS_max_watchers;
  ControllerServiceImpl controller_service(&quorum, &log, so);

  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &bound_port);
  builder.RegisterService(&raft_service);
  builder.RegisterService(&controller_service);
  builder.SetMaxReceiveMessageSize(static_cast<int>(raft_driver::RaftServiceImpl::kMaxBatchBytes));
  builder.SetMaxSendMessageSize(64 << 20);
  grpc::ResourceQuota quota("gregor-controller");
  quota.SetMaxThreads(FLAGS_max_watchers + 256);
  builder.SetResourceQuota(quota);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    LOG(ERROR) << "Cannot listen on " << listen;
    return 1;
  }
  if (absl::Status s = (*node)->Start(); !s.ok()) {
    LOG(ERROR) << "Cannot start the Raft node: " << s;
    return 1;
  }
  HttpStatusServer http(&quorum, &log);
  if (FLAGS_http_port > 0) {
    if (absl::Status s = http.Start(FLAGS_http_host, FLAGS_http_port); !s.ok()) {
      LOG(ERROR) << s;
      return 1;
    }
  }
  LOG(INFO) << "gregor-controller " << FLAGS_node_id << " serving on " << listen
            << (FLAGS_http_port > 0 ? absl::StrCat(", HTTP on ", FLAGS_http_port) : std::string());

  // Wait for SIGTERM / SIGINT (blocked in every thread; see main()).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int sig = 0;
  sigwait(&signals, &sig);
  LOG(INFO) << "Signal " << sig << ": shutting down";

  // Clean shutdown: hand leadership to the most caught-up peer first.
  const raft_driver::NodeStatus st = (*node)->Status();
  if (st.role == raft_driver::Role::kLeader && !st.peers.empty()) {
    const raft_driver::PeerStatus* best = &st.peers[0];
    for (const auto& p : st.peers) {
      if (p.match_index > best->match_index) best = &p;
    }
    absl::Notification transferred;
    (*node)->TransferLeadership(best->id, [&](absl::Status s) {
      LOG(INFO) << "Leadership transfer to " << best->id << ": " << s;
      transferred.Notify();
    });
    transferred.WaitForNotificationWithTimeout(absl::Seconds(3));
  }
  controller_service.Shutdown();
  http.Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  quorum.Stop();
  (*node)->Stop();
  return 0;
}

}  // namespace
}  // namespace gregor::controller

int main(int argc, char** argv) {
  gflags::SetUsageMessage("gregor-controller: a member of Gregor's metadata controller quorum");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  // Block the shutdown signals before any thread starts; main sigwaits.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return gregor::controller::Main();
}
