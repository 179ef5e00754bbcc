#include "controller/partition_change.h"

#include <algorithm>

#include "glog/logging.h"

namespace gregor::controller {

using metadata::ContainsBroker;
using metadata::kNoLeader;
using metadata::PartitionRegistration;

PartitionChangeBuilder::PartitionChangeBuilder(const PartitionRegistration& current,
                                               gregor::Uuid topic_id, PartitionId partition,
                                               Acceptor acceptable)
    : current_(current), topic_id_(topic_id), partition_(partition),
      acceptable_(std::move(acceptable)) {}

PartitionChangeBuilder& PartitionChangeBuilder::SetTargetIsr(std::vector<BrokerId> isr) {
  target_isr_ = std::move(isr);
  return *this;
}

PartitionChangeBuilder& PartitionChangeBuilder::SetTargetReplicas(std::vector<BrokerId> replicas,
                                                                  std::vector<BrokerId> adding,
                                                                  std::vector<BrokerId> removing) {
  target_replicas_ = std::move(replicas);
  target_adding_ = std::move(adding);
  target_removing_ = std::move(removing);
  return *this;
}

PartitionChangeBuilder& PartitionChangeBuilder::SetElection(Election election) {
  election_ = election;
  return *this;
}

PartitionChangeBuilder& PartitionChangeBuilder::SetUncleanAllowed(bool allowed) {
  unclean_allowed_ = allowed;
  return *this;
}

PartitionChangeBuilder& PartitionChangeBuilder::SetBumpLeaderEpoch(bool bump) {
  bump_leader_epoch_ = bump;
  return *this;
}

namespace {

void SetList(const std::vector<BrokerId>& ids, metadata::IntList* out) {
  out->Clear();
  for (BrokerId id : ids) out->add_values(id.value());
}

}  // namespace

std::optional<PartitionChangeBuilder::Result> PartitionChangeBuilder::Build() const {
  PartitionRegistration next = current_;
  bool bump = bump_leader_epoch_;
  if (target_replicas_) {
    next.replicas = *target_replicas_;
    next.adding_replicas = target_adding_;
    next.removing_replicas = target_removing_;
  }
  // 1. ISR members must be replicas.
  std::vector<BrokerId> isr;
  for (BrokerId b : target_isr_ ? *target_isr_ : current_.isr) {
    if (next.HasReplica(b) && !ContainsBroker(isr, b)) isr.push_back(b);
  }
  next.isr = std::move(isr);

  // 2. Complete a reassignment once the whole target is in sync.
  if (next.IsReassigning()) {
    std::vector<BrokerId> target = next.TargetReplicas();
    bool all_in_sync = std::all_of(target.begin(), target.end(),
                                   [&](BrokerId b) { return next.InIsr(b); });
    if (all_in_sync) {
      if (!next.removing_replicas.empty()) bump = true;
      std::vector<BrokerId> isr_in_target;
      for (BrokerId b : next.isr) {
        if (ContainsBroker(target, b)) isr_in_target.push_back(b);
      }
      next.replicas = std::move(target);
      next.isr = std::move(isr_in_target);
      next.adding_replicas.clear();
      next.removing_replicas.clear();
    }
  }

  // 3. Leader.
  auto eligible = [&](BrokerId b) { return next.InIsr(b) && acceptable_(b); };
  BrokerId leader = current_.leader;
  bool leader_ok = leader != kNoLeader && next.HasReplica(leader) && eligible(leader);
  if (election_ == Election::kPreferred && eligible(next.PreferredLeader())) {
    leader = next.PreferredLeader();
  } else if (!leader_ok) {
    leader = kNoLeader;
    for (BrokerId r : next.replicas) {
      if (eligible(r) && !ContainsBroker(next.removing_replicas, r)) {
        leader = r;
        break;
      }
    }
    if (leader == kNoLeader) {
      for (BrokerId r : next.replicas) {
        if (eligible(r)) {
          leader = r;
          break;
        }
      }
    }
    if (leader == kNoLeader && unclean_allowed_) {
      for (BrokerId r : next.replicas) {
        if (acceptable_(r) && !ContainsBroker(next.removing_replicas, r)) {
          leader = r;
          next.isr = {r};
          break;
        }
      }
    }
  }
  next.leader = leader;
  if (leader != current_.leader) bump = true;

  // 4. The record: only what changed.
  metadata::MetadataRecord record;
  metadata::PartitionChangeRecord* c = record.mutable_partition_change();
  c->set_partition_id(partition_.value());
  metadata::UuidToProto(topic_id_, c->mutable_topic_id());
  bool changed = false;
  if (next.isr != current_.isr) {
    SetList(next.isr, c->mutable_isr());
    changed = true;
  }
  if (next.replicas != current_.replicas) {
    SetList(next.replicas, c->mutable_replicas());
    changed = true;
  }
  if (next.adding_replicas != current_.adding_replicas) {
    SetList(next.adding_replicas, c->mutable_adding_replicas());
    changed = true;
  }
  if (next.removing_replicas != current_.removing_replicas) {
    SetList(next.removing_replicas, c->mutable_removing_replicas());
    changed = true;
  }
  if (bump) {
    c->set_leader(leader.value());
    changed = true;
  }
  if (!changed) return std::nullopt;
  absl::StatusOr<PartitionRegistration> merged = current_.Merge(*c);
  CHECK(merged.ok()) << "partition change builder produced an invalid change: " << merged.status()
                     << " from " << current_.DebugString();
  return Result{std::move(record), *std::move(merged)};
}

std::vector<BrokerId> IsrWithout(const std::vector<BrokerId>& isr, BrokerId broker) {
  std::vector<BrokerId> out;
  for (BrokerId b : isr) {
    if (b != broker) out.push_back(b);
  }
  return out.empty() ? isr : out;
}

}  // namespace gregor::controller
