#include "broker/group/coordinator_locator.h"

#include "broker/group/offsets_topic.h"
#include "broker/group/partitioner.h"
#include "glog/logging.h"

namespace gregor::broker::group {
namespace {

constexpr int32_t kTopicAlreadyExists = 36;

}  // namespace

CoordinatorLocator::CoordinatorLocator(CoordinatorLocatorOptions options, ImageFn image,
                                       CreateTopicsFn create, ThreadPool* pool, Clock* clock)
    : options_(options),
      image_(std::move(image)),
      create_(std::move(create)),
      pool_(pool),
      clock_(clock) {}

controllerpb::CreateTopicsRequest CoordinatorLocator::OffsetsTopicRequest(
    const CoordinatorLocatorOptions& options) {
  controllerpb::CreateTopicsRequest req;
  controllerpb::CreatableTopic* t = req.add_topics();
  t->set_name(kOffsetsTopic);
  t->set_num_partitions(options.offsets_topic_num_partitions);
  t->set_replication_factor(options.offsets_topic_replication_factor);
  for (const auto& [name, value] : OffsetsTopicConfigs()) {
    controllerpb::TopicConfig* c = t->add_configs();
    c->set_name(std::string(name));
    c->set_value(std::string(value));
  }
  return req;
}

int64_t CoordinatorLocator::create_attempts() const {
  absl::MutexLock l(&creation_->mu);
  return creation_->attempts;
}

CoordinatorLocation CoordinatorLocator::Locate(std::string_view group_id,
                                               const std::string& listener_name) {
  CoordinatorLocation out;
  out.error = ErrorCode::kCoordinatorNotAvailable;
  std::shared_ptr<const metadata::MetadataImage> image = image_();
  const metadata::TopicImage* topic = image->topic(kOffsetsTopic);
  if (topic == nullptr) {
    MaybeCreate(*image);
    return out;
  }
  const int32_t partition = PartitionForGroup(group_id, options_.offsets_topic_num_partitions);
  const metadata::PartitionRegistration* reg = topic->partition(PartitionId(partition));
  if (reg == nullptr) {
    LOG_EVERY_N(ERROR, 100) << kOffsetsTopic << " has " << topic->num_partitions()
                            << " partitions, fewer than offsets.topic.num.partitions ("
                            << options_.offsets_topic_num_partitions << ")";
    return out;
  }
  if (!reg->HasLeader()) return out;
  const metadata::BrokerRegistration* broker = image->broker(reg->leader);
  if (broker == nullptr || broker->fenced) return out;
  for (const auto& e : broker->endpoints) {
    if (e.name() != listener_name) continue;
    out.error = ErrorCode::kNone;
    out.node_id = broker->id.value();
    out.host = e.host();
    out.port = e.port();
    return out;
  }
  VLOG(1) << "broker " << broker->id << " has no endpoint for listener " << listener_name;
  return out;
}

void CoordinatorLocator::MaybeCreate(const metadata::MetadataImage& image) {
  if (pool_ == nullptr || !create_) return;
  int live = 0;
  for (const auto& [id, b] : image.brokers()) {
    if (b->IsActive()) ++live;
  }
  if (live < options_.offsets_topic_replication_factor) {
    LOG_EVERY_N(WARNING, 100) << "not creating " << kOffsetsTopic << " yet: " << live
                              << " live brokers, offsets.topic.replication.factor is "
                              << options_.offsets_topic_replication_factor;
    return;
  }
  const auto now = clock_->Now();
  {
    absl::MutexLock l(&creation_->mu);
    if (creation_->in_flight) return;
    if (creation_->attempted && now - creation_->last_attempt < options_.create_retry_interval) {
      return;
    }
    creation_->in_flight = true;
    creation_->attempted = true;
    creation_->last_attempt = now;
    ++creation_->attempts;
  }
  LOG(INFO) << "creating " << kOffsetsTopic << " (" << options_.offsets_topic_num_partitions
            << " partitions, replication factor " << options_.offsets_topic_replication_factor
            << ")";
  std::shared_ptr<Creation> creation = creation_;
  CreateTopicsFn create = create_;
  controllerpb::CreateTopicsRequest req = OffsetsTopicRequest(options_);
  bool queued = pool_->Submit([creation, create, req] {
    absl::StatusOr<controllerpb::CreateTopicsResponse> resp = create(req);
    if (!resp.ok()) {
      LOG(WARNING) << "creating " << kOffsetsTopic << " failed: " << resp.status();
    } else if (resp->error().code() != 0) {
      LOG(WARNING) << "creating " << kOffsetsTopic << " failed: " << resp->error().code() << " "
                   << resp->error().message();
    } else {
      for (const auto& t : resp->topics()) {
        if (t.error().code() != 0 && t.error().code() != kTopicAlreadyExists) {
          LOG(WARNING) << "creating " << kOffsetsTopic << " failed: " << t.error().code() << " "
                       << t.error().message();
        }
      }
    }
    absl::MutexLock l(&creation->mu);
    creation->in_flight = false;
  });
  if (!queued) {
    absl::MutexLock l(&creation_->mu);
    creation_->in_flight = false;
  }
}

}  // namespace gregor::broker::group
