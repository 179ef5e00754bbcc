#include "common/metadata/delta.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status.h"

namespace gregor::metadata {

MetadataDelta::MetadataDelta(std::shared_ptr<const MetadataImage> base)
    : base_(std::move(base)), current_(*base_) {}

std::shared_ptr<const MetadataImage> MetadataDelta::Apply() const {
  return std::shared_ptr<const MetadataImage>(new MetadataImage(current_));
}

void MetadataDelta::AdvanceOffset(MetadataOffset offset) {
  if (offset > current_.offset_) current_.offset_ = offset;
}

absl::Status MetadataDelta::ReplayBatch(MetadataOffset offset, const MetadataBatch& batch) {
  MetadataImage saved = current_;
  auto saved_partitions = changed_partitions_;
  auto saved_topics = changed_topics_;
  bool saved_brokers = brokers_changed_;
  for (int i = 0; i < batch.records_size(); ++i) {
    absl::Status s = Replay(offset, batch.records(i));
    if (!s.ok()) {
      current_ = std::move(saved);
      changed_partitions_ = std::move(saved_partitions);
      changed_topics_ = std::move(saved_topics);
      brokers_changed_ = saved_brokers;
      return absl::Status(s.code(), absl::StrCat("record ", i, " of the batch at offset ",
                                                 offset.value(), ": ", s.message()));
    }
  }
  AdvanceOffset(offset);
  return absl::OkStatus();
}

absl::Status MetadataDelta::Replay(MetadataOffset offset, const MetadataRecord& record) {
  if (offset < current_.offset_) {
    return absl::InvalidArgumentError(absl::StrCat("offset ", offset.value(),
                                                   " is below the image offset ",
                                                   current_.offset_.value()));
  }
  absl::Status s;
  switch (record.record_case()) {
    case MetadataRecord::kRegisterBroker:
      s = ReplayRegisterBroker(offset, record.register_broker());
      break;
    case MetadataRecord::kUnregisterBroker:
      s = ReplayUnregisterBroker(record.unregister_broker());
      break;
    case MetadataRecord::kBrokerRegistrationChange:
      s = ReplayBrokerChange(record.broker_registration_change());
      break;
    case MetadataRecord::kTopic:
      s = ReplayTopic(record.topic());
      break;
    case MetadataRecord::kPartition:
      s = ReplayPartition(record.partition());
      break;
    case MetadataRecord::kPartitionChange:
      s = ReplayPartitionChange(record.partition_change());
      break;
    case MetadataRecord::kRemoveTopic:
      s = ReplayRemoveTopic(record.remove_topic());
      break;
    case MetadataRecord::kConfig:
      s = ReplayConfig(record.config());
      break;
    case MetadataRecord::kProducerIds:
      s = ReplayProducerIds(record.producer_ids());
      break;
    case MetadataRecord::kNoOp:
      break;
    case MetadataRecord::RECORD_NOT_SET:
      s = absl::InvalidArgumentError("empty metadata record (unknown record type?)");
      break;
  }
  if (s.ok()) AdvanceOffset(offset);
  return s;
}

absl::Status MetadataDelta::ReplayRegisterBroker(MetadataOffset offset,
                                                 const RegisterBrokerRecord& r) {
  if (r.broker_id() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("invalid broker id ", r.broker_id()));
  }
  auto b = std::make_shared<BrokerRegistration>();
  b->id = BrokerId(r.broker_id());
  b->incarnation_id = UuidFromProto(r.incarnation_id());
  b->epoch = BrokerEpoch(r.broker_epoch() != 0 ? r.broker_epoch() : offset.value());
  b->endpoints.assign(r.endpoints().begin(), r.endpoints().end());
  b->rack = r.rack();
  b->replica_address = r.replica_address();
  b->http_address = r.http_address();
  b->fenced = r.fenced();
  b->in_controlled_shutdown = r.in_controlled_shutdown();
  if (const BrokerRegistration* old = current_.broker(b->id); old != nullptr && old->epoch > b->epoch) {
    return absl::FailedPreconditionError(
        absl::StrCat("registration of broker ", r.broker_id(), " with epoch ", b->epoch.value(),
                     " is older than the current epoch ", old->epoch.value()));
  }
  const BrokerId id = b->id;
  current_.brokers_.Put(id, std::move(b));
  brokers_changed_ = true;
  return absl::OkStatus();
}

absl::Status MetadataDelta::ReplayUnregisterBroker(const UnregisterBrokerRecord& r) {
  const BrokerRegistration* b = current_.broker(BrokerId(r.broker_id()));
  if (b == nullptr) {
    return absl::NotFoundError(absl::StrCat("broker ", r.broker_id(), " is not registered"));
  }
  if (b->epoch.value() != r.broker_epoch()) {
    return absl::FailedPreconditionError(absl::StrCat("unregister of broker ", r.broker_id(),
                                                      " epoch ", r.broker_epoch(),
                                                      " but its epoch is ", b->epoch.value()));
  }
  current_.brokers_.Remove(BrokerId(r.broker_id()));
  brokers_changed_ = true;
  return absl::OkStatus();
}

absl::Status MetadataDelta::ReplayBrokerChange(const BrokerRegistrationChangeRecord& r) {
  const BrokerRegistration* b = current_.broker(BrokerId(r.broker_id()));
  if (b == nullptr) {
    return absl::NotFoundError(absl::StrCat("broker ", r.broker_id(), " is not registered"));
  }
  if (b->epoch.value() != r.broker_epoch()) {
    return absl::FailedPreconditionError(absl::StrCat("change of broker ", r.broker_id(),
                                                      " epoch ", r.broker_epoch(),
                                                      " but its epoch is ", b->epoch.value()));
  }
  auto next = std::make_shared<BrokerRegistration>(*b);
  switch (r.fenced()) {
    case FENCE:
      next->fenced = true;
      break;
    case UNFENCE:
      next->fenced = false;
      break;
    case FENCE_NONE:
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown fence change ", r.fenced()));
  }
  if (r.has_in_controlled_shutdown()) next->in_controlled_shutdown = r.in_controlled_shutdown();
  const BrokerId id = next->id;
  current_.brokers_.Put(id, std::move(next));
  brokers_changed_ = true;
  return absl::OkStatus();
}

absl::Status MetadataDelta::ReplayTopic(const TopicRecord& r) {
  gregor::Uuid id = UuidFromProto(r.topic_id());
  if (r.name().empty()) return absl::InvalidArgumentError("topic record without a name");
  if (id.IsZero()) {
    return absl::InvalidArgumentError(absl::StrCat("topic ", r.name(), " has the zero topic id"));
  }
  if (current_.topics_by_name_.Contains(r.name())) {
    return absl::AlreadyExistsError(absl::StrCat("topic ", r.name(), " already exists"));
  }
  if (current_.topics_.Contains(id)) {
    return absl::AlreadyExistsError(absl::StrCat("topic id ", id.ToBase64(), " already exists"));
  }
  current_.topics_.Put(id, std::make_shared<const TopicImage>(r.name(), id));
  current_.topics_by_name_.Put(r.name(), id);
  if (HasCollisionChars(r.name())) {
    std::string normalized = UnifyCollisionChars(r.name());
    if (!current_.collision_names_.Contains(normalized)) {
      current_.collision_names_.Put(std::move(normalized), r.name());
    }
  }
  changed_topics_.insert(id);
  return absl::OkStatus();
}

void MetadataDelta::SetPartition(const TopicImage& topic, PartitionId id, PartitionRegistration p) {
  auto next = std::make_shared<const TopicImage>(
      topic.name(), topic.id(),
      topic.partitions().Set(id, std::make_shared<const PartitionRegistration>(std::move(p))));
  current_.topics_.Put(topic.id(), std::move(next));
  changed_partitions_.insert({topic.id(), id});
  changed_topics_.insert(topic.id());
}

absl::Status MetadataDelta::ReplayPartition(const PartitionRecord& r) {
  gregor::Uuid topic_id = UuidFromProto(r.topic_id());
  const TopicImage* topic = current_.topic(topic_id);
  if (topic == nullptr) {
    return absl::NotFoundError(absl::StrCat("partition ", r.partition_id(), " of unknown topic id ",
                                            topic_id.ToBase64()));
  }
  if (r.partition_id() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("invalid partition id ", r.partition_id()));
  }
  PartitionRegistration p = PartitionRegistration::FromRecord(r);
  if (absl::Status s = p.Validate(); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("partition ", topic->name(), "-", r.partition_id(), ": ", s.message()));
  }
  if (topic->partition(PartitionId(r.partition_id())) == nullptr) ++current_.total_partitions_;
  SetPartition(*topic, PartitionId(r.partition_id()), std::move(p));
  return absl::OkStatus();
}

absl::Status MetadataDelta::ReplayPartitionChange(const PartitionChangeRecord& r) {
  gregor::Uuid topic_id = UuidFromProto(r.topic_id());
  const TopicImage* topic = current_.topic(topic_id);
  if (topic == nullptr) {
    return absl::NotFoundError(absl::StrCat("change of partition ", r.partition_id(),
                                            " of unknown topic id ", topic_id.ToBase64()));
  }
  const PartitionRegistration* old = topic->partition(PartitionId(r.partition_id()));
  if (old == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("change of unknown partition ", topic->name(), "-", r.partition_id()));
  }
  absl::StatusOr<PartitionRegistration> next = old->Merge(r);
  if (!next.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("change of partition ", topic->name(), "-",
                                                   r.partition_id(), ": ", next.status().message()));
  }
  SetPartition(*topic, PartitionId(r.partition_id()), *std::move(next));
  return absl::OkStatus();
}

absl::Status MetadataDelta::ReplayRemoveTopic(const RemoveTopicRecord& r) {
  gregor::Uuid id = UuidFromProto(r.topic_id());
  const TopicImage* topic = current_.topic(id);
  if (topic == nullptr) {
    return absl::NotFoundError(absl::StrCat("removal of unknown topic id ", id.ToBase64()));
  }
  const std::string name = topic->name();
  current_.total_partitions_ -= topic->num_partitions();
  current_.topics_.Remove(id);
  current_.topics_by_name_.Remove(name);
  if (HasCollisionChars(name)) {
    std::string normalized = UnifyCollisionChars(name);
    const std::string* holder = current_.collision_names_.Find(normalized);
    if (holder != nullptr && *holder == name) current_.collision_names_.Remove(normalized);
  }
  current_.configs_.Remove(ConfigResource{CONFIG_RESOURCE_TOPIC, name});
  changed_topics_.insert(id);
  return absl::OkStatus();
}

absl::Status MetadataDelta::ReplayConfig(const ConfigRecord& r) {
  if (r.resource_type() != CONFIG_RESOURCE_TOPIC && r.resource_type() != CONFIG_RESOURCE_BROKER) {
    return absl::InvalidArgumentError(
        absl::StrCat("config record for unknown resource type ", r.resource_type()));
  }
  if (r.name().empty()) return absl::InvalidArgumentError("config record without a key");
  ConfigResource resource{r.resource_type(), r.resource_name()};
  if (resource.type == CONFIG_RESOURCE_TOPIC && !current_.topics_by_name_.Contains(resource.name)) {
    return absl::NotFoundError(absl::StrCat("config for unknown topic ", resource.name));
  }
  const ConfigEntries* old = current_.configs(resource);
  auto next = std::make_shared<ConfigEntries>(old ? *old : ConfigEntries{});
  if (r.has_value()) {
    (*next)[r.name()] = r.value();
  } else {
    next->erase(r.name());
  }
  if (next->empty()) {
    current_.configs_.Remove(resource);
  } else {
    current_.configs_.Put(std::move(resource), std::move(next));
  }
  return absl::OkStatus();
}

absl::Status MetadataDelta::ReplayProducerIds(const ProducerIdsRecord& r) {
  if (r.next_producer_id() <= current_.next_producer_id_) {
    return absl::FailedPreconditionError(
        absl::StrCat("producer-id block ending at ", r.next_producer_id(),
                     " does not move past ", current_.next_producer_id_));
  }
  current_.next_producer_id_ = r.next_producer_id();
  return absl::OkStatus();
}

namespace {

bool LocalLess(const LocalPartition& a, const LocalPartition& b) {
  return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
}

}  // namespace

LocalReplicaChanges MetadataDelta::LocalChanges(BrokerId broker) const {
  LocalReplicaChanges out;
  // Deleted topics: every partition the broker had goes.
  for (const gregor::Uuid& id : changed_topics_) {
    const TopicImage* before = base_->topic(id);
    if (before == nullptr || current_.topic(id) != nullptr) continue;
    for (const auto& [pid, p] : before->partitions()) {
      if (p->HasReplica(broker)) out.deletes.push_back({before->name(), id, pid, p});
    }
  }
  for (const auto& [topic_id, pid] : changed_partitions_) {
    const TopicImage* topic = current_.topic(topic_id);
    if (topic == nullptr) continue;  // deleted later in the delta: handled above
    std::shared_ptr<const PartitionRegistration> now = topic->partition_ptr(pid);
    const PartitionRegistration* before = base_->partition(topic_id, pid);
    LocalPartition lp{topic->name(), topic_id, pid, now};
    if (now->HasReplica(broker)) {
      (now->leader == broker ? out.leaders : out.followers).push_back(std::move(lp));
    } else if (before != nullptr && before->HasReplica(broker)) {
      lp.registration = base_->topic(topic_id)->partition_ptr(pid);
      out.deletes.push_back(std::move(lp));
    }
  }
  std::sort(out.leaders.begin(), out.leaders.end(), LocalLess);
  std::sort(out.followers.begin(), out.followers.end(), LocalLess);
  std::sort(out.deletes.begin(), out.deletes.end(), LocalLess);
  return out;
}

LocalReplicaChanges DiffLocalChanges(const MetadataImage& before, const MetadataImage& after,
                                     BrokerId broker) {
  LocalReplicaChanges out;
  for (const auto& [tid, topic] : after.topics()) {
    const TopicImage* old_topic = before.topic(tid);
    for (const auto& [pid, p] : topic->partitions()) {
      std::shared_ptr<const PartitionRegistration> old =
          old_topic == nullptr ? nullptr : old_topic->partition_ptr(pid);
      if (old != nullptr && (old == p || *old == *p)) continue;
      LocalPartition lp{topic->name(), tid, pid, p};
      if (p->HasReplica(broker)) {
        (p->leader == broker ? out.leaders : out.followers).push_back(std::move(lp));
      } else if (old != nullptr && old->HasReplica(broker)) {
        lp.registration = old;
        out.deletes.push_back(std::move(lp));
      }
    }
  }
  for (const auto& [tid, topic] : before.topics()) {
    const TopicImage* now = after.topic(tid);
    for (const auto& [pid, p] : topic->partitions()) {
      if (!p->HasReplica(broker)) continue;
      if (now != nullptr && now->partition(pid) != nullptr) continue;
      out.deletes.push_back({topic->name(), tid, pid, p});
    }
  }
  std::sort(out.leaders.begin(), out.leaders.end(), LocalLess);
  std::sort(out.followers.begin(), out.followers.end(), LocalLess);
  std::sort(out.deletes.begin(), out.deletes.end(), LocalLess);
  return out;
}

absl::StatusOr<std::shared_ptr<const MetadataImage>> ImageFromRecords(MetadataOffset offset,
                                                                      const MetadataBatch& batch) {
  MetadataDelta delta(MetadataImage::Empty());
  RETURN_IF_ERROR(delta.ReplayBatch(offset, batch));
  return delta.Apply();
}

namespace {

std::string Ids(const google::protobuf::RepeatedField<int32_t>& ids) {
  return absl::StrCat("[", absl::StrJoin(ids, ","), "]");
}

std::string TopicId(const metadata::Uuid& u) { return UuidFromProto(u).ToBase64(); }

}  // namespace

std::string RecordDebugString(const MetadataRecord& record) {
  switch (record.record_case()) {
    case MetadataRecord::kRegisterBroker: {
      const auto& r = record.register_broker();
      return absl::StrCat("RegisterBroker id=", r.broker_id(), " epoch=", r.broker_epoch(),
                          " incarnation=", TopicId(r.incarnation_id()), " rack=", r.rack(),
                          " fenced=", r.fenced());
    }
    case MetadataRecord::kUnregisterBroker:
      return absl::StrCat("UnregisterBroker id=", record.unregister_broker().broker_id(),
                          " epoch=", record.unregister_broker().broker_epoch());
    case MetadataRecord::kBrokerRegistrationChange: {
      const auto& r = record.broker_registration_change();
      std::string s = absl::StrCat("BrokerRegistrationChange id=", r.broker_id(),
                                   " epoch=", r.broker_epoch());
      if (r.fenced() == FENCE) absl::StrAppend(&s, " fence");
      if (r.fenced() == UNFENCE) absl::StrAppend(&s, " unfence");
      if (r.has_in_controlled_shutdown()) {
        absl::StrAppend(&s, " in_controlled_shutdown=", r.in_controlled_shutdown());
      }
      return s;
    }
    case MetadataRecord::kTopic:
      return absl::StrCat("Topic name=", record.topic().name(),
                          " id=", TopicId(record.topic().topic_id()));
    case MetadataRecord::kPartition: {
      const auto& r = record.partition();
      std::string s = absl::StrCat("Partition ", TopicId(r.topic_id()), "-", r.partition_id(),
                                   " replicas=", Ids(r.replicas()), " isr=", Ids(r.isr()),
                                   " leader=", r.leader(), " leader_epoch=", r.leader_epoch(),
                                   " partition_epoch=", r.partition_epoch());
      if (r.adding_replicas_size() > 0) absl::StrAppend(&s, " adding=", Ids(r.adding_replicas()));
      if (r.removing_replicas_size() > 0) {
        absl::StrAppend(&s, " removing=", Ids(r.removing_replicas()));
      }
      return s;
    }
    case MetadataRecord::kPartitionChange: {
      const auto& r = record.partition_change();
      std::string s = absl::StrCat("PartitionChange ", TopicId(r.topic_id()), "-", r.partition_id());
      if (r.has_leader()) absl::StrAppend(&s, " leader=", r.leader());
      if (r.has_isr()) absl::StrAppend(&s, " isr=", Ids(r.isr().values()));
      if (r.has_replicas()) absl::StrAppend(&s, " replicas=", Ids(r.replicas().values()));
      if (r.has_adding_replicas()) absl::StrAppend(&s, " adding=", Ids(r.adding_replicas().values()));
      if (r.has_removing_replicas()) {
        absl::StrAppend(&s, " removing=", Ids(r.removing_replicas().values()));
      }
      return s;
    }
    case MetadataRecord::kRemoveTopic:
      return absl::StrCat("RemoveTopic id=", TopicId(record.remove_topic().topic_id()));
    case MetadataRecord::kConfig: {
      const auto& r = record.config();
      return absl::StrCat("Config ", r.resource_type() == CONFIG_RESOURCE_TOPIC ? "topic" : "broker",
                          ":", r.resource_name(), " ", r.name(),
                          r.has_value() ? absl::StrCat("=", r.value()) : std::string(" deleted"));
    }
    case MetadataRecord::kProducerIds:
      return absl::StrCat("ProducerIds broker=", record.producer_ids().broker_id(),
                          " next=", record.producer_ids().next_producer_id());
    case MetadataRecord::kNoOp:
      return "NoOp";
    case MetadataRecord::RECORD_NOT_SET:
      break;
  }
  return "Empty";
}

}  // namespace gregor::metadata
