#include "broker/replica/replication_service.h"

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace gregor::broker {

ReplicationService::ReplicationService(ReplicationServiceOptions options,
                                       ReplicaManager* replicas, Clock* clock,
                                       metrics::Registry* metrics, LeaderEndpointFactory endpoints)
    : options_(std::move(options)), replicas_(replicas) {
  if (!endpoints) {
    GrpcLeaderEndpointOptions eo = options_.endpoint;
    eo.max_receive_message_bytes =
        std::max(eo.max_receive_message_bytes, options_.fetcher.max_bytes + (16 << 20));
    endpoints = [eo](BrokerId, const std::string& address) {
      return NewGrpcLeaderEndpoint(address, eo);
    };
  }
  service_ = std::make_unique<ReplicaServiceImpl>(replicas_, &replicas_->replica_timer_loop(),
                                                  options_.service, metrics);
  fetchers_ = std::make_unique<ReplicaFetcherManager>(
      options_.fetcher, std::move(endpoints), [replicas] { return replicas->image(); }, clock,
      metrics);
  ReplicaFetcherManager* f = fetchers_.get();
  replicas_->SetFollowerListener(ReplicaManager::FollowerListener{
      [f](const std::vector<std::shared_ptr<Partition>>& ps) { f->Follow(ps); },
      [f](const std::vector<std::shared_ptr<Partition>>& ps) { f->Unfollow(ps); }});
}

ReplicationService::~ReplicationService() { Stop(); }

absl::Status ReplicationService::Listen() {
  if (server_ != nullptr) return absl::OkStatus();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen_address, grpc::InsecureServerCredentials(), &bound_port_);
  builder.RegisterService(service_.get());
  builder.SetMaxSendMessageSize(options_.service.max_response_bytes_cap + (16 << 20));
  builder.SetMaxReceiveMessageSize(16 << 20);
  grpc::ResourceQuota quota("replica-service");
  quota.SetMaxThreads(options_.max_server_threads);
  builder.SetResourceQuota(quota);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || bound_port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for replication on ", options_.listen_address));
  }
  LOG(INFO) << "ReplicaService listening on " << options_.listen_address << " (port "
            << bound_port_ << ")";
  return absl::OkStatus();
}

absl::Status ReplicationService::Start() {
  absl::Status s = Listen();
  if (!s.ok()) return s;
  fetchers_->Start();
  return absl::OkStatus();
}

void ReplicationService::Stop() {
  if (stopped_) return;
  stopped_ = true;
  // Stop following first (nothing of ours is appended after this), then stop
  // serving followers.
  replicas_->SetFollowerListener({});
  fetchers_->Stop();
  service_->Shutdown();
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_->Wait();
  }
}

}  // namespace gregor::broker
