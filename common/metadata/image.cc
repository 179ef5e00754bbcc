#include "common/metadata/image.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"

namespace gregor::metadata {

bool operator==(const BrokerRegistration& a, const BrokerRegistration& b) {
  if (a.endpoints.size() != b.endpoints.size()) return false;
  for (size_t i = 0; i < a.endpoints.size(); ++i) {
    if (!google::protobuf::util::MessageDifferencer::Equals(a.endpoints[i], b.endpoints[i])) {
      return false;
    }
  }
  return a.id == b.id && a.incarnation_id == b.incarnation_id && a.epoch == b.epoch &&
         a.rack == b.rack && a.replica_address == b.replica_address &&
         a.http_address == b.http_address && a.fenced == b.fenced &&
         a.in_controlled_shutdown == b.in_controlled_shutdown;
}

const PartitionRegistration* TopicImage::partition(PartitionId id) const {
  const auto* p = partitions_.Find(id);
  return p == nullptr ? nullptr : p->get();
}

std::shared_ptr<const PartitionRegistration> TopicImage::partition_ptr(PartitionId id) const {
  const auto* p = partitions_.Find(id);
  return p == nullptr ? nullptr : *p;
}

std::shared_ptr<const MetadataImage> MetadataImage::Empty() {
  static const auto* empty = new std::shared_ptr<const MetadataImage>(new MetadataImage());
  return *empty;
}

const BrokerRegistration* MetadataImage::broker(BrokerId id) const {
  const auto* b = brokers_.Find(id);
  return b == nullptr ? nullptr : b->get();
}

const TopicImage* MetadataImage::topic(gregor::Uuid id) const {
  const auto* t = topics_.Find(id);
  return t == nullptr ? nullptr : t->get();
}

std::shared_ptr<const TopicImage> MetadataImage::topic_ptr(gregor::Uuid id) const {
  const auto* t = topics_.Find(id);
  return t == nullptr ? nullptr : *t;
}

const TopicImage* MetadataImage::topic(std::string_view name) const {
  const gregor::Uuid* id = topics_by_name_.Find(name);
  return id == nullptr ? nullptr : topic(*id);
}

const PartitionRegistration* MetadataImage::partition(gregor::Uuid topic_id,
                                                      PartitionId partition) const {
  const TopicImage* t = topic(topic_id);
  return t == nullptr ? nullptr : t->partition(partition);
}

std::optional<std::string> MetadataImage::CollidingTopic(std::string_view name) const {
  if (!HasCollisionChars(name)) return std::nullopt;
  const std::string* existing = collision_names_.Find(UnifyCollisionChars(name));
  if (existing == nullptr || *existing == name) return std::nullopt;
  return *existing;
}

const ConfigEntries* MetadataImage::configs(const ConfigResource& resource) const {
  const auto* c = configs_.Find(resource);
  return c == nullptr ? nullptr : c->get();
}

std::optional<std::string> MetadataImage::config(const ConfigResource& resource,
                                                 std::string_view key) const {
  const ConfigEntries* entries = configs(resource);
  if (entries == nullptr) return std::nullopt;
  auto it = entries->find(key);
  if (it == entries->end()) return std::nullopt;
  return it->second;
}

namespace {

void AddConfigRecords(const ConfigResource& resource, const ConfigEntries& entries,
                      MetadataBatch* out) {
  for (const auto& [key, value] : entries) {
    ConfigRecord* c = out->add_records()->mutable_config();
    c->set_resource_type(resource.type);
    c->set_resource_name(resource.name);
    c->set_name(key);
    c->set_value(value);
  }
}

}  // namespace

MetadataBatch MetadataImage::ToRecords() const {
  MetadataBatch out;
  for (const auto& [id, b] : brokers_) {
    RegisterBrokerRecord* r = out.add_records()->mutable_register_broker();
    r->set_broker_id(id.value());
    UuidToProto(b->incarnation_id, r->mutable_incarnation_id());
    r->set_broker_epoch(b->epoch.value());
    for (const auto& e : b->endpoints) *r->add_endpoints() = e;
    r->set_rack(b->rack);
    r->set_fenced(b->fenced);
    r->set_replica_address(b->replica_address);
    r->set_http_address(b->http_address);
    r->set_in_controlled_shutdown(b->in_controlled_shutdown);
  }
  for (const auto& [resource, entries] : configs_) {
    if (resource.type != CONFIG_RESOURCE_TOPIC) AddConfigRecords(resource, *entries, &out);
  }
  for (const auto& [name, id] : topics_by_name_) {
    const TopicImage* t = topic(id);
    TopicRecord* tr = out.add_records()->mutable_topic();
    tr->set_name(name);
    UuidToProto(id, tr->mutable_topic_id());
    if (const ConfigEntries* c = configs(ConfigResource{CONFIG_RESOURCE_TOPIC, name})) {
      AddConfigRecords(ConfigResource{CONFIG_RESOURCE_TOPIC, name}, *c, &out);
    }
    for (const auto& [pid, p] : t->partitions()) {
      p->ToRecord(id, pid, out.add_records()->mutable_partition());
    }
  }
  if (next_producer_id_ > 0) {
    ProducerIdsRecord* r = out.add_records()->mutable_producer_ids();
    r->set_broker_id(-1);
    r->set_next_producer_id(next_producer_id_);
  }
  return out;
}

std::string MetadataImage::DebugString() const {
  std::string s = absl::StrCat("offset ", offset_.value(), "\n");
  for (const auto& [id, b] : brokers_) {
    absl::StrAppend(&s, "broker ", id.value(), " epoch=", b->epoch.value(),
                    " incarnation=", b->incarnation_id.ToBase64(), " rack=", b->rack,
                    b->fenced ? " fenced" : " unfenced",
                    b->in_controlled_shutdown ? " shutting-down" : "", "\n");
  }
  for (const auto& [name, id] : topics_by_name_) {
    const TopicImage* t = topic(id);
    absl::StrAppend(&s, "topic ", name, " id=", id.ToBase64(), "\n");
    for (const auto& [pid, p] : t->partitions()) {
      absl::StrAppend(&s, "  ", name, "-", pid.value(), " ", p->DebugString(), "\n");
    }
  }
  for (const auto& [resource, entries] : configs_) {
    for (const auto& [key, value] : *entries) {
      absl::StrAppend(&s, "config ", static_cast<int>(resource.type), "/", resource.name, " ", key,
                      "=", value, "\n");
    }
  }
  absl::StrAppend(&s, "next_producer_id ", next_producer_id_, "\n");
  return s;
}

bool HasCollisionChars(std::string_view topic) {
  return topic.find_first_of("._") != std::string_view::npos;
}

std::string UnifyCollisionChars(std::string_view topic) {
  std::string out(topic);
  std::replace(out.begin(), out.end(), '.', '_');
  return out;
}

}  // namespace gregor::metadata
