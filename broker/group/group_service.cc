#include "broker/group/group_service.h"

#include <random>

#include "glog/logging.h"

namespace gregor::broker::group {

GroupServiceOptions GroupServiceOptionsFromConfig(const BrokerConfig& config) {
  GroupServiceOptions o;
  o.coordinator.offsets_topic_num_partitions = config.offsets_topic_num_partitions;
  CoordinatorOptions& c = o.coordinator.coordinator;
  c.group_min_session_timeout_ms = static_cast<int32_t>(config.group_min_session_timeout_ms);
  c.group_max_session_timeout_ms = static_cast<int32_t>(config.group_max_session_timeout_ms);
  c.group_initial_rebalance_delay_ms =
      static_cast<int32_t>(config.group_initial_rebalance_delay_ms);
  c.group_max_size = config.group_max_size;
  c.offsets_retention_ms = config.offsets_retention_minutes * 60 * 1000;
  std::random_device rd;
  o.coordinator.random_seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return o;
}

GroupService::GroupService(GroupServiceOptions options, ReplicaManager* replicas, Clock* clock)
    : options_(std::move(options)),
      replicas_(replicas),
      io_(std::make_shared<asio::io_context>(1)),
      timer_(io_.get(), clock),
      log_(replicas, io_, options_.append_timeout),
      encoder_(options_.encoder) {
  coordinator_ =
      std::make_unique<GroupCoordinator>(options_.coordinator, clock, &timer_, &log_, &encoder_);
  OffsetsLoaderOptions lo = options_.loader;
  lo.offsets_topic_num_partitions = options_.coordinator.offsets_topic_num_partitions;
  loader_ = std::make_unique<OffsetsLoader>(lo, coordinator_.get(), replicas_, io_);
}

GroupService::~GroupService() { Stop(); }

absl::Status GroupService::Start() {
  if (started_) return absl::FailedPreconditionError("the group service was started already");
  started_ = true;
  work_.emplace(asio::make_work_guard(*io_));
  io_thread_ = std::thread([io = io_] {
    pthread_setname_np(pthread_self(), "group-io");
    io->run();
  });
  loader_->Start();
  LOG(INFO) << "group coordinator started (" << options_.coordinator.offsets_topic_num_partitions
            << " __consumer_offsets partitions)";
  return absl::OkStatus();
}

void GroupService::Stop() {
  if (stopped_) return;
  stopped_ = true;
  loader_->Stop();  // unloads everything: parked requests are answered
  log_.Stop();
  timer_.CancelAll();
  work_.reset();
  io_->stop();
  if (io_thread_.joinable()) io_thread_.join();
}

std::unique_ptr<GroupService> MakeGroupService(BrokerContext* ctx) {
  CHECK(ctx->config != nullptr && ctx->replicas != nullptr && ctx->clock != nullptr);
  auto service = std::make_unique<GroupService>(GroupServiceOptionsFromConfig(*ctx->config),
                                                ctx->replicas, ctx->clock);
  ctx->groups = service->coordinator();
  return service;
}

}  // namespace gregor::broker::group
