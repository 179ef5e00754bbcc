// CreateTopics, DeleteTopics and CreatePartitions.
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/configs.h"
#include "controller/controller.h"
#include "controller/placement.h"
#include "controller/topic_names.h"

namespace gregor::controller {

using metadata::BrokerRegistration;
using metadata::ContainsBroker;
using metadata::MetadataImage;
using metadata::MetadataRecord;
using metadata::PartitionRegistration;

namespace {

// Replica and leader counts per broker, for balanced placement.
struct Load {
  int64_t replicas = 0;
  int64_t leaders = 0;
};

absl::flat_hash_map<BrokerId, Load> ClusterLoad(const MetadataImage& image) {
  absl::flat_hash_map<BrokerId, Load> load;
  for (const auto& [tid, topic] : image.topics()) {
    for (const auto& [pid, p] : topic->partitions()) {
      for (BrokerId r : p->replicas) ++load[r].replicas;
      if (!p->replicas.empty()) ++load[p->replicas[0]].leaders;
    }
  }
  return load;
}

// Places `count` partitions of `rf` replicas on the active brokers of `view`.
absl::StatusOr<std::vector<std::vector<BrokerId>>> Place(
    const MetadataImage& view, absl::flat_hash_map<BrokerId, Load>& load, int32_t count,
    int32_t rf, uint64_t rotation) {
  std::vector<PlacementBroker> brokers;
  for (const auto& [id, b] : view.brokers()) {
    if (!b->IsActive()) continue;
    const Load& l = load[id];
    brokers.push_back({id, b->rack, l.replicas, l.leaders});
  }
  auto placed = PlaceReplicas(std::move(brokers), count, rf, rotation);
  if (placed.ok()) {
    for (const auto& replicas : *placed) {
      for (BrokerId r : replicas) ++load[r].replicas;
      ++load[replicas[0]].leaders;
    }
  }
  return placed;
}

// Kafka's checks of one manual assignment. `rf` is the replica count every
// partition must have (0: not known yet).
ApiError ValidateManualAssignment(const MetadataImage& view, const std::vector<BrokerId>& replicas,
                                  int32_t rf) {
  if (replicas.empty()) {
    return MakeError(KafkaError::kInvalidReplicaAssignment,
                     "The manual partition assignment includes an empty replica list.");
  }
  std::set<BrokerId> seen;
  for (BrokerId b : replicas) {
    if (view.broker(b) == nullptr) {
      return MakeError(KafkaError::kInvalidReplicaAssignment,
                       absl::StrCat("The manual partition assignment includes broker ", b.value(),
                                    ", but no such broker is registered."));
    }
    if (!seen.insert(b).second) {
      return MakeError(KafkaError::kInvalidReplicaAssignment,
                       absl::StrCat("The manual partition assignment includes the broker ", b.value(),
                                    " more than once."));
    }
  }
  if (rf > 0 && static_cast<int32_t>(replicas.size()) != rf) {
    return MakeError(KafkaError::kInvalidReplicaAssignment,
                     absl::StrCat("The manual partition assignment includes a partition with ",
                                  replicas.size(),
                                  " replica(s), but this is not consistent with previous partitions, "
                                  "which have ",
                                  rf, " replica(s)."));
  }
  return ApiError::None();
}

// A new partition's registration: ISR = the active replicas, leader = the
// first of them.
PartitionRegistration NewPartition(const MetadataImage& view, const std::vector<BrokerId>& replicas) {
  PartitionRegistration p;
  p.replicas = replicas;
  for (BrokerId b : replicas) {
    const BrokerRegistration* r = view.broker(b);
    if (r != nullptr && r->IsActive()) p.isr.push_back(b);
  }
  p.leader = p.isr.empty() ? metadata::kNoLeader : p.isr[0];
  return p;
}

MetadataRecord PartitionRecordFor(gregor::Uuid topic_id, int32_t index, const PartitionRegistration& p) {
  MetadataRecord r;
  p.ToRecord(topic_id, PartitionId(index), r.mutable_partition());
  return r;
}

std::vector<BrokerId> Brokers(const google::protobuf::RepeatedField<int32_t>& ids) {
  return metadata::ToBrokerIds(ids);
}

}  // namespace

ControllerResult<controllerpb::CreateTopicsResponse> Controller::CreateTopics(
    const controllerpb::CreateTopicsRequest& request) {
  ControllerResult<controllerpb::CreateTopicsResponse> out;
  RecordBuilder builder(image_);
  std::map<std::string, int> name_count;
  int64_t requested_partitions = 0;
  for (const auto& t : request.topics()) {
    ++name_count[t.name()];
    requested_partitions += t.assignments_size() > 0
                                ? t.assignments_size()
                                : (t.num_partitions() == -1 ? options_.default_num_partitions
                                                            : std::max(t.num_partitions(), 0));
  }
  const bool too_many = requested_partitions > options_.max_partitions_per_request;
  absl::flat_hash_map<BrokerId, Load> load = ClusterLoad(*image_);

  for (const auto& t : request.topics()) {
    controllerpb::CreatableTopicResult* result = out.response.add_topics();
    result->set_name(t.name());
    auto fail = [&](ApiError e) { e.ToProto(result->mutable_error()); };
    if (name_count[t.name()] > 1) {
      fail(MakeError(KafkaError::kInvalidRequest, "Duplicate topic name."));
      continue;
    }
    if (too_many) {
      fail(MakeError(KafkaError::kPolicyViolation, "Excessively large number of partitions per request."));
      continue;
    }
    if (ApiError e = ValidateTopicName(t.name()); !e.ok()) {
      fail(e);
      continue;
    }
    const MetadataImage& view = builder.view();
    if (view.topic(t.name()) != nullptr) {
      fail(MakeError(KafkaError::kTopicAlreadyExists, absl::StrCat("Topic '", t.name(), "' already exists.")));
      continue;
    }
    if (auto other = view.CollidingTopic(t.name())) {
      fail(MakeError(KafkaError::kInvalidTopicException,
                     absl::StrCat("Topic '", t.name(), "' collides with existing topic: ", *other)));
      continue;
    }
    // Configs.
    metadata::ConfigEntries configs;
    std::vector<std::string> null_configs;
    ApiError config_error;
    for (const auto& c : t.configs()) {
      if (!c.has_value()) {
        null_configs.push_back(c.name());
        continue;
      }
      if (c.value().size() > options_.max_config_value_bytes) {
        config_error = MakeError(KafkaError::kInvalidConfig,
                                 absl::StrCat("The value of ", c.name(), " is too long."));
        break;
      }
      if (ApiError e = ValidateTopicConfig(c.name(), c.value()); !e.ok()) {
        config_error = e;
        break;
      }
      configs[c.name()] = NormalizeConfigValue(*FindTopicConfig(c.name()), c.value());
    }
    if (!null_configs.empty()) {
      fail(MakeError(KafkaError::kInvalidConfig, absl::StrCat("Null value not supported for topic configs: ",
                                                              absl::StrJoin(null_configs, ","))));
      continue;
    }
    if (!config_error.ok()) {
      fail(config_error);
      continue;
    }
    // Assignment.
    std::vector<std::vector<BrokerId>> assignment;
    ApiError assign_error;
    if (t.assignments_size() > 0) {
      if (t.replication_factor() != -1) {
        assign_error = MakeError(KafkaError::kInvalidRequest,
                                 "A manual partition assignment was specified, but replication "
                                 "factor was not set to -1.");
      } else if (t.num_partitions() != -1) {
        assign_error = MakeError(KafkaError::kInvalidRequest,
                                 "A manual partition assignment was specified, but numPartitions "
                                 "was not set to -1.");
      } else {
        std::map<int32_t, std::vector<BrokerId>> by_index;
        int32_t rf = 0;
        for (const auto& a : t.assignments()) {
          if (by_index.count(a.partition_index()) > 0) {
            assign_error = MakeError(KafkaError::kInvalidReplicaAssignment,
                                     absl::StrCat("Found multiple manual partition assignments for partition ",
                                                  a.partition_index()));
            break;
          }
          std::vector<BrokerId> replicas = Brokers(a.broker_ids());
          assign_error = ValidateManualAssignment(view, replicas, rf);
          if (!assign_error.ok()) break;
          rf = static_cast<int32_t>(replicas.size());
          if (NewPartition(view, replicas).isr.empty()) {
            assign_error = MakeError(KafkaError::kInvalidReplicaAssignment,
                                     absl::StrCat("All brokers specified in the manual partition assignment for "
                                                  "partition ",
                                                  a.partition_index(), " are fenced or in controlled shutdown."));
            break;
          }
          by_index[a.partition_index()] = std::move(replicas);
        }
        for (int32_t i = 0; assign_error.ok() && i < static_cast<int32_t>(by_index.size()); ++i) {
          if (by_index.count(i) == 0) {
            assign_error = MakeError(KafkaError::kInvalidReplicaAssignment,
                                     "partitions should be a consecutive 0-based integer sequence");
          }
        }
        if (assign_error.ok()) {
          for (auto& [i, replicas] : by_index) {
            for (BrokerId r : replicas) ++load[r].replicas;
            ++load[replicas[0]].leaders;
            assignment.push_back(std::move(replicas));
          }
        }
      }
    } else if (t.replication_factor() < -1 || t.replication_factor() == 0) {
      assign_error = MakeError(KafkaError::kInvalidReplicationFactor,
                               "Replication factor must be larger than 0, or -1 to use the default value.");
    } else if (t.num_partitions() < -1 || t.num_partitions() == 0) {
      assign_error = MakeError(KafkaError::kInvalidPartitions,
                               "Number of partitions was set to an invalid non-positive value.");
    } else {
      const int32_t count = t.num_partitions() == -1 ? options_.default_num_partitions : t.num_partitions();
      const int32_t rf =
          t.replication_factor() == -1 ? options_.default_replication_factor : t.replication_factor();
      auto placed = Place(view, load, count, rf, NextRandom());
      if (!placed.ok()) {
        assign_error = MakeError(KafkaError::kInvalidReplicationFactor,
                                 absl::StrCat("Unable to replicate the partition ", rf,
                                              " time(s): ", placed.status().message()));
      } else {
        assignment = *std::move(placed);
      }
    }
    if (!assign_error.ok()) {
      fail(assign_error);
      continue;
    }
    if (static_cast<int64_t>(builder.size()) + static_cast<int64_t>(assignment.size()) + 1 +
            static_cast<int64_t>(configs.size()) >
        options_.max_records_per_operation) {
      fail(MakeError(KafkaError::kPolicyViolation, "Excessively large number of partitions per request."));
      continue;
    }
    // Records: the topic, its configs, its partitions.
    gregor::Uuid id;
    do {
      id = gregor::Uuid::Random(rng_);
    } while (view.topic(id) != nullptr);
    MetadataRecord topic_record;
    topic_record.mutable_topic()->set_name(t.name());
    metadata::UuidToProto(id, topic_record.mutable_topic()->mutable_topic_id());
    builder.Add(std::move(topic_record));
    for (const auto& [key, value] : configs) {
      MetadataRecord c;
      c.mutable_config()->set_resource_type(metadata::CONFIG_RESOURCE_TOPIC);
      c.mutable_config()->set_resource_name(t.name());
      c.mutable_config()->set_name(key);
      c.mutable_config()->set_value(value);
      builder.Add(std::move(c));
    }
    for (size_t i = 0; i < assignment.size(); ++i) {
      builder.Add(PartitionRecordFor(id, static_cast<int32_t>(i), NewPartition(builder.view(), assignment[i])));
    }
    ApiError::None().ToProto(result->mutable_error());
    metadata::UuidToProto(id, result->mutable_topic_id());
    result->set_num_partitions(static_cast<int32_t>(assignment.size()));
    result->set_replication_factor(static_cast<int32_t>(assignment[0].size()));
    for (const EffectiveConfig& e : EffectiveTopicConfigs(builder.view(), t.name(), &configs)) {
      controllerpb::TopicConfig* c = result->add_configs();
      c->set_name(e.name);
      c->set_value(e.value);
      c->set_config_source(static_cast<int32_t>(e.source));
    }
  }
  if (!request.validate_only()) out.records = builder.Take();
  return out;
}

ControllerResult<controllerpb::DeleteTopicsResponse> Controller::DeleteTopics(
    const controllerpb::DeleteTopicsRequest& request) const {
  ControllerResult<controllerpb::DeleteTopicsResponse> out;
  RecordBuilder builder(image_);
  std::set<gregor::Uuid> removed;
  std::map<std::string, int> name_count;
  for (const auto& n : request.names()) ++name_count[n];
  auto remove = [&](gregor::Uuid id, controllerpb::DeletableTopicResult* result) {
    metadata::UuidToProto(id, result->mutable_topic_id());
    ApiError::None().ToProto(result->mutable_error());
    if (!removed.insert(id).second) return;  // named twice (by name and by id)
    MetadataRecord r;
    metadata::UuidToProto(id, r.mutable_remove_topic()->mutable_topic_id());
    builder.Add(std::move(r));
  };
  for (const auto& name : request.names()) {
    controllerpb::DeletableTopicResult* result = out.response.add_topics();
    result->set_name(name);
    if (name_count[name] > 1) {
      MakeError(KafkaError::kInvalidRequest, "Duplicate topic name.").ToProto(result->mutable_error());
      continue;
    }
    const metadata::TopicImage* topic = image_->topic(name);
    if (topic == nullptr) {
      MakeError(KafkaError::kUnknownTopicOrPartition).ToProto(result->mutable_error());
      continue;
    }
    remove(topic->id(), result);
  }
  for (const auto& pid : request.topic_ids()) {
    controllerpb::DeletableTopicResult* result = out.response.add_topics();
    const gregor::Uuid id = metadata::UuidFromProto(pid);
    *result->mutable_topic_id() = pid;
    const metadata::TopicImage* topic = image_->topic(id);
    if (id.IsZero() || topic == nullptr) {
      MakeError(KafkaError::kUnknownTopicId).ToProto(result->mutable_error());
      continue;
    }
    result->set_name(topic->name());
    remove(id, result);
  }
  out.records = builder.Take();
  return out;
}

ControllerResult<controllerpb::CreatePartitionsResponse> Controller::CreatePartitions(
    const controllerpb::CreatePartitionsRequest& request) {
  ControllerResult<controllerpb::CreatePartitionsResponse> out;
  RecordBuilder builder(image_);
  std::map<std::string, int> name_count;
  for (const auto& t : request.topics()) ++name_count[t.name()];
  absl::flat_hash_map<BrokerId, Load> load = ClusterLoad(*image_);
  int64_t budget = options_.max_partitions_per_request;

  for (const auto& t : request.topics()) {
    controllerpb::CreatePartitionsTopicResult* result = out.response.add_topics();
    result->set_name(t.name());
    auto fail = [&](ApiError e) { e.ToProto(result->mutable_error()); };
    if (name_count[t.name()] > 1) {
      fail(MakeError(KafkaError::kInvalidRequest, "Duplicate topic name."));
      continue;
    }
    const metadata::TopicImage* topic = builder.view().topic(t.name());
    if (topic == nullptr) {
      fail(MakeError(KafkaError::kUnknownTopicOrPartition));
      continue;
    }
    const int32_t current = topic->num_partitions();
    if (t.count() < current) {
      fail(MakeError(KafkaError::kInvalidPartitions,
                     absl::StrCat("Topic ", t.name(), " currently has ", current,
                                  " partitions, which is higher than the requested ", t.count(), ".")));
      continue;
    }
    if (t.count() == current) {
      fail(MakeError(KafkaError::kInvalidPartitions,
                     absl::StrCat("Topic already has ", current, " partition(s).")));
      continue;
    }
    const int32_t additional = t.count() - current;
    if (additional > budget) {
      fail(MakeError(KafkaError::kPolicyViolation, "Excessively large number of partitions per request."));
      continue;
    }
    const PartitionRegistration* first = topic->partition(PartitionId(0));
    const int32_t rf = first == nullptr ? 1 : static_cast<int32_t>(first->TargetReplicas().size());
    std::vector<std::vector<BrokerId>> assignment;
    ApiError error;
    if (t.assignments_size() > 0) {
      if (t.assignments_size() != additional) {
        error = MakeError(KafkaError::kInvalidReplicaAssignment,
                          absl::StrCat("Attempted to add ", additional,
                                       " additional partition(s), but only ", t.assignments_size(),
                                       " assignment(s) were specified."));
      }
      for (int i = 0; error.ok() && i < t.assignments_size(); ++i) {
        std::vector<BrokerId> replicas = Brokers(t.assignments(i).broker_ids());
        error = ValidateManualAssignment(builder.view(), replicas, rf);
        if (error.ok() && NewPartition(builder.view(), replicas).isr.empty()) {
          error = MakeError(KafkaError::kInvalidReplicaAssignment,
                            absl::StrCat("All brokers specified in the manual partition assignment for "
                                         "partition ",
                                         current + i, " are fenced or in controlled shutdown."));
        }
        if (error.ok()) assignment.push_back(std::move(replicas));
      }
    } else {
      auto placed = Place(builder.view(), load, additional, rf, NextRandom());
      if (!placed.ok()) {
        error = MakeError(KafkaError::kInvalidReplicationFactor,
                          absl::StrCat("Unable to replicate the partition ", rf,
                                       " time(s): ", placed.status().message()));
      } else {
        assignment = *std::move(placed);
      }
    }
    if (!error.ok()) {
      fail(error);
      continue;
    }
    budget -= additional;
    ApiError::None().ToProto(result->mutable_error());
    const gregor::Uuid id = topic->id();
    for (int32_t i = 0; i < additional; ++i) {
      builder.Add(PartitionRecordFor(id, current + i, NewPartition(builder.view(), assignment[i])));
    }
  }
  if (!request.validate_only()) out.records = builder.Take();
  return out;
}

}  // namespace gregor::controller
