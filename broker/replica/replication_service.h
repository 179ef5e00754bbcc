// Replication on one broker, as one startable piece: the ReplicaService gRPC
// server (leader side) on the replica listener, and the replica fetchers
// (follower side) fed by the ReplicaManager's follower listener.
//
// Construct it before the metadata follower starts (it installs the
// listener, so no partition change is missed); Listen() before the broker
// registers (so the registered address is the bound one); Start() once the
// broker has registered (it starts fetching); Stop() before the
// ReplicaManager goes.
//
// Thread-safety: Start and Stop from one thread; the rest is internal.
#ifndef GREGOR_BROKER_REPLICA_REPLICATION_SERVICE_H_
#define GREGOR_BROKER_REPLICA_REPLICATION_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "broker/replica/leader_endpoint.h"
#include "broker/replica/replica_fetcher_manager.h"
#include "broker/replica/replica_manager.h"
#include "broker/replica/replica_service.h"
#include "common/clock.h"
#include "common/metrics/metrics.h"

namespace gregor::broker {

struct ReplicationServiceOptions {
  // host:port the ReplicaService listens on (port 0: any; see bound_port()).
  std::string listen_address = "0.0.0.0:9192";
  ReplicaServiceOptions service;
  ReplicaFetcherOptions fetcher;
  GrpcLeaderEndpointOptions endpoint;
  // gRPC server threads (one per open stream, plus pollers).
  int max_server_threads = 300;
};

class ReplicationService {
 public:
  // REQUIRES: `replicas`, `clock` and `metrics` outlive the service.
  // `endpoints` null: gRPC to each leader's replica_address.
  ReplicationService(ReplicationServiceOptions options, ReplicaManager* replicas, Clock* clock,
                     metrics::Registry* metrics, LeaderEndpointFactory endpoints = nullptr);
  ~ReplicationService();  // Stop()

  // Binds the ReplicaService listener and starts serving followers.
  absl::Status Listen();
  // Starts the fetchers (and listens, if not done yet).
  absl::Status Start();
  void Stop();

  int bound_port() const { return bound_port_; }
  ReplicaFetcherManager* fetchers() { return fetchers_.get(); }
  ReplicaServiceImpl* service() { return service_.get(); }

 private:
  const ReplicationServiceOptions options_;
  ReplicaManager* const replicas_;
  std::unique_ptr<ReplicaServiceImpl> service_;
  std::unique_ptr<ReplicaFetcherManager> fetchers_;
  std::unique_ptr<grpc::Server> server_;
  int bound_port_ = 0;
  bool stopped_ = false;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_REPLICA_REPLICATION_SERVICE_H_
