#include "broker/broker_server.h"

#include <unistd.h>

#include <thread>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "broker/group/group_service.h"
#include "broker/kafka/handlers/registry.h"
#include "broker/replica/replication_service.h"
#include "common/ui/http_routes.h"
#include "common/ui/peer_fetch.h"
#include "glog/logging.h"
#include "nlohmann/json.hpp"

namespace gregor::broker {
namespace {

// The group coordinator as a BrokerService.
class GroupBrokerService : public BrokerService {
 public:
  explicit GroupBrokerService(std::unique_ptr<group::GroupService> service)
      : service_(std::move(service)) {}
  absl::Status Start() override { return service_->Start(); }
  void Stop() override { service_->Stop(); }

 private:
  std::unique_ptr<group::GroupService> service_;
};

std::string HostName() {
  char buf[256];
  if (gethostname(buf, sizeof(buf)) != 0) return "localhost";
  buf[sizeof(buf) - 1] = '\0';
  return buf;
}

// Replication (ReplicaService + replica fetchers) as a BrokerService.
class ReplicationBrokerService : public BrokerService {
 public:
  explicit ReplicationBrokerService(std::unique_ptr<ReplicationService> r) : r_(std::move(r)) {}
  absl::Status Start() override { return r_->Start(); }
  void Stop() override { r_->Stop(); }
  ReplicationService* replication() { return r_.get(); }

 private:
  std::unique_ptr<ReplicationService> r_;
};

}  // namespace

BrokerServer::BrokerServer(BrokerConfig config) : config_(std::move(config)) {}

BrokerServer::~BrokerServer() { Shutdown(/*controlled=*/false); }

std::vector<int> BrokerServer::listener_ports() const {
  std::vector<int> out;
  for (const auto& s : servers_) out.push_back(s->port());
  return out;
}

absl::Status BrokerServer::Start() {
  const BrokerId me(config_.node_id);
  Clock* clock = Clock::Real();

  // Logs.
  storage::LogManagerOptions lo;
  lo.log_dirs = config_.log_dirs;
  lo.default_config = config_.default_log_config;
  lo.storage = config_.storage;
  absl::StatusOr<std::unique_ptr<storage::LogManager>> logs =
      storage::LogManager::Open(storage::Env::Default(), clock, lo);
  if (!logs.ok()) return logs.status();
  logs_ = *std::move(logs);
  LOG(INFO) << "opened " << logs_->log_count() << " partition logs";

  // Partitions.
  ReplicaManagerOptions ro;
  ro.broker_id = me;
  ro.replica_lag_time_max_ms = config_.replica_lag_time_max_ms;
  ro.min_insync_replicas = config_.min_insync_replicas;
  ro.default_log_config = config_.default_log_config;
  ro.sync_before_ack = config_.storage.sync_before_ack;
  replicas_ = std::make_unique<ReplicaManager>(ro, logs_.get(), clock, &metrics_);

  // Replication: installs the follower listener before any metadata arrives
  // and listens before we register our replica address.
  ReplicationServiceOptions rso;
  rso.listen_address = config_.replica_listener;
  rso.service.broker_id = me;
  rso.fetcher.broker_id = me;
  rso.fetcher.broker_epoch = [this] {
    return lifecycle_ != nullptr ? lifecycle_->broker_epoch() : -1;
  };
  rso.fetcher.max_wait_ms = config_.replica_fetch_wait_max_ms;
  rso.fetcher.max_bytes = config_.replica_fetch_response_max_bytes;
  rso.fetcher.partition_max_bytes = config_.replica_fetch_max_bytes;
  rso.fetcher.backoff_max = std::chrono::milliseconds(config_.replica_fetch_backoff_ms);
  rso.fetcher.sync_before_ack = config_.storage.sync_before_ack;
  auto replication = std::make_unique<ReplicationService>(rso, replicas_.get(), clock, &metrics_);
  absl::Status rs = replication->Listen();
  if (!rs.ok()) return rs;
  {
    // The address other brokers fetch from: the advertised one, with the
    // bound port when it says 0 and our host name when it names no host.
    std::string adv = config_.advertised_replica_listener.empty()
                          ? config_.replica_listener
                          : config_.advertised_replica_listener;
    size_t colon = adv.rfind(':');
    std::string host = colon == std::string::npos ? adv : adv.substr(0, colon);
    std::string port = colon == std::string::npos ? "0" : adv.substr(colon + 1);
    if (host.empty() || host == "0.0.0.0") host = HostName();
    if (port == "0") port = std::to_string(replication->bound_port());
    config_.advertised_replica_listener = absl::StrCat(host, ":", port);
  }
  services_.push_back(std::make_unique<ReplicationBrokerService>(std::move(replication)));

  // Controllers.
  absl::StatusOr<std::vector<controller::client::Voter>> voters =
      controller::client::ParseQuorumVoters(config_.controller_quorum_voters);
  if (!voters.ok()) return voters.status();
  controller::client::ControllerClientOptions co;
  co.voters = *voters;
  controller_ = std::make_unique<controller::client::ControllerClient>(co);
  blocking_pool_ = std::make_unique<ThreadPool>(4, 10000, "blocking");
  replicas_->SetAlterPartitionSender(
      [this](const Partition& p, const Partition::IsrChange& c,
             std::function<void(int16_t, std::optional<PartitionRegistration>)> done) {
        SendAlterPartition(p, c, std::move(done));
      });
  controller::client::MetadataFollowerOptions fo;
  fo.client = co;
  follower_ = std::make_unique<controller::client::MetadataFollower>(
      fo, me, [this](const controller::client::MetadataUpdateEvent& e) {
        replicas_->ApplyMetadata(e.before, e.after, e.changes);
      });
  follower_->Start();

  producer_ids_ = std::make_unique<ProducerIdManager>(
      [this]() -> absl::StatusOr<ProducerIdBlock> {
        controllerpb::AllocateProducerIdsRequest req;
        req.set_broker_id(config_.node_id);
        req.set_broker_epoch(lifecycle_ != nullptr ? lifecycle_->broker_epoch() : -1);
        absl::StatusOr<controllerpb::AllocateProducerIdsResponse> r =
            controller_->AllocateProducerIds(req);
        if (!r.ok()) return r.status();
        if (r->error().code() != 0) {
          return absl::UnavailableError(absl::StrCat("AllocateProducerIds: error ",
                                                     r->error().code(), " ", r->error().message()));
        }
        return ProducerIdBlock{r->producer_id_start(), r->producer_id_len()};
      },
      blocking_pool_.get());
  fetch_sessions_ = std::make_unique<FetchSessionCache>(
      config_.max_incremental_fetch_session_cache_slots, std::chrono::minutes(2));

  // Kafka listeners (bound now, serving once registered and caught up).
  ctx_.config = &config_;
  ctx_.clock = clock;
  ctx_.metrics = &metrics_;
  ctx_.replicas = replicas_.get();
  ctx_.controller = controller_.get();
  ctx_.blocking_pool = blocking_pool_.get();
  ctx_.fetch_sessions = fetch_sessions_.get();
  ctx_.producer_ids = producer_ids_.get();
  services_.push_back(std::make_unique<GroupBrokerService>(group::MakeGroupService(&ctx_)));
  dispatcher_ = std::make_unique<Dispatcher>(&metrics_);
  RegisterHandlers(dispatcher_.get(), &ctx_);
  int loops = config_.num_network_threads > 0
                  ? config_.num_network_threads
                  : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  loops_ = std::make_unique<EventLoops>(loops);
  for (size_t i = 0; i < config_.listeners.size(); ++i) {
    const Listener& l = config_.listeners[i];
    KafkaServerOptions so;
    so.host = l.host.empty() ? "0.0.0.0" : l.host;
    so.port = static_cast<uint16_t>(l.port);
    so.listener_name = l.name;
    so.socket_request_max_bytes = config_.socket_request_max_bytes;
    so.max_connections = config_.max_connections;
    so.connections_max_idle = std::chrono::milliseconds(config_.connections_max_idle_ms);
    auto s = std::make_unique<KafkaServer>(so, loops_.get(), dispatcher_.get());
    absl::Status st = s->Start();
    if (!st.ok()) return st;
    // An advertised listener with port 0 (tests) takes the bound port.
    for (Listener& a : config_.advertised_listeners) {
      if (a.name == l.name && a.port == 0) a.port = s->port();
      if (a.name == l.name && (a.host.empty() || a.host == "0.0.0.0")) a.host = HostName();
    }
    servers_.push_back(std::move(s));
  }
  absl::Status hs = StartHttp();
  if (!hs.ok()) return hs;

  // Register.
  BrokerLifecycleOptions lco;
  lco.broker_id = config_.node_id;
  lco.heartbeat_interval = std::chrono::milliseconds(config_.broker_heartbeat_interval_ms);
  controllerpb::RegisterBrokerRequest& reg = lco.registration;
  reg.set_broker_id(config_.node_id);
  absl::BitGen gen;
  Uuid incarnation = Uuid::Random(gen);
  reg.mutable_incarnation_id()->set_hi(incarnation.hi());
  reg.mutable_incarnation_id()->set_lo(incarnation.lo());
  for (const Listener& a : config_.advertised_listeners) {
    auto* ep = reg.add_endpoints();
    ep->set_name(a.name);
    ep->set_host(a.host);
    ep->set_port(a.port);
    ep->set_security_protocol(a.security_protocol);
  }
  reg.set_rack(config_.rack);
  reg.set_replica_address(config_.advertised_replica_listener);
  if (http_ != nullptr) {
    std::string host = config_.advertised_listeners.empty() ? HostName()
                                                             : config_.advertised_listeners[0].host;
    reg.set_http_address(absl::StrCat(host, ":", http_->port()));
  }
  lifecycle_ = std::make_unique<BrokerLifecycle>(
      lco, controller_.get(), [this] { return follower_->image()->offset().value(); });
  absl::StatusOr<int64_t> epoch = lifecycle_->Start(std::chrono::minutes(5));
  if (!epoch.ok()) return epoch.status();
  if (!follower_->WaitForOffset(metadata::MetadataOffset(*epoch), std::chrono::minutes(5))) {
    return absl::DeadlineExceededError("metadata did not catch up with our registration");
  }
  for (auto& s : services_) {
    absl::Status st = s->Start();
    if (!st.ok()) return st;
  }
  loops_->Start();
  replicas_->Start();
  if (!lifecycle_->WaitUntilUnfenced(std::chrono::seconds(30))) {
    LOG(WARNING) << "still fenced 30 s after registration; serving anyway";
  }
  ready_ = true;
  LOG(INFO) << "broker " << config_.node_id << " is ready";
  return absl::OkStatus();
}

void BrokerServer::Shutdown(bool controlled) {
  if (shut_down_.exchange(true)) return;
  ready_ = false;
  if (timeline_observer_ != nullptr) timeline_observer_->Stop();
  if (lifecycle_ != nullptr) {
    if (controlled && config_.controlled_shutdown_enable) {
      lifecycle_->ControlledShutdown(std::chrono::milliseconds(config_.controlled_shutdown_timeout_ms));
    } else {
      lifecycle_->Stop();
    }
  }
  for (auto& s : servers_) s->Stop();
  for (auto it = services_.rbegin(); it != services_.rend(); ++it) (*it)->Stop();
  if (replicas_ != nullptr) replicas_->Stop();
  if (follower_ != nullptr) follower_->Stop();
  if (loops_ != nullptr) loops_->Stop();
  servers_.clear();
  if (http_ != nullptr) http_->Stop();
  blocking_pool_.reset();
  if (logs_ != nullptr) {
    absl::Status s = logs_->Shutdown();
    if (!s.ok()) LOG(ERROR) << "log shutdown: " << s;
  }
}

void BrokerServer::SendAlterPartition(
    const Partition& p, const Partition::IsrChange& change,
    std::function<void(int16_t, std::optional<PartitionRegistration>)> done) {
  controllerpb::AlterPartitionRequest req;
  req.set_broker_id(config_.node_id);
  req.set_broker_epoch(lifecycle_ != nullptr ? lifecycle_->broker_epoch() : -1);
  req.mutable_topic_id()->set_hi(p.topic_id().hi());
  req.mutable_topic_id()->set_lo(p.topic_id().lo());
  req.set_partition_id(p.index());
  req.set_leader_epoch(change.leader_epoch.value());
  req.set_partition_epoch(change.partition_epoch.value());
  for (BrokerId b : change.new_isr) req.add_new_isr(b.value());
  bool queued = blocking_pool_->Submit([this, req, done = std::move(done)]() mutable {
    absl::StatusOr<controllerpb::AlterPartitionResponse> r = controller_->AlterPartition(req);
    if (!r.ok()) {
      done(kafka::ToWire(kafka::ErrorCode::kRequestTimedOut), std::nullopt);
      return;
    }
    if (r->error().code() != 0) {
      LOG(INFO) << "AlterPartition refused: " << r->error().code() << " " << r->error().message();
      done(static_cast<int16_t>(r->error().code()), std::nullopt);
      return;
    }
    PartitionRegistration reg;
    reg.leader = BrokerId(r->leader_id());
    reg.leader_epoch = LeaderEpoch(r->leader_epoch());
    reg.partition_epoch = PartitionEpoch(r->partition_epoch());
    for (int32_t b : r->isr()) reg.isr.push_back(BrokerId(b));
    done(0, reg);
  });
  if (!queued) done(kafka::ToWire(kafka::ErrorCode::kRequestTimedOut), std::nullopt);
}

absl::Status BrokerServer::StartHttp() {
  if (config_.http_port < 0) return absl::OkStatus();
  http_ = std::make_unique<http::HttpServer>();
  http_->Get("/metrics", [this](const http::HttpRequest&) {
    return http::HttpResponse{.content_type = "text/plain; version=0.0.4; charset=utf-8",
                              .body = metrics_.Render()};
  });
  http_->Get("/status", [this](const http::HttpRequest&) {
    return http::HttpResponse{.status = ready_.load() ? 200 : 503,
                              .content_type = "application/json",
                              .body = StatusJson()};
  });

  // The live cluster view.
  ClusterViewSourceOptions vo;
  vo.node_id = config_.node_id;
  absl::StatusOr<std::vector<controller::client::Voter>> voters =
      controller::client::ParseQuorumVoters(config_.controller_quorum_voters);
  if (voters.ok()) vo.voters = *voters;
  view_source_ = std::make_unique<ClusterViewSource>(
      vo, replicas_.get(), [this] { return ctx_.groups; }, Clock::Real());
  ui::ClusterViewRoutesOptions ro;
  ro.observe_on_request = false;
  ro.local_view = [this] { return view_source_->Local(); };
  ui::AddClusterViewRoutes(
      http_.get(), [this] { return view_source_->Full(); }, &timeline_, ro);
  timeline_observer_ = std::make_unique<ui::TimelineObserver>(
      &timeline_,
      [this] {
        ui::ClusterView v = view_source_->Local();
        // The observer also keeps the lag of the groups coordinated here for
        // /metrics, with the other leaders' offsets filled in.
        ui::MergeFactsFromPeers(&v, std::chrono::milliseconds(700));
        std::vector<ui::GroupView> mine;
        for (const ui::GroupView& g : v.groups) {
          if (g.coordinator && g.coordinator->value() == config_.node_id) mine.push_back(g);
        }
        absl::MutexLock lock(&lag_mu_);
        coordinated_groups_ = std::move(mine);
        return v;
      },
      std::chrono::milliseconds(1000));
  metrics_.AddCollector([this](metrics::SampleWriter& w) {
    // Each family's samples right after its HELP/TYPE lines.
    absl::MutexLock lock(&lag_mu_);
    w.Family("kafka_consumergroup_lag",
             "Records a group has not consumed yet (high watermark - committed offset).", "gauge");
    for (const ui::GroupView& g : coordinated_groups_) {
      for (const ui::GroupOffsetView& o : g.offsets) {
        if (!o.log_end_offset) continue;
        const int64_t lag =
            std::max<int64_t>(0, o.log_end_offset->value() - o.committed_offset.value());
        w.Sample("kafka_consumergroup_lag",
                 {{"group", g.group_id},
                  {"topic", o.topic},
                  {"partition", std::to_string(o.partition.value())}},
                 static_cast<double>(lag));
      }
    }
    w.Family("kafka_consumergroup_members", "Members of a group coordinated here.", "gauge");
    for (const ui::GroupView& g : coordinated_groups_) {
      w.Sample("kafka_consumergroup_members", {{"group", g.group_id}},
               static_cast<double>(g.members.size()));
    }
  });
  absl::Status st = http_->Start(config_.http_host, config_.http_port);
  if (!st.ok()) return st;
  timeline_observer_->Start();
  return absl::OkStatus();
}

std::string BrokerServer::StatusJson() const {
  nlohmann::json j;
  j["role"] = "broker";
  j["node_id"] = config_.node_id;
  j["ready"] = ready_.load();
  j["fenced"] = lifecycle_ == nullptr || lifecycle_->fenced();
  j["broker_epoch"] = lifecycle_ != nullptr ? lifecycle_->broker_epoch() : -1;
  j["metadata_offset"] = follower_ != nullptr ? follower_->image()->offset().value() : -1;
  nlohmann::json listeners = nlohmann::json::array();
  for (const Listener& l : config_.advertised_listeners) {
    listeners.push_back(absl::StrCat(l.name, "://", l.host, ":", l.port));
  }
  j["advertised_listeners"] = listeners;
  int leaders = 0, partitions = 0;
  if (replicas_ != nullptr) {
    for (const auto& p : replicas_->All()) {
      ++partitions;
      if (p->is_leader()) ++leaders;
    }
  }
  j["partitions"] = partitions;
  j["leaders"] = leaders;
  return j.dump();
}

}  // namespace gregor::broker
