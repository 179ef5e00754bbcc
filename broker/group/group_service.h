// GroupService: the group coordinator running inside a broker. Owns the
// GroupCoordinator (broker/group/group_coordinator.h) and what it needs from
// the broker:
//   - a CoordinatorLog over the ReplicaManager (replica_coordinator_log.h):
//     appends to the led __consumer_offsets partition, complete at acks=all;
//   - a CoordinatorTimer (asio_coordinator_timer.h);
//   - the loader (offsets_loader.h): loads a partition when this broker
//     becomes its leader and unloads it when it stops leading;
// plus one thread ("group-io") running an io_context for timers and append
// completions, and one loader thread.
//
//   std::unique_ptr<GroupService> groups = MakeGroupService(&ctx);  // sets ctx.groups
//   RETURN_IF_ERROR(groups->Start());
//   ...
//   groups->Stop();   // before the ReplicaManager and the log manager stop
//
// FindCoordinator (broker/kafka/handlers/find_coordinator.cc) creates
// __consumer_offsets on demand and points clients at its partition leaders.
//
// Thread-safety: Start/Stop from one thread; coordinator() is thread-safe.
// Lifetime: the ReplicaManager and the clock must outlive the service; the
// Kafka handlers use coordinator() until the service is destroyed.
#ifndef GREGOR_BROKER_GROUP_GROUP_SERVICE_H_
#define GREGOR_BROKER_GROUP_GROUP_SERVICE_H_

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "absl/status/status.h"
#include "asio.hpp"
#include "broker/config/broker_config.h"
#include "broker/group/asio_coordinator_timer.h"
#include "broker/group/batch_codec.h"
#include "broker/group/group_coordinator.h"
#include "broker/group/offsets_loader.h"
#include "broker/group/replica_coordinator_log.h"
#include "broker/kafka/broker_context.h"
#include "broker/replica/replica_manager.h"
#include "common/clock.h"

namespace gregor::broker::group {

struct GroupServiceOptions {
  GroupCoordinatorOptions coordinator;
  OffsetsLoaderOptions loader;  // its offsets_topic_num_partitions is the coordinator's
  // How long a coordinator write may wait for replication
  // (Kafka's offsets.commit.timeout.ms).
  std::chrono::milliseconds append_timeout{5000};
  CoordinatorBatchEncoderOptions encoder;
};

// Kafka's group settings from the broker's configuration (and a random seed
// for member ids).
GroupServiceOptions GroupServiceOptionsFromConfig(const BrokerConfig& config);

class GroupService {
 public:
  GroupService(GroupServiceOptions options, ReplicaManager* replicas, Clock* clock);
  ~GroupService();  // Stop()
  GroupService(const GroupService&) = delete;
  GroupService& operator=(const GroupService&) = delete;

  // Starts the threads and the loader (which picks up partitions already led).
  absl::Status Start();
  // Unloads every partition (parked requests get NOT_COORDINATOR), refuses
  // further writes, stops the threads. Idempotent. The coordinator stays
  // usable (it answers NOT_COORDINATOR).
  void Stop();

  GroupCoordinator* coordinator() { return coordinator_.get(); }
  OffsetsLoaderStats loader_stats() const { return loader_->stats(); }

 private:
  const GroupServiceOptions options_;
  ReplicaManager* const replicas_;
  // Declaration order is destruction order, reversed: the loader stops
  // first, the io_context goes last.
  std::shared_ptr<asio::io_context> io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread io_thread_;
  AsioCoordinatorTimer timer_;
  ReplicaCoordinatorLog log_;
  CoordinatorBatchEncoder encoder_;
  std::unique_ptr<GroupCoordinator> coordinator_;
  std::unique_ptr<OffsetsLoader> loader_;
  bool started_ = false;
  bool stopped_ = false;
};

// Builds the service for a broker from ctx->config, ctx->replicas and
// ctx->clock, and sets ctx->groups to its coordinator.
std::unique_ptr<GroupService> MakeGroupService(BrokerContext* ctx);

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_GROUP_SERVICE_H_
