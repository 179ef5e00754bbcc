// PartitionRegistration: what the metadata log says about one partition —
// its replicas, ISR, leader, epochs and any reassignment in flight. Built
// from a PartitionRecord and changed only by merging PartitionChangeRecords.
//
// Epoch rules (as in KRaft):
//   - every PartitionChangeRecord bumps the partition epoch by one;
//   - a PartitionChangeRecord that carries `leader` bumps the leader epoch by
//     one, even when the leader id stays the same (the controller uses this
//     to fence replicas that were removed);
//   - a PartitionRecord sets both epochs explicitly.
//
// A value type; immutable once published inside a MetadataImage.
#ifndef GREGOR_COMMON_METADATA_PARTITION_REGISTRATION_H_
#define GREGOR_COMMON_METADATA_PARTITION_REGISTRATION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/metadata/types.h"
#include "common/strong_int.h"
#include "common/uuid.h"
#include "proto/metadata.pb.h"

namespace gregor::metadata {

struct PartitionRegistration {
  // Replica order matters: replicas[0] is the preferred leader and
  // elections pick the first eligible replica in this order.
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> isr;
  // During a reassignment: replicas being removed / added. Both are subsets
  // of `replicas`; the target assignment is replicas - removing_replicas.
  std::vector<BrokerId> removing_replicas;
  std::vector<BrokerId> adding_replicas;
  BrokerId leader = kNoLeader;
  LeaderEpoch leader_epoch{0};
  PartitionEpoch partition_epoch{0};

  bool HasLeader() const { return leader != kNoLeader; }
  bool IsReassigning() const { return !removing_replicas.empty() || !adding_replicas.empty(); }
  BrokerId PreferredLeader() const { return replicas.empty() ? kNoLeader : replicas[0]; }
  bool HasPreferredLeader() const { return HasLeader() && leader == PreferredLeader(); }
  bool HasReplica(BrokerId b) const;
  bool InIsr(BrokerId b) const;
  // The replicas the reassignment ends with (replicas - removing_replicas).
  std::vector<BrokerId> TargetReplicas() const;

  // Checks the invariants: non-empty distinct replicas; ISR, adding and
  // removing are distinct subsets of replicas; adding and removing are
  // disjoint; the leader is -1 or a replica in the ISR; epochs >= 0.
  absl::Status Validate() const;

  // Builds a registration from a record (not validated).
  static PartitionRegistration FromRecord(const PartitionRecord& record);
  // Returns this registration with `change` applied and the epochs bumped, or
  // an error when the result breaks an invariant.
  absl::StatusOr<PartitionRegistration> Merge(const PartitionChangeRecord& change) const;
  void ToRecord(gregor::Uuid topic_id, PartitionId partition_id, PartitionRecord* out) const;

  // "replicas=[1, 2, 3] isr=[1, 2] leader=1 leader_epoch=4 partition_epoch=7"
  std::string DebugString() const;

  friend bool operator==(const PartitionRegistration&, const PartitionRegistration&) = default;
};

// Membership test on a small broker list.
bool ContainsBroker(const std::vector<BrokerId>& ids, BrokerId b);

}  // namespace gregor::metadata

#endif  // GREGOR_COMMON_METADATA_PARTITION_REGISTRATION_H_
