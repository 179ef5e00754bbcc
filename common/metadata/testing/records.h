// Builders for metadata records in tests (controller and broker tests too).
#ifndef GREGOR_COMMON_METADATA_TESTING_RECORDS_H_
#define GREGOR_COMMON_METADATA_TESTING_RECORDS_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "common/metadata/types.h"
#include "common/uuid.h"
#include "proto/metadata.pb.h"

namespace gregor::metadata::testing {

inline MetadataRecord RegisterBroker(int id, int64_t epoch = 0, bool fenced = true,
                                     std::string rack = "", gregor::Uuid incarnation = {7, 7}) {
  MetadataRecord rec;
  auto* r = rec.mutable_register_broker();
  r->set_broker_id(id);
  r->set_broker_epoch(epoch);
  r->set_fenced(fenced);
  r->set_rack(std::move(rack));
  UuidToProto(incarnation, r->mutable_incarnation_id());
  auto* e = r->add_endpoints();
  e->set_name("PLAINTEXT");
  e->set_host("127.0.0.1");
  e->set_port(9092 + id);
  e->set_security_protocol("PLAINTEXT");
  r->set_replica_address("127.0.0.1:" + std::to_string(19092 + id));
  return rec;
}

inline MetadataRecord BrokerChange(int id, int64_t epoch, FenceChange fence,
                                   std::optional<bool> shutting_down = std::nullopt) {
  MetadataRecord rec;
  auto* r = rec.mutable_broker_registration_change();
  r->set_broker_id(id);
  r->set_broker_epoch(epoch);
  r->set_fenced(fence);
  if (shutting_down) r->set_in_controlled_shutdown(*shutting_down);
  return rec;
}

inline MetadataRecord Topic(const std::string& name, gregor::Uuid id) {
  MetadataRecord rec;
  rec.mutable_topic()->set_name(name);
  UuidToProto(id, rec.mutable_topic()->mutable_topic_id());
  return rec;
}

inline MetadataRecord Partition(gregor::Uuid topic, int partition, std::vector<int> replicas,
                                std::vector<int> isr, int leader, int leader_epoch = 0,
                                int partition_epoch = 0) {
  MetadataRecord rec;
  auto* r = rec.mutable_partition();
  UuidToProto(topic, r->mutable_topic_id());
  r->set_partition_id(partition);
  for (int b : replicas) r->add_replicas(b);
  for (int b : isr) r->add_isr(b);
  r->set_leader(leader);
  r->set_leader_epoch(leader_epoch);
  r->set_partition_epoch(partition_epoch);
  return rec;
}

// A PartitionChangeRecord; pass std::nullopt to leave a field unchanged.
inline MetadataRecord PartitionChange(gregor::Uuid topic, int partition,
                                      std::optional<int> leader,
                                      std::optional<std::vector<int>> isr,
                                      std::optional<std::vector<int>> replicas = std::nullopt) {
  MetadataRecord rec;
  auto* r = rec.mutable_partition_change();
  UuidToProto(topic, r->mutable_topic_id());
  r->set_partition_id(partition);
  if (leader) r->set_leader(*leader);
  if (isr) {
    auto* l = r->mutable_isr();
    for (int b : *isr) l->add_values(b);
  }
  if (replicas) {
    auto* l = r->mutable_replicas();
    for (int b : *replicas) l->add_values(b);
  }
  return rec;
}

inline MetadataRecord RemoveTopic(gregor::Uuid id) {
  MetadataRecord rec;
  UuidToProto(id, rec.mutable_remove_topic()->mutable_topic_id());
  return rec;
}

inline MetadataRecord Config(ConfigResourceType type, const std::string& resource,
                             const std::string& key, std::optional<std::string> value) {
  MetadataRecord rec;
  auto* c = rec.mutable_config();
  c->set_resource_type(type);
  c->set_resource_name(resource);
  c->set_name(key);
  if (value) c->set_value(*value);
  return rec;
}

inline MetadataRecord ProducerIds(int broker, int64_t epoch, int64_t next) {
  MetadataRecord rec;
  rec.mutable_producer_ids()->set_broker_id(broker);
  rec.mutable_producer_ids()->set_broker_epoch(epoch);
  rec.mutable_producer_ids()->set_next_producer_id(next);
  return rec;
}

inline MetadataBatch Batch(std::initializer_list<MetadataRecord> records) {
  MetadataBatch b;
  for (const auto& r : records) *b.add_records() = r;
  return b;
}

inline std::vector<BrokerId> Ids(std::initializer_list<int> ids) {
  std::vector<BrokerId> out;
  for (int i : ids) out.push_back(BrokerId(i));
  return out;
}

}  // namespace gregor::metadata::testing

#endif  // GREGOR_COMMON_METADATA_TESTING_RECORDS_H_
