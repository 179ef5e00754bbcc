// One Gregor broker: owns every component and the order they start and stop
// in. main.cc turns flags into a BrokerConfig and runs one of these; tests can
// run several in one process.
//
// Start: open the logs (recovering them), follow the controllers' metadata,
// bind the Kafka listeners, register with the controller quorum, wait until
// the image includes our registration, then serve (event loops start) and
// heartbeat until unfenced.
// Shutdown: controlled (the controller moves our leaderships away first)
// or immediate; then stop serving, close the logs cleanly.
#ifndef GREGOR_BROKER_BROKER_SERVER_H_
#define GREGOR_BROKER_BROKER_SERVER_H_

#include <atomic>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "broker/cluster_view_source.h"
#include "broker/config/broker_config.h"
#include "broker/kafka/broker_context.h"
#include "broker/kafka/dispatcher.h"
#include "broker/kafka/fetch_session.h"
#include "broker/kafka/server/event_loops.h"
#include "broker/kafka/server/kafka_server.h"
#include "broker/lifecycle/broker_lifecycle.h"
#include "broker/producer/producer_id_manager.h"
#include "broker/replica/replica_manager.h"
#include "broker/storage/log_manager.h"
#include "common/http/http_server.h"
#include "common/metrics/metrics.h"
#include "common/thread_pool.h"
#include "common/ui/event_timeline.h"
#include "common/ui/timeline_observer.h"
#include "controller/client/controller_client.h"
#include "controller/client/metadata_follower.h"

namespace gregor::broker {

// Optional parts other modules plug in (the group coordinator service, the
// replica fetchers and ReplicaService): started after the core, stopped
// before it.
class BrokerService {
 public:
  virtual ~BrokerService() = default;
  virtual absl::Status Start() = 0;
  virtual void Stop() = 0;
};

class BrokerServer {
 public:
  explicit BrokerServer(BrokerConfig config);
  ~BrokerServer();

  absl::Status Start();
  // Controlled shutdown when `controlled` and the controller answers within
  // the configured timeout; then an orderly stop. Idempotent.
  void Shutdown(bool controlled);

  bool ready() const { return ready_.load(); }
  const BrokerConfig& config() const { return config_; }
  BrokerContext* context() { return &ctx_; }
  metrics::Registry* metrics() { return &metrics_; }
  ReplicaManager* replicas() { return replicas_.get(); }
  // Bound port of each Kafka listener, in config order.
  std::vector<int> listener_ports() const;
  int http_port() const { return http_ != nullptr ? http_->port() : 0; }

 private:
  absl::Status StartHttp();
  void SendAlterPartition(const Partition& p, const Partition::IsrChange& change,
                          std::function<void(int16_t, std::optional<PartitionRegistration>)> done);
  std::string StatusJson() const;

  BrokerConfig config_;
  metrics::Registry metrics_;
  std::unique_ptr<storage::LogManager> logs_;
  std::unique_ptr<ReplicaManager> replicas_;
  std::unique_ptr<controller::client::ControllerClient> controller_;
  std::unique_ptr<controller::client::MetadataFollower> follower_;
  std::unique_ptr<ThreadPool> blocking_pool_;
  std::unique_ptr<ProducerIdManager> producer_ids_;
  std::unique_ptr<FetchSessionCache> fetch_sessions_;
  std::unique_ptr<BrokerLifecycle> lifecycle_;
  BrokerContext ctx_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<EventLoops> loops_;
  std::vector<std::unique_ptr<KafkaServer>> servers_;
  std::vector<std::unique_ptr<BrokerService>> services_;
  std::unique_ptr<http::HttpServer> http_;
  // The live cluster view (/ui, /api/cluster): built on HTTP threads, its
  // timeline fed by the observer thread.
  std::unique_ptr<ClusterViewSource> view_source_;
  ui::EventTimeline timeline_;
  std::unique_ptr<ui::TimelineObserver> timeline_observer_;
  // Consumer lag of the groups coordinated here, from the observer's last
  // view (rendered by a /metrics collector).
  mutable absl::Mutex lag_mu_;
  std::vector<ui::GroupView> coordinated_groups_ ABSL_GUARDED_BY(lag_mu_);
  std::atomic<bool> ready_{false};
  std::atomic<bool> shut_down_{false};
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_BROKER_SERVER_H_
