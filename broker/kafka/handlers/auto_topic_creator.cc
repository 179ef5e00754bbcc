#include "broker/kafka/handlers/auto_topic_creator.h"

#include "broker/kafka/handlers/admin_util.h"
#include "controller/client/controller_client.h"
#include "glog/logging.h"

namespace gregor::broker {
namespace {

// Kafka's offsets.topic.segment.bytes default (also used for the
// transaction state topic).
constexpr const char* kInternalTopicSegmentBytes = "104857600";

}  // namespace

AutoTopicCreator::AutoTopicCreator(const BrokerContext* ctx, AutoTopicCreatorOptions options)
    : ctx_(ctx), options_(options) {}

size_t AutoTopicCreator::in_flight() const {
  absl::MutexLock l(&state_->mu);
  return state_->in_flight.size();
}

controllerpb::CreatableTopic AutoTopicCreator::CreatableFor(const std::string& topic) const {
  controllerpb::CreatableTopic t;
  t.set_name(topic);
  const BrokerConfig& c = *ctx_->config;
  if (IsInternalTopic(topic)) {
    t.set_num_partitions(c.offsets_topic_num_partitions);
    t.set_replication_factor(c.offsets_topic_replication_factor);
    auto* policy = t.add_configs();
    policy->set_name("cleanup.policy");
    policy->set_value("compact");
    auto* segment = t.add_configs();
    segment->set_name("segment.bytes");
    segment->set_value(kInternalTopicSegmentBytes);
  } else {
    t.set_num_partitions(c.num_partitions);
    t.set_replication_factor(c.default_replication_factor);
  }
  return t;
}

std::vector<int16_t> AutoTopicCreator::Create(const std::vector<std::string>& topics) {
  std::vector<int16_t> errors;
  std::vector<std::string> to_send;
  {
    absl::MutexLock l(&state_->mu);
    for (const std::string& topic : topics) {
      if (InvalidTopicNameReason(topic)) {
        errors.push_back(Code(kafka::ErrorCode::kInvalidTopicException));
        continue;
      }
      errors.push_back(Code(kafka::ErrorCode::kUnknownTopicOrPartition));
      if (state_->in_flight.size() >= options_.max_in_flight) continue;
      if (state_->in_flight.insert(topic).second) to_send.push_back(topic);
    }
  }
  if (!to_send.empty()) Send(std::move(to_send));
  return errors;
}

void AutoTopicCreator::Send(std::vector<std::string> topics) {
  controllerpb::CreateTopicsRequest request;
  for (const std::string& t : topics) *request.add_topics() = CreatableFor(t);
  std::shared_ptr<State> state = state_;
  auto done = [state, topics] {
    absl::MutexLock l(&state->mu);
    for (const std::string& t : topics) state->in_flight.erase(t);
  };
  controller::client::ControllerClient* controller = ctx_->controller;
  bool queued = false;
  if (controller != nullptr && ctx_->blocking_pool != nullptr) {
    queued = ctx_->blocking_pool->Submit([controller, request = std::move(request), done] {
      absl::StatusOr<controllerpb::CreateTopicsResponse> r = controller->CreateTopics(request);
      if (!r.ok()) {
        LOG(WARNING) << "auto-creating topics: no controller answered: " << r.status();
      } else {
        for (const auto& t : r->topics()) {
          if (t.error().code() == 0) {
            LOG(INFO) << "auto-created topic " << t.name() << " (" << t.num_partitions()
                      << " partitions, replication factor " << t.replication_factor() << ")";
          } else if (t.error().code() != Code(kafka::ErrorCode::kTopicAlreadyExists)) {
            LOG(WARNING) << "auto-creating topic " << t.name() << " failed: error "
                         << t.error().code() << " " << t.error().message();
          }
        }
      }
      done();
    });
  }
  if (!queued) {
    LOG(WARNING) << "cannot auto-create " << topics.size()
                 << " topic(s): no controller client or the blocking pool is full";
    done();
  }
}

}  // namespace gregor::broker
