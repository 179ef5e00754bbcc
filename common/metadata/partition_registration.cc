#include "common/metadata/partition_registration.h"

#include <algorithm>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gregor::metadata {

bool ContainsBroker(const std::vector<BrokerId>& ids, BrokerId b) {
  return std::find(ids.begin(), ids.end(), b) != ids.end();
}

bool PartitionRegistration::HasReplica(BrokerId b) const { return ContainsBroker(replicas, b); }
bool PartitionRegistration::InIsr(BrokerId b) const { return ContainsBroker(isr, b); }

std::vector<BrokerId> PartitionRegistration::TargetReplicas() const {
  std::vector<BrokerId> out;
  for (BrokerId r : replicas) {
    if (!ContainsBroker(removing_replicas, r)) out.push_back(r);
  }
  return out;
}

namespace {

absl::Status CheckDistinctSubset(const char* what, const std::vector<BrokerId>& ids,
                                 const std::vector<BrokerId>& replicas) {
  std::set<BrokerId> seen;
  for (BrokerId id : ids) {
    if (!seen.insert(id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " ", BrokerIdsString(ids), " lists broker ", id.value(), " twice"));
    }
    if (!ContainsBroker(replicas, id)) {
      return absl::InvalidArgumentError(absl::StrCat(what, " ", BrokerIdsString(ids), " has broker ",
                                                     id.value(), " which is not a replica"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PartitionRegistration::Validate() const {
  if (replicas.empty()) return absl::InvalidArgumentError("a partition needs at least one replica");
  std::set<BrokerId> seen;
  for (BrokerId r : replicas) {
    if (r.value() < 0) return absl::InvalidArgumentError(absl::StrCat("negative replica id ", r.value()));
    if (!seen.insert(r).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("replicas ", BrokerIdsString(replicas), " list broker ", r.value(), " twice"));
    }
  }
  if (auto s = CheckDistinctSubset("isr", isr, replicas); !s.ok()) return s;
  if (auto s = CheckDistinctSubset("adding_replicas", adding_replicas, replicas); !s.ok()) return s;
  if (auto s = CheckDistinctSubset("removing_replicas", removing_replicas, replicas); !s.ok()) return s;
  for (BrokerId a : adding_replicas) {
    if (ContainsBroker(removing_replicas, a)) {
      return absl::InvalidArgumentError(
          absl::StrCat("broker ", a.value(), " is both adding and removing"));
    }
  }
  if (leader != kNoLeader && !InIsr(leader)) {
    return absl::InvalidArgumentError(
        absl::StrCat("leader ", leader.value(), " is not in the isr ", BrokerIdsString(isr)));
  }
  if (leader_epoch.value() < 0 || partition_epoch.value() < 0) {
    return absl::InvalidArgumentError("negative epoch");
  }
  return absl::OkStatus();
}

PartitionRegistration PartitionRegistration::FromRecord(const PartitionRecord& record) {
  PartitionRegistration p;
  p.replicas = ToBrokerIds(record.replicas());
  p.isr = ToBrokerIds(record.isr());
  p.removing_replicas = ToBrokerIds(record.removing_replicas());
  p.adding_replicas = ToBrokerIds(record.adding_replicas());
  p.leader = BrokerId(record.leader());
  p.leader_epoch = LeaderEpoch(record.leader_epoch());
  p.partition_epoch = PartitionEpoch(record.partition_epoch());
  return p;
}

absl::StatusOr<PartitionRegistration> PartitionRegistration::Merge(
    const PartitionChangeRecord& change) const {
  PartitionRegistration next = *this;
  if (change.has_replicas()) next.replicas = ToBrokerIds(change.replicas().values());
  if (change.has_isr()) next.isr = ToBrokerIds(change.isr().values());
  if (change.has_removing_replicas()) {
    next.removing_replicas = ToBrokerIds(change.removing_replicas().values());
  }
  if (change.has_adding_replicas()) {
    next.adding_replicas = ToBrokerIds(change.adding_replicas().values());
  }
  if (change.has_leader()) {
    next.leader = BrokerId(change.leader());
    next.leader_epoch = leader_epoch + 1;
  }
  next.partition_epoch = partition_epoch + 1;
  if (auto s = next.Validate(); !s.ok()) return s;
  return next;
}

void PartitionRegistration::ToRecord(gregor::Uuid topic_id, PartitionId partition_id,
                                     PartitionRecord* out) const {
  out->Clear();
  out->set_partition_id(partition_id.value());
  UuidToProto(topic_id, out->mutable_topic_id());
  ToProtoIds(replicas, out->mutable_replicas());
  ToProtoIds(isr, out->mutable_isr());
  ToProtoIds(removing_replicas, out->mutable_removing_replicas());
  ToProtoIds(adding_replicas, out->mutable_adding_replicas());
  out->set_leader(leader.value());
  out->set_leader_epoch(leader_epoch.value());
  out->set_partition_epoch(partition_epoch.value());
}

std::string PartitionRegistration::DebugString() const {
  std::string s = absl::StrCat("replicas=", BrokerIdsString(replicas), " isr=", BrokerIdsString(isr),
                               " leader=", leader.value(), " leader_epoch=", leader_epoch.value(),
                               " partition_epoch=", partition_epoch.value());
  if (!adding_replicas.empty()) absl::StrAppend(&s, " adding=", BrokerIdsString(adding_replicas));
  if (!removing_replicas.empty()) {
    absl::StrAppend(&s, " removing=", BrokerIdsString(removing_replicas));
  }
  return s;
}

}  // namespace gregor::metadata
