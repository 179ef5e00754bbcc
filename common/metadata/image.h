// MetadataImage: the cluster metadata as of one offset of the metadata log —
// registered brokers, topics and their partitions, dynamic configs and the
// producer-id allocator. The controllers and every broker hold one.
//
// Images are immutable and published as std::shared_ptr<const MetadataImage>.
// A MetadataDelta (delta.h) replays records on top of an image and produces
// the next image; unchanged brokers, topics and partitions are shared between
// the two (PersistentMap), so one partition change costs O(log n).
//
// Thread-safety: immutable, so any number of threads may read one image
// without locks. Pointers returned by accessors stay valid while the image
// (or a later image that shares the object) is alive.
#ifndef GREGOR_COMMON_METADATA_IMAGE_H_
#define GREGOR_COMMON_METADATA_IMAGE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/metadata/partition_registration.h"
#include "common/metadata/persistent_map.h"
#include "common/metadata/types.h"
#include "common/strong_int.h"
#include "common/uuid.h"
#include "proto/metadata.pb.h"

namespace gregor::metadata {

// One broker's current registration.
struct BrokerRegistration {
  BrokerId id{-1};
  gregor::Uuid incarnation_id;
  BrokerEpoch epoch{0};
  std::vector<BrokerEndpoint> endpoints;  // Kafka listeners, as registered
  std::string rack;                       // "" = no rack
  std::string replica_address;            // host:port of its ReplicaService
  std::string http_address;               // host:port of its HTTP server
  // A fenced broker leads nothing and is in no ISR (except as the last
  // member of an ISR that cannot shrink further).
  bool fenced = true;
  bool in_controlled_shutdown = false;

  // Unfenced and not shutting down: may lead partitions and join ISRs.
  bool IsActive() const { return !fenced && !in_controlled_shutdown; }

  friend bool operator==(const BrokerRegistration& a, const BrokerRegistration& b);
};

using PartitionMap = PersistentMap<PartitionId, std::shared_ptr<const PartitionRegistration>>;

// One topic and its partitions.
class TopicImage {
 public:
  TopicImage(std::string name, gregor::Uuid id, PartitionMap partitions = {})
      : name_(std::move(name)), id_(id), partitions_(std::move(partitions)) {}

  const std::string& name() const { return name_; }
  gregor::Uuid id() const { return id_; }
  // Partitions by id (ids are 0..n-1 for topics created by the controller).
  const PartitionMap& partitions() const { return partitions_; }
  int32_t num_partitions() const { return static_cast<int32_t>(partitions_.size()); }
  // nullptr when absent.
  const PartitionRegistration* partition(PartitionId id) const;
  std::shared_ptr<const PartitionRegistration> partition_ptr(PartitionId id) const;

 private:
  std::string name_;
  gregor::Uuid id_;
  PartitionMap partitions_;
};

using BrokerMap = PersistentMap<BrokerId, std::shared_ptr<const BrokerRegistration>>;
using TopicMap = PersistentMap<gregor::Uuid, std::shared_ptr<const TopicImage>>;
using TopicNameMap = PersistentMap<std::string, gregor::Uuid>;
// One resource's dynamic configs, key -> value.
using ConfigEntries = std::map<std::string, std::string, std::less<>>;
using ConfigMap = PersistentMap<ConfigResource, std::shared_ptr<const ConfigEntries>>;

class MetadataImage {
 public:
  // The image before any record: offset 0, nothing registered.
  static std::shared_ptr<const MetadataImage> Empty();

  // Offset of the last batch applied (0: none).
  MetadataOffset offset() const { return offset_; }

  // --- brokers ---
  const BrokerMap& brokers() const { return brokers_; }
  // nullptr when not registered.
  const BrokerRegistration* broker(BrokerId id) const;

  // --- topics ---
  const TopicMap& topics() const { return topics_; }
  const TopicNameMap& topic_ids_by_name() const { return topics_by_name_; }
  // nullptr when absent.
  const TopicImage* topic(gregor::Uuid id) const;
  const TopicImage* topic(std::string_view name) const;
  std::shared_ptr<const TopicImage> topic_ptr(gregor::Uuid id) const;
  const PartitionRegistration* partition(gregor::Uuid topic_id, PartitionId partition) const;
  // Kafka refuses a topic whose name equals an existing one once '.' is
  // replaced by '_' (metric names would collide). Returns the existing topic
  // that `name` collides with, if any (never `name` itself).
  std::optional<std::string> CollidingTopic(std::string_view name) const;
  // Total partitions over all topics.
  int64_t total_partitions() const { return total_partitions_; }

  // --- dynamic configs ---
  const ConfigMap& configs() const { return configs_; }
  // nullptr when the resource has no dynamic config.
  const ConfigEntries* configs(const ConfigResource& resource) const;
  std::optional<std::string> config(const ConfigResource& resource, std::string_view key) const;

  // --- producer ids ---
  // The first producer id not yet handed out.
  int64_t next_producer_id() const { return next_producer_id_; }

  // The records that rebuild this image from an empty one (a snapshot), in a
  // deterministic order: brokers by id, broker configs, topics by name each
  // followed by its configs and partitions, the producer-id state.
  MetadataBatch ToRecords() const;

  // Multi-line human-readable dump, deterministic (for tests and /status).
  std::string DebugString() const;

 private:
  friend class MetadataDelta;
  MetadataImage() = default;

  MetadataOffset offset_{0};
  BrokerMap brokers_;
  TopicMap topics_;
  TopicNameMap topics_by_name_;
  // Normalized name ('.' -> '_') -> topic name, for names containing '.' or '_'.
  PersistentMap<std::string, std::string> collision_names_;
  int64_t total_partitions_ = 0;
  ConfigMap configs_;
  int64_t next_producer_id_ = 0;
};

// Topic names with '.' or '_' may collide; this is the normalized form.
bool HasCollisionChars(std::string_view topic);
std::string UnifyCollisionChars(std::string_view topic);

}  // namespace gregor::metadata

#endif  // GREGOR_COMMON_METADATA_IMAGE_H_
