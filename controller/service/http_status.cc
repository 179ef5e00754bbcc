#include "controller/service/http_status.h"

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/crc32c.h"
#include "common/ui/peer_fetch.h"
#include "common/ui/ui.h"
#include "controller/service/cluster_view.h"
#include "httplib.h"
#include "nlohmann/json.hpp"

namespace gregor::controller {

namespace {

void Metric(std::string* out, const char* name, const char* help, const char* type, double value,
            const std::string& labels = "") {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n", name,
                  labels.empty() ? "" : absl::StrCat("{", labels, "}"), " ", value, "\n");
}

const char* Role(raft_driver::Role r) {
  switch (r) {
    case raft_driver::Role::kFollower: return "follower";
    case raft_driver::Role::kPreCandidate: return "pre-candidate";
    case raft_driver::Role::kCandidate: return "candidate";
    case raft_driver::Role::kLeader: return "leader";
  }
  return "unknown";
}

}  // namespace

std::string RenderMetrics(const QuorumController& quorum, const MetadataLog& log) {
  const QuorumControllerStats s = quorum.Stats();
  const NodeStatus st = log.Status();
  std::string out;
  // Kafka's controller metrics under Kafka's names
  // (kafka.controller:type=KafkaController,name=...).
  Metric(&out, "kafka_controller_active_controller_count",
         "1 when this node is the active controller (Kafka: ActiveControllerCount).", "gauge",
         s.active ? 1 : 0);
  Metric(&out, "kafka_controller_offline_partitions_count",
         "Partitions without a leader (Kafka: OfflinePartitionsCount).", "gauge",
         static_cast<double>(s.offline_partitions));
  Metric(&out, "kafka_controller_global_partition_count",
         "Partitions (Kafka: GlobalPartitionCount).", "gauge", static_cast<double>(s.partitions));
  Metric(&out, "kafka_controller_global_topic_count", "Topics (Kafka: GlobalTopicCount).", "gauge",
         static_cast<double>(s.topics));
  Metric(&out, "kafka_controller_fenced_broker_count", "Fenced brokers (Kafka: FencedBrokerCount).",
         "gauge", static_cast<double>(s.fenced_brokers));
  Metric(&out, "kafka_controller_active_broker_count",
         "Unfenced brokers (Kafka: ActiveBrokerCount).", "gauge",
         static_cast<double>(s.brokers - s.fenced_brokers));
  Metric(&out, "kafka_controller_preferred_replica_imbalance_count",
         "Partitions not led by their preferred replica (Kafka: PreferredReplicaImbalanceCount).",
         "gauge", static_cast<double>(s.preferred_replica_imbalance));
  Metric(&out, "gregor_controller_active_controller_count",
         "1 when this node is the active controller.", "gauge", s.active ? 1 : 0);
  Metric(&out, "gregor_controller_raft_term", "Current Raft term.", "gauge",
         static_cast<double>(st.term.value()));
  Metric(&out, "gregor_controller_raft_commit_index", "Raft commit index.", "gauge",
         static_cast<double>(st.commit_index.value()));
  Metric(&out, "gregor_controller_raft_last_index", "Last index of the local Raft log.", "gauge",
         static_cast<double>(st.last_index.value()));
  Metric(&out, "gregor_controller_raft_snapshot_index", "Index of the latest local snapshot.", "gauge",
         static_cast<double>(st.snapshot_index.value()));
  Metric(&out, "gregor_controller_metadata_applied_offset",
         "Offset of the last metadata batch applied to the image.", "gauge",
         static_cast<double>(s.applied_offset.value()));
  Metric(&out, "gregor_controller_leader_id", "Id of the Raft leader (-1: none).", "gauge",
         s.leader ? s.leader->value() : -1);
  Metric(&out, "gregor_controller_registered_broker_count", "Registered brokers.", "gauge",
         static_cast<double>(s.brokers));
  Metric(&out, "gregor_controller_fenced_broker_count", "Fenced brokers.", "gauge",
         static_cast<double>(s.fenced_brokers));
  Metric(&out, "gregor_controller_active_broker_count", "Unfenced brokers.", "gauge",
         static_cast<double>(s.brokers - s.fenced_brokers));
  Metric(&out, "gregor_controller_global_topic_count", "Topics.", "gauge", static_cast<double>(s.topics));
  Metric(&out, "gregor_controller_global_partition_count", "Partitions.", "gauge",
         static_cast<double>(s.partitions));
  Metric(&out, "gregor_controller_offline_partitions_count", "Partitions without a leader.", "gauge",
         static_cast<double>(s.offline_partitions));
  Metric(&out, "gregor_controller_preferred_replica_imbalance_count",
         "Partitions not led by their preferred replica.", "gauge",
         static_cast<double>(s.preferred_replica_imbalance));
  Metric(&out, "gregor_controller_reassigning_partitions_count", "Partitions being reassigned.", "gauge",
         static_cast<double>(s.reassigning_partitions));
  Metric(&out, "gregor_controller_operations_committed_total",
         "Controller operations whose records committed (this node as leader).", "counter",
         static_cast<double>(s.operations_committed));
  Metric(&out, "gregor_controller_operations_failed_total",
         "Controller operations whose proposal failed.", "counter",
         static_cast<double>(s.operations_failed));
  Metric(&out, "gregor_controller_records_committed_total", "Metadata records applied.", "counter",
         static_cast<double>(s.records_committed));
  Metric(&out, "gregor_controller_inflight_operations", "Proposed, not yet committed operations.",
         "gauge", static_cast<double>(s.inflight));
  Metric(&out, "gregor_controller_brokers_fenced_by_liveness_total",
         "Brokers fenced because their session expired (this node as leader).", "counter",
         static_cast<double>(s.fenced_by_liveness));
  return out;
}

std::string RenderStatus(const QuorumController& quorum, const MetadataLog& log,
                         size_t max_partitions) {
  const NodeStatus st = log.Status();
  const QuorumControllerStats s = quorum.Stats();
  auto image = quorum.committed_image();
  const std::string records = image->ToRecords().SerializeAsString();
  nlohmann::json j;
  j["node_id"] = st.id.value();
  j["role"] = Role(st.role);
  j["active"] = s.active;
  j["leader"] = st.leader ? st.leader->value() : -1;
  // Readiness (health checks): the quorum has a leader this node follows.
  j["ready"] = s.active || st.leader.has_value() || s.leader.has_value();
  j["term"] = st.term.value();
  j["commit_index"] = st.commit_index.value();
  j["last_index"] = st.last_index.value();
  j["snapshot_index"] = st.snapshot_index.value();
  j["applied_offset"] = image->offset().value();
  j["image_crc32c"] = Crc32c(records.data(), records.size());
  j["image_records"] = image->ToRecords().records_size();
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : st.peers) {
    peers.push_back({{"id", p.id.value()},
                     {"address", p.address},
                     {"match_index", p.match_index.value()},
                     {"lag", st.last_index.value() - std::min(st.last_index.value(), p.match_index.value())},
                     {"last_contact_ms", p.last_contact_ago ? p.last_contact_ago->count() : -1},
                     {"state", p.replication_state}});
  }
  j["peers"] = peers;
  nlohmann::json brokers = nlohmann::json::array();
  for (const auto& [id, b] : image->brokers()) {
    brokers.push_back({{"id", id.value()},
                       {"epoch", b->epoch.value()},
                       {"rack", b->rack},
                       {"fenced", b->fenced},
                       {"in_controlled_shutdown", b->in_controlled_shutdown},
                       {"replica_address", b->replica_address},
                       {"http_address", b->http_address}});
  }
  j["brokers"] = brokers;
  nlohmann::json topics = nlohmann::json::array();
  size_t partitions = 0;
  bool truncated = false;
  for (const auto& [name, id] : image->topic_ids_by_name()) {
    const metadata::TopicImage* t = image->topic(id);
    nlohmann::json parts = nlohmann::json::array();
    for (const auto& [pid, p] : t->partitions()) {
      if (partitions++ >= max_partitions) {
        truncated = true;
        break;
      }
      auto ids = [](const std::vector<BrokerId>& v) {
        std::vector<int32_t> out;
        for (BrokerId b : v) out.push_back(b.value());
        return out;
      };
      parts.push_back({{"partition", pid.value()},
                       {"leader", p->leader.value()},
                       {"leader_epoch", p->leader_epoch.value()},
                       {"partition_epoch", p->partition_epoch.value()},
                       {"replicas", ids(p->replicas)},
                       {"isr", ids(p->isr)},
                       {"adding", ids(p->adding_replicas)},
                       {"removing", ids(p->removing_replicas)}});
    }
    topics.push_back({{"name", name}, {"id", id.ToBase64()}, {"partitions", parts}});
    if (truncated) break;
  }
  j["topics"] = topics;
  j["partitions_truncated"] = truncated;
  j["offline_partitions"] = s.offline_partitions;
  return j.dump(2);
}

HttpStatusServer::HttpStatusServer(const QuorumController* quorum, const MetadataLog* log)
    : quorum_(quorum), log_(log), server_(std::make_unique<httplib::Server>()) {
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(RenderMetrics(*quorum_, *log_), "text/plain; version=0.0.4");
  });
  server_->Get("/status", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(RenderStatus(*quorum_, *log_), "application/json");
  });
  // The live cluster view: the page, and the view with the brokers' offsets
  // and groups merged in (each unfenced broker is asked, in parallel, with a
  // short timeout).
  server_->Get("/ui/?", [](const httplib::Request&, httplib::Response& res) {
    const std::string_view page = ui::ClusterViewPage();
    res.set_content(page.data(), page.size(), ui::kPageContentType);
  });
  server_->Get("/api/cluster", [this](const httplib::Request&, httplib::Response& res) {
    ui::ClusterView v = ControllerClusterView(*quorum_, *log_, Clock::Real());
    ui::MergeFactsFromPeers(&v, std::chrono::milliseconds(700));
    timeline_.Fill(&v);
    ui::Truncate(ui::ClusterViewLimits(), &v);
    res.set_content(ui::ToJsonString(v), ui::kJsonContentType);
  });
  observer_ = std::make_unique<ui::TimelineObserver>(
      &timeline_, [this] { return ControllerClusterView(*quorum_, *log_, Clock::Real()); },
      std::chrono::milliseconds(250));
}

HttpStatusServer::~HttpStatusServer() { Stop(); }

absl::Status HttpStatusServer::Start(const std::string& host, int port) {
  if (!server_->bind_to_port(host.c_str(), port)) {
    return absl::UnavailableError(absl::StrCat("cannot bind HTTP on ", host, ":", port));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  observer_->Start();
  return absl::OkStatus();
}

void HttpStatusServer::Stop() {
  observer_->Stop();
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace gregor::controller
