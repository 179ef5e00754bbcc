// AlterPartition, ElectLeaders and partition reassignments.
#include <set>

#include "absl/strings/str_cat.h"
#include "controller/controller.h"

namespace gregor::controller {

using metadata::BrokerIdsString;
using metadata::BrokerRegistration;
using metadata::ContainsBroker;
using metadata::MetadataImage;
using metadata::PartitionRegistration;

namespace {

// Kafka's checks of an AlterPartition request against the partition.
ApiError ValidateAlterPartition(const MetadataImage& image, const std::string& topic,
                                const PartitionRegistration& p,
                                const controllerpb::AlterPartitionRequest& req) {
  const std::string tp = absl::StrCat(topic, "-", req.partition_id());
  if (req.leader_epoch() > p.leader_epoch.value() || req.partition_epoch() > p.partition_epoch.value()) {
    // The broker knows a newer state than ours: we are likely a stale controller.
    return MakeError(KafkaError::kNotController,
                     absl::StrCat("The epochs in the request (leader ", req.leader_epoch(), ", partition ",
                                  req.partition_epoch(), ") are newer than this controller's (leader ",
                                  p.leader_epoch.value(), ", partition ", p.partition_epoch.value(),
                                  ") for ", tp, "."));
  }
  if (req.leader_epoch() < p.leader_epoch.value()) {
    return MakeError(KafkaError::kFencedLeaderEpoch,
                     absl::StrCat("The current leader epoch of ", tp, " is ", p.leader_epoch.value(),
                                  ", not ", req.leader_epoch(), "."));
  }
  if (req.broker_id() != p.leader.value()) {
    return MakeError(KafkaError::kInvalidRequest,
                     absl::StrCat("Broker ", req.broker_id(), " is not the leader of ", tp,
                                  "; the current leader is ", p.leader.value(), "."));
  }
  if (req.partition_epoch() < p.partition_epoch.value()) {
    return MakeError(KafkaError::kInvalidUpdateVersion,
                     absl::StrCat("The current partition epoch of ", tp, " is ",
                                  p.partition_epoch.value(), ", not ", req.partition_epoch(), "."));
  }
  std::vector<BrokerId> isr = metadata::ToBrokerIds(req.new_isr());
  std::set<BrokerId> seen;
  for (BrokerId b : isr) {
    if (!seen.insert(b).second || !p.HasReplica(b)) {
      return MakeError(KafkaError::kInvalidRequest,
                       absl::StrCat("Invalid ISR ", BrokerIdsString(isr), " for ", tp, " with replicas ",
                                    BrokerIdsString(p.replicas), "."));
    }
  }
  if (!ContainsBroker(isr, p.leader)) {
    return MakeError(KafkaError::kInvalidRequest,
                     absl::StrCat("The new ISR ", BrokerIdsString(isr), " of ", tp,
                                  " does not include the leader ", p.leader.value(), "."));
  }
  for (BrokerId b : isr) {
    const BrokerRegistration* r = image.broker(b);
    const char* why = r == nullptr ? "not registered"
                      : r->in_controlled_shutdown ? "shutting down"
                      : r->fenced ? "fenced"
                                  : nullptr;
    if (why != nullptr) {
      return MakeError(KafkaError::kIneligibleReplica,
                       absl::StrCat("The new ISR ", BrokerIdsString(isr), " of ", tp,
                                    " contains ineligible replica ", b.value(), " (", why, ")."));
    }
  }
  return ApiError::None();
}

void FillPartitionState(const PartitionRegistration& p, controllerpb::AlterPartitionResponse* r) {
  r->set_leader_id(p.leader.value());
  r->set_leader_epoch(p.leader_epoch.value());
  r->set_partition_epoch(p.partition_epoch.value());
  metadata::ToProtoIds(p.isr, r->mutable_isr());
}

}  // namespace

ControllerResult<controllerpb::AlterPartitionResponse> Controller::AlterPartition(
    const controllerpb::AlterPartitionRequest& request) const {
  ControllerResult<controllerpb::AlterPartitionResponse> out;
  auto fail = [&](ApiError e) {
    e.ToProto(out.response.mutable_error());
    return out;
  };
  if (ApiError e = CheckBrokerEpoch(BrokerId(request.broker_id()), request.broker_epoch()); !e.ok()) {
    return fail(e);
  }
  const gregor::Uuid topic_id = metadata::UuidFromProto(request.topic_id());
  const metadata::TopicImage* topic = image_->topic(topic_id);
  if (topic == nullptr) return fail(MakeError(KafkaError::kUnknownTopicId));
  const PartitionRegistration* p = topic->partition(PartitionId(request.partition_id()));
  if (p == nullptr) return fail(MakeError(KafkaError::kUnknownTopicOrPartition));
  if (ApiError e = ValidateAlterPartition(*image_, topic->name(), *p, request); !e.ok()) return fail(e);

  auto result = PartitionChangeBuilder(*p, topic_id, PartitionId(request.partition_id()),
                                       ActiveBrokers(*image_))
                    .SetTargetIsr(metadata::ToBrokerIds(request.new_isr()))
                    .Build();
  if (!result) {
    FillPartitionState(*p, &out.response);
    ApiError::None().ToProto(out.response.mutable_error());
    return out;
  }
  out.records.push_back(result->record);
  if (result->next.leader.value() != request.broker_id()) {
    // The change completed a reassignment that moved leadership away.
    MakeError(KafkaError::kNewLeaderElected).ToProto(out.response.mutable_error());
    return out;
  }
  FillPartitionState(result->next, &out.response);
  ApiError::None().ToProto(out.response.mutable_error());
  return out;
}

ControllerResult<controllerpb::ElectLeadersResponse> Controller::ElectLeaders(
    const controllerpb::ElectLeadersRequest& request) const {
  ControllerResult<controllerpb::ElectLeadersResponse> out;
  if (request.election_type() != 0 && request.election_type() != 1) {
    MakeError(KafkaError::kInvalidRequest,
              absl::StrCat("Unknown election type ", request.election_type()))
        .ToProto(out.response.mutable_error());
    return out;
  }
  const bool preferred = request.election_type() == 0;
  RecordBuilder builder(image_);
  // Returns the error for one partition after adding its record, if any.
  auto elect = [&](const metadata::TopicImage& topic, PartitionId pid) -> ApiError {
    const PartitionRegistration* p = builder.view().partition(topic.id(), pid);
    if (p == nullptr) return MakeError(KafkaError::kUnknownTopicOrPartition);
    const std::string tp = absl::StrCat(topic.name(), "-", pid.value());
    if (preferred) {
      if (p->HasPreferredLeader()) return MakeError(KafkaError::kElectionNotNeeded);
      auto r = PartitionChangeBuilder(*p, topic.id(), pid, ActiveBrokers(builder.view()))
                   .SetElection(Election::kPreferred)
                   .Build();
      if (!r || r->next.leader != p->PreferredLeader()) {
        return MakeError(KafkaError::kPreferredLeaderNotAvailable,
                         absl::StrCat("The preferred leader ", p->PreferredLeader().value(), " of ", tp,
                                      " is not an unfenced member of the ISR ",
                                      BrokerIdsString(p->isr), "."));
      }
      builder.Add(std::move(r->record));
      return ApiError::None();
    }
    if (p->HasLeader()) return MakeError(KafkaError::kElectionNotNeeded);
    auto r = PartitionChangeBuilder(*p, topic.id(), pid, ActiveBrokers(builder.view()))
                 .SetUncleanAllowed(true)
                 .Build();
    if (!r || !r->next.HasLeader()) {
      return MakeError(KafkaError::kEligibleLeadersNotAvailable,
                       absl::StrCat("No replica of ", tp, " (replicas ", BrokerIdsString(p->replicas),
                                    ") is unfenced."));
    }
    builder.Add(std::move(r->record));
    return ApiError::None();
  };
  auto add_result = [&](const std::string& topic, int32_t partition, const ApiError& e) {
    controllerpb::PartitionResult* r = out.response.add_results();
    r->set_topic(topic);
    r->set_partition(partition);
    e.ToProto(r->mutable_error());
  };
  if (request.topic_partitions_size() == 0) {
    // Every partition; report only elections done and real failures.
    for (const auto& [tid, topic] : image_->topics()) {
      for (const auto& [pid, p] : topic->partitions()) {
        if (static_cast<int32_t>(builder.size()) >= options_.max_records_per_operation) break;
        ApiError e = elect(*topic, pid);
        if (e.code != KafkaError::kElectionNotNeeded) add_result(topic->name(), pid.value(), e);
      }
    }
  } else {
    for (const auto& tps : request.topic_partitions()) {
      const metadata::TopicImage* topic = image_->topic(tps.topic());
      for (int32_t partition : tps.partitions()) {
        ApiError e = topic == nullptr ? MakeError(KafkaError::kUnknownTopicOrPartition)
                                      : elect(*topic, PartitionId(partition));
        add_result(tps.topic(), partition, e);
      }
    }
  }
  ApiError::None().ToProto(out.response.mutable_error());
  out.records = builder.Take();
  return out;
}

namespace {

std::vector<BrokerId> Minus(const std::vector<BrokerId>& a, const std::vector<BrokerId>& b) {
  std::vector<BrokerId> out;
  for (BrokerId x : a) {
    if (!ContainsBroker(b, x)) out.push_back(x);
  }
  return out;
}

ApiError ValidateTarget(const MetadataImage& image, const std::vector<BrokerId>& target) {
  if (target.empty()) {
    return MakeError(KafkaError::kInvalidReplicaAssignment,
                     "The manual partition assignment includes an empty replica list.");
  }
  std::set<BrokerId> seen;
  for (BrokerId b : target) {
    if (!seen.insert(b).second) {
      return MakeError(KafkaError::kInvalidReplicaAssignment,
                       absl::StrCat("The manual partition assignment includes the broker ", b.value(),
                                    " more than once."));
    }
    if (image.broker(b) == nullptr) {
      return MakeError(KafkaError::kInvalidReplicaAssignment,
                       absl::StrCat("The manual partition assignment includes broker ", b.value(),
                                    ", but no such broker is registered."));
    }
  }
  return ApiError::None();
}

}  // namespace

ControllerResult<controllerpb::AlterPartitionReassignmentsResponse>
Controller::AlterPartitionReassignments(
    const controllerpb::AlterPartitionReassignmentsRequest& request) const {
  ControllerResult<controllerpb::AlterPartitionReassignmentsResponse> out;
  RecordBuilder builder(image_);
  for (const auto& rp : request.partitions()) {
    controllerpb::PartitionResult* result = out.response.add_results();
    result->set_topic(rp.topic());
    result->set_partition(rp.partition());
    auto reassign = [&]() -> ApiError {
      const metadata::TopicImage* topic = builder.view().topic(rp.topic());
      const PartitionRegistration* p =
          topic == nullptr ? nullptr : topic->partition(PartitionId(rp.partition()));
      if (p == nullptr) return MakeError(KafkaError::kUnknownTopicOrPartition);
      const gregor::Uuid tid = topic->id();
      const std::string tp = absl::StrCat(rp.topic(), "-", rp.partition());
      const std::vector<BrokerId> original = Minus(p->replicas, p->adding_replicas);
      PartitionChangeBuilder change(*p, tid, PartitionId(rp.partition()), ActiveBrokers(builder.view()));
      if (rp.cancel()) {
        if (!p->IsReassigning()) return MakeError(KafkaError::kNoReassignmentInProgress);
        std::vector<BrokerId> isr;
        for (BrokerId b : p->isr) {
          if (ContainsBroker(original, b)) isr.push_back(b);
        }
        if (isr.empty()) {
          return MakeError(KafkaError::kInvalidReplicaAssignment,
                           absl::StrCat("Unable to revert partition assignment for ", tp,
                                        " because it would cause the partition to have no replicas "
                                        "in the ISR."));
        }
        change.SetTargetReplicas(original, {}, {}).SetTargetIsr(std::move(isr));
      } else {
        const std::vector<BrokerId> target = metadata::ToBrokerIds(rp.replicas());
        if (ApiError e = ValidateTarget(builder.view(), target); !e.ok()) return e;
        if (target == original && !p->IsReassigning()) return ApiError::None();
        std::vector<BrokerId> adding = Minus(target, original);
        std::vector<BrokerId> removing = Minus(original, target);
        std::vector<BrokerId> replicas = target;
        replicas.insert(replicas.end(), removing.begin(), removing.end());
        std::vector<BrokerId> isr;
        for (BrokerId b : p->isr) {
          if (ContainsBroker(replicas, b)) isr.push_back(b);
        }
        if (isr.empty()) {
          return MakeError(KafkaError::kInvalidReplicaAssignment,
                           absl::StrCat("The reassignment of ", tp,
                                        " would leave no replica of the current ISR ",
                                        BrokerIdsString(p->isr), "."));
        }
        change.SetTargetReplicas(std::move(replicas), std::move(adding), std::move(removing))
            .SetTargetIsr(std::move(isr));
      }
      auto r = change.Build();
      if (r && p->HasLeader() && !r->next.HasLeader()) {
        // E.g. cancelling a reassignment whose added replica is the only live
        // leader: refuse rather than take the partition offline.
        return MakeError(KafkaError::kInvalidReplicaAssignment,
                         absl::StrCat("The reassignment change of ", tp,
                                      " would leave it without an eligible leader."));
      }
      if (r) builder.Add(std::move(r->record));
      return ApiError::None();
    };
    reassign().ToProto(result->mutable_error());
  }
  ApiError::None().ToProto(out.response.mutable_error());
  out.records = builder.Take();
  return out;
}

controllerpb::ListPartitionReassignmentsResponse Controller::ListPartitionReassignments(
    const controllerpb::ListPartitionReassignmentsRequest& request) const {
  controllerpb::ListPartitionReassignmentsResponse out;
  auto add = [&](const metadata::TopicImage& topic, PartitionId pid, const PartitionRegistration& p) {
    if (!p.IsReassigning()) return;
    controllerpb::OngoingReassignment* r = out.add_reassignments();
    r->set_topic(topic.name());
    r->set_partition(pid.value());
    metadata::ToProtoIds(p.replicas, r->mutable_replicas());
    metadata::ToProtoIds(p.adding_replicas, r->mutable_adding_replicas());
    metadata::ToProtoIds(p.removing_replicas, r->mutable_removing_replicas());
  };
  if (request.topic_partitions_size() == 0) {
    for (const auto& [name, id] : image_->topic_ids_by_name()) {
      const metadata::TopicImage* topic = image_->topic(id);
      for (const auto& [pid, p] : topic->partitions()) add(*topic, pid, *p);
    }
  } else {
    for (const auto& tps : request.topic_partitions()) {
      const metadata::TopicImage* topic = image_->topic(tps.topic());
      if (topic == nullptr) continue;
      for (int32_t partition : tps.partitions()) {
        if (const PartitionRegistration* p = topic->partition(PartitionId(partition))) {
          add(*topic, PartitionId(partition), *p);
        }
      }
    }
  }
  ApiError::None().ToProto(out.mutable_error());
  return out;
}

}  // namespace gregor::controller
