// MetadataDelta: replays metadata records on top of a base MetadataImage and
// produces the next image. The single way metadata changes, on the active
// controller, on standby controllers, on brokers, and when loading a
// snapshot (replay a snapshot's records on MetadataImage::Empty()).
//
// Usage:
//   MetadataDelta delta(image);
//   RETURN_IF_ERROR(delta.ReplayBatch(offset, batch));
//   auto changes = delta.LocalChanges(my_broker_id);   // brokers
//   image = delta.Apply();
//
// Replay validates each record against the state so far and returns
// InvalidArgument / NotFound / AlreadyExists / FailedPrecondition without
// changing anything when a record does not apply (a corrupt or foreign log,
// or a controller bug). ReplayBatch is all-or-nothing.
//
// Cost: each record costs O(log n) (structural sharing, see
// persistent_map.h); Apply() is O(1). The delta can keep replaying after
// Apply(); every Apply() returns the state so far.
//
// Thread-safety: not thread-safe; the images it returns are.
#ifndef GREGOR_COMMON_METADATA_DELTA_H_
#define GREGOR_COMMON_METADATA_DELTA_H_

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/metadata/image.h"
#include "common/metadata/types.h"
#include "proto/metadata.pb.h"

namespace gregor::metadata {

// A partition that a broker must act on, with its registration (for
// `deletes`, the last registration before it went away).
struct LocalPartition {
  std::string topic;
  gregor::Uuid topic_id;
  PartitionId partition{0};
  std::shared_ptr<const PartitionRegistration> registration;
};

// What one broker must do after a delta (Kafka's localChanges):
//   leaders    partitions that changed (or are new) and that it now leads;
//   followers  partitions that changed (or are new) where it is a replica
//              but not the leader (also when the partition has no leader);
//   deletes    partitions it was a replica of and no longer is (topic
//              deleted, or removed from the replicas by a reassignment).
// A partition whose registration did not change in the delta is in no list.
// Each list is sorted by (topic name, partition).
struct LocalReplicaChanges {
  std::vector<LocalPartition> leaders;
  std::vector<LocalPartition> followers;
  std::vector<LocalPartition> deletes;
  bool empty() const { return leaders.empty() && followers.empty() && deletes.empty(); }
};

class MetadataDelta {
 public:
  explicit MetadataDelta(std::shared_ptr<const MetadataImage> base);

  // Applies one record of the batch at `offset`. REQUIRES: offsets never go
  // down (records of one batch share its offset).
  absl::Status Replay(MetadataOffset offset, const MetadataRecord& record);
  // Applies every record of a batch, or none of them.
  absl::Status ReplayBatch(MetadataOffset offset, const MetadataBatch& batch);
  // Moves the offset forward without records (a Raft no-op entry).
  void AdvanceOffset(MetadataOffset offset);

  // The image with everything replayed so far.
  std::shared_ptr<const MetadataImage> Apply() const;

  const MetadataImage& base() const { return *base_; }
  // The state so far, as an image (same as *Apply(), without allocating).
  const MetadataImage& current() const { return current_; }

  LocalReplicaChanges LocalChanges(BrokerId broker) const;

  // Topics created, changed or deleted since the base (by id).
  const std::set<gregor::Uuid>& changed_topics() const { return changed_topics_; }
  bool brokers_changed() const { return brokers_changed_; }

 private:
  absl::Status ReplayRegisterBroker(MetadataOffset offset, const RegisterBrokerRecord& r);
  absl::Status ReplayUnregisterBroker(const UnregisterBrokerRecord& r);
  absl::Status ReplayBrokerChange(const BrokerRegistrationChangeRecord& r);
  absl::Status ReplayTopic(const TopicRecord& r);
  absl::Status ReplayPartition(const PartitionRecord& r);
  absl::Status ReplayPartitionChange(const PartitionChangeRecord& r);
  absl::Status ReplayRemoveTopic(const RemoveTopicRecord& r);
  absl::Status ReplayConfig(const ConfigRecord& r);
  absl::Status ReplayProducerIds(const ProducerIdsRecord& r);

  void SetPartition(const TopicImage& topic, PartitionId id, PartitionRegistration p);

  std::shared_ptr<const MetadataImage> base_;
  MetadataImage current_;
  // Partitions replaced since the base: (topic id, partition id).
  std::set<std::pair<gregor::Uuid, PartitionId>> changed_partitions_;
  std::set<gregor::Uuid> changed_topics_;
  bool brokers_changed_ = false;
};

// LocalChanges between two unrelated images (e.g. before and after loading a
// snapshot): every partition of `broker` whose registration differs, and the
// partitions it no longer has. O(partitions).
LocalReplicaChanges DiffLocalChanges(const MetadataImage& before, const MetadataImage& after,
                                     BrokerId broker);

// Builds an image from a snapshot's records (MetadataImage::ToRecords()) taken
// at `offset`.
absl::StatusOr<std::shared_ptr<const MetadataImage>> ImageFromRecords(MetadataOffset offset,
                                                                      const MetadataBatch& batch);

// One-line description of a record for logs and golden files.
std::string RecordDebugString(const MetadataRecord& record);

}  // namespace gregor::metadata

#endif  // GREGOR_COMMON_METADATA_DELTA_H_
