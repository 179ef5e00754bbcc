// Controller: construction, replay, liveness and the partition-wide helpers
// shared by the operations (the operations live in *_ops.cc).
#include "controller/controller.h"

#include "absl/strings/str_cat.h"
#include "controller/configs.h"
#include "glog/logging.h"

namespace gregor::controller {

using metadata::BrokerRegistration;
using metadata::MetadataImage;
using metadata::MetadataRecord;

RecordBuilder::RecordBuilder(std::shared_ptr<const MetadataImage> image)
    : delta_(image), offset_(image->offset() + 1) {}

void RecordBuilder::Add(MetadataRecord record) {
  absl::Status s = delta_.Replay(offset_, record);
  CHECK(s.ok()) << "controller generated a record that does not apply: " << s << ": "
                << metadata::RecordDebugString(record);
  records_.push_back(std::move(record));
}

Controller::Controller(ControllerOptions options, uint64_t random_seed)
    : options_(options), rng_(random_seed), image_(MetadataImage::Empty()) {}

absl::Status Controller::Replay(metadata::MetadataOffset offset, const metadata::MetadataBatch& batch) {
  metadata::MetadataDelta delta(image_);
  absl::Status s = delta.ReplayBatch(offset, batch);
  if (!s.ok()) return s;
  image_ = delta.Apply();
  return absl::OkStatus();
}

void Controller::ResetImage(std::shared_ptr<const MetadataImage> image) { image_ = std::move(image); }

void Controller::Activate(TimePoint now) {
  active_ = true;
  last_contact_.clear();
  for (const auto& [id, b] : image_->brokers()) last_contact_[id] = now;
}

void Controller::Deactivate() {
  active_ = false;
  last_contact_.clear();
}

void Controller::ExtendSessions(std::chrono::nanoseconds by) {
  for (auto& [id, t] : last_contact_) {
    t += std::chrono::duration_cast<TimePoint::duration>(by);
  }
}

ApiError ErrorFromProto(const controllerpb::Error& e) {
  return {static_cast<KafkaError>(e.code()), e.message()};
}

ApiError Controller::CheckBrokerEpoch(BrokerId broker, int64_t epoch) const {
  const BrokerRegistration* b = image_->broker(broker);
  if (b == nullptr) {
    return MakeError(KafkaError::kStaleBrokerEpoch,
                     absl::StrCat("No broker registration found for broker ", broker.value()));
  }
  if (b->epoch.value() != epoch) {
    return MakeError(KafkaError::kStaleBrokerEpoch,
                     absl::StrCat("Expected broker epoch ", b->epoch.value(),
                                  ", but got broker epoch ", epoch));
  }
  return ApiError::None();
}

PartitionChangeBuilder::Acceptor Controller::ActiveBrokers(const MetadataImage& image,
                                                           BrokerId except) const {
  return [&image, except](BrokerId b) {
    if (b == except) return false;
    const BrokerRegistration* r = image.broker(b);
    return r != nullptr && r->IsActive();
  };
}

bool Controller::UncleanAllowed(const MetadataImage& image, std::string_view topic) const {
  if (auto v = image.config({metadata::CONFIG_RESOURCE_TOPIC, std::string(topic)},
                            "unclean.leader.election.enable")) {
    if (auto b = ParseConfigBool(*v)) return *b;
  }
  if (auto v = image.config({metadata::CONFIG_RESOURCE_BROKER, ""}, "unclean.leader.election.enable")) {
    if (auto b = ParseConfigBool(*v)) return *b;
  }
  return options_.unclean_leader_election_enable;
}

void Controller::RemoveBrokerFromPartitions(BrokerId broker, RecordBuilder& builder) const {
  // Snapshot the topic list first: the builder's view changes as we add.
  std::vector<std::shared_ptr<const metadata::TopicImage>> topics;
  for (const auto& [id, topic] : builder.view().topics()) topics.push_back(topic);
  for (const auto& topic : topics) {
    const bool unclean = UncleanAllowed(builder.view(), topic->name());
    for (const auto& [pid, p] : topic->partitions()) {
      if (p->leader != broker && !p->InIsr(broker)) continue;
      auto result = PartitionChangeBuilder(*p, topic->id(), pid, ActiveBrokers(builder.view(), broker))
                        .SetTargetIsr(IsrWithout(p->isr, broker))
                        .SetUncleanAllowed(unclean)
                        .Build();
      if (result) builder.Add(std::move(result->record));
    }
  }
}

void Controller::ElectForUnfencedBroker(BrokerId broker, RecordBuilder& builder) const {
  std::vector<std::shared_ptr<const metadata::TopicImage>> topics;
  for (const auto& [id, topic] : builder.view().topics()) topics.push_back(topic);
  for (const auto& topic : topics) {
    const bool unclean = UncleanAllowed(builder.view(), topic->name());
    for (const auto& [pid, p] : topic->partitions()) {
      if (p->HasLeader() || !p->HasReplica(broker)) continue;
      auto result = PartitionChangeBuilder(*p, topic->id(), pid, ActiveBrokers(builder.view()))
                        .SetUncleanAllowed(unclean)
                        .Build();
      if (result) builder.Add(std::move(result->record));
    }
  }
}

void Controller::Fence(BrokerId broker, RecordBuilder& builder) const {
  const BrokerRegistration* b = builder.view().broker(broker);
  CHECK(b != nullptr) << "fencing unregistered broker " << broker;
  const int64_t epoch = b->epoch.value();
  RemoveBrokerFromPartitions(broker, builder);
  MetadataRecord r;
  auto* c = r.mutable_broker_registration_change();
  c->set_broker_id(broker.value());
  c->set_broker_epoch(epoch);
  c->set_fenced(metadata::FENCE);
  builder.Add(std::move(r));
}

ControllerResult<std::vector<BrokerId>> Controller::FenceExpiredBrokers(TimePoint now) const {
  ControllerResult<std::vector<BrokerId>> out;
  if (!active_) return out;
  RecordBuilder builder(image_);
  for (const auto& [id, b] : image_->brokers()) {
    if (b->fenced) continue;
    auto it = last_contact_.find(id);
    // A broker never heard from by this controller was registered before it
    // became active (Activate covers those) or is unknown: give it time.
    if (it == last_contact_.end()) continue;
    if (now - it->second <= options_.broker_session_timeout) continue;
    LOG(INFO) << "Fencing broker " << id << ": no heartbeat for "
              << std::chrono::duration_cast<std::chrono::milliseconds>(now - it->second).count()
              << " ms (session timeout " << options_.broker_session_timeout.count() << " ms)";
    Fence(id, builder);
    out.response.push_back(id);
  }
  out.records = builder.Take();
  return out;
}

std::vector<MetadataRecord> Controller::RebalanceLeaders() const {
  RecordBuilder builder(image_);
  int elections = 0;
  for (const auto& [tid, topic] : image_->topics()) {
    for (const auto& [pid, p] : topic->partitions()) {
      if (elections >= options_.max_elections_per_rebalance) return builder.Take();
      if (p->HasPreferredLeader()) continue;
      auto result = PartitionChangeBuilder(*p, tid, pid, ActiveBrokers(*image_))
                        .SetElection(Election::kPreferred)
                        .Build();
      if (result && result->next.leader == p->PreferredLeader()) {
        builder.Add(std::move(result->record));
        ++elections;
      }
    }
  }
  return builder.Take();
}

std::vector<MetadataRecord> Controller::ElectOfflineLeaders() const {
  RecordBuilder builder(image_);
  for (const auto& [tid, topic] : image_->topics()) {
    const bool unclean = UncleanAllowed(*image_, topic->name());
    for (const auto& [pid, p] : topic->partitions()) {
      if (p->HasLeader()) continue;
      auto result = PartitionChangeBuilder(*p, tid, pid, ActiveBrokers(*image_))
                        .SetUncleanAllowed(unclean)
                        .Build();
      if (result && result->next.HasLeader()) builder.Add(std::move(result->record));
      if (static_cast<int32_t>(builder.size()) >= options_.max_records_per_operation) {
        return builder.Take();
      }
    }
  }
  return builder.Take();
}

}  // namespace gregor::controller
