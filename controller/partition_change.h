// PartitionChangeBuilder: decides the next state of one partition from a
// requested change (new ISR, new replica set, an election) and returns the
// PartitionChangeRecord that gets there, or nothing when nothing changes.
//
// Rules it applies, in order:
//   1. ISR members that are not replicas are dropped.
//   2. A reassignment completes when every target replica (replicas minus
//      removing) is in the ISR: the replica set becomes the target, the
//      removed replicas leave the ISR, and the leader epoch is bumped.
//   3. Leader: with Election::kPreferred, the preferred replica (replicas[0])
//      becomes leader when it is in the ISR and acceptable. Otherwise the
//      current leader stays while it is an acceptable ISR member; if not,
//      the first acceptable ISR member in replica order leads. If none and
//      unclean election is allowed, the first acceptable replica leads with
//      an ISR of itself alone; else the partition has no leader (-1).
//   4. A leader change, or SetBumpLeaderEpoch, sets `leader` in the record
//      (which bumps the leader epoch); any change bumps the partition epoch.
// "Acceptable" is the caller's predicate (normally: the broker is registered,
// unfenced and not in controlled shutdown).
//
// The ISR never becomes empty through this builder: callers removing a broker
// use IsrWithout(), which keeps the last member.
#ifndef GREGOR_CONTROLLER_PARTITION_CHANGE_H_
#define GREGOR_CONTROLLER_PARTITION_CHANGE_H_

#include <functional>
#include <optional>
#include <vector>

#include "common/metadata/partition_registration.h"
#include "common/uuid.h"
#include "proto/metadata.pb.h"

namespace gregor::controller {

enum class Election {
  kKeepLeader,  // elect only when the current leader is not acceptable
  kPreferred,   // also move leadership to the preferred replica when possible
};

class PartitionChangeBuilder {
 public:
  using Acceptor = std::function<bool(BrokerId)>;

  PartitionChangeBuilder(const metadata::PartitionRegistration& current, gregor::Uuid topic_id,
                         PartitionId partition, Acceptor acceptable);

  PartitionChangeBuilder& SetTargetIsr(std::vector<BrokerId> isr);
  PartitionChangeBuilder& SetTargetReplicas(std::vector<BrokerId> replicas,
                                            std::vector<BrokerId> adding,
                                            std::vector<BrokerId> removing);
  PartitionChangeBuilder& SetElection(Election election);
  PartitionChangeBuilder& SetUncleanAllowed(bool allowed);
  PartitionChangeBuilder& SetBumpLeaderEpoch(bool bump);

  struct Result {
    metadata::MetadataRecord record;        // a PartitionChangeRecord
    metadata::PartitionRegistration next;   // the registration after it
  };
  std::optional<Result> Build() const;

 private:
  const metadata::PartitionRegistration& current_;
  gregor::Uuid topic_id_;
  PartitionId partition_;
  Acceptor acceptable_;
  std::optional<std::vector<BrokerId>> target_isr_;
  std::optional<std::vector<BrokerId>> target_replicas_;
  std::vector<BrokerId> target_adding_;
  std::vector<BrokerId> target_removing_;
  Election election_ = Election::kKeepLeader;
  bool unclean_allowed_ = false;
  bool bump_leader_epoch_ = false;
};

// `isr` without `broker`, unless that would leave it empty (then `isr`).
std::vector<BrokerId> IsrWithout(const std::vector<BrokerId>& isr, BrokerId broker);

}  // namespace gregor::controller

#endif  // GREGOR_CONTROLLER_PARTITION_CHANGE_H_
