#include "common/ui/peer_facts.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace gregor::ui {

namespace {

using nlohmann::json;

json GroupToJson(const GroupView& g) {
  json members = json::array();
  for (const GroupMemberView& m : g.members) {
    members.push_back({{"member_id", m.member_id},
                       {"group_instance_id", m.group_instance_id},
                       {"client_id", m.client_id},
                       {"client_host", m.client_host},
                       {"assigned_partitions", m.assigned_partitions}});
  }
  json offsets = json::array();
  for (const GroupOffsetView& o : g.offsets) {
    offsets.push_back({{"topic", o.topic},
                       {"partition", o.partition.value()},
                       {"committed_offset", o.committed_offset.value()},
                       {"log_end_offset", o.log_end_offset ? json(o.log_end_offset->value())
                                                           : json(nullptr)}});
  }
  return {{"group_id", g.group_id},
          {"state", g.state},
          {"protocol_type", g.protocol_type},
          {"protocol", g.protocol},
          {"generation", g.generation},
          {"coordinator", g.coordinator ? g.coordinator->value() : -1},
          {"members", members},
          {"offsets", offsets}};
}

// Field readers that fail with a Status instead of throwing.
absl::Status Missing(const char* what, const char* field) {
  return absl::InvalidArgumentError(absl::StrCat("peer facts: ", what, ": field \"", field,
                                                 "\" missing or of the wrong type"));
}

absl::StatusOr<std::string> Str(const json& j, const char* field, const char* what) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_string()) return Missing(what, field);
  return it->get<std::string>();
}

absl::StatusOr<int64_t> Int(const json& j, const char* field, const char* what) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_number_integer()) return Missing(what, field);
  return it->get<int64_t>();
}

absl::StatusOr<const json*> Array(const json& j, const char* field, const char* what,
                                  size_t max) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_array()) return Missing(what, field);
  if (it->size() > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("peer facts: ", what, ": ", it->size(), " ", field, " (at most ", max, ")"));
  }
  return &*it;
}

#define GREGOR_PF_ASSIGN(lhs, expr)     \
  auto lhs##_or = (expr);               \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

absl::StatusOr<GroupView> GroupFromJson(const json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("peer facts: a group is not an object");
  GroupView g;
  GREGOR_PF_ASSIGN(id, Str(j, "group_id", "group"));
  GREGOR_PF_ASSIGN(state, Str(j, "state", "group"));
  GREGOR_PF_ASSIGN(protocol_type, Str(j, "protocol_type", "group"));
  GREGOR_PF_ASSIGN(protocol, Str(j, "protocol", "group"));
  GREGOR_PF_ASSIGN(generation, Int(j, "generation", "group"));
  GREGOR_PF_ASSIGN(coordinator, Int(j, "coordinator", "group"));
  g.group_id = id;
  g.state = state;
  g.protocol_type = protocol_type;
  g.protocol = protocol;
  g.generation = static_cast<int32_t>(generation);
  if (coordinator >= 0) g.coordinator = BrokerId(static_cast<int32_t>(coordinator));
  GREGOR_PF_ASSIGN(members, Array(j, "members", "group", ClusterViewLimits().max_members_per_group));
  for (const json& m : *members) {
    if (!m.is_object()) return absl::InvalidArgumentError("peer facts: a member is not an object");
    GroupMemberView mv;
    GREGOR_PF_ASSIGN(member_id, Str(m, "member_id", "member"));
    GREGOR_PF_ASSIGN(instance, Str(m, "group_instance_id", "member"));
    GREGOR_PF_ASSIGN(client_id, Str(m, "client_id", "member"));
    GREGOR_PF_ASSIGN(client_host, Str(m, "client_host", "member"));
    GREGOR_PF_ASSIGN(assigned, Int(m, "assigned_partitions", "member"));
    mv.member_id = member_id;
    mv.group_instance_id = instance;
    mv.client_id = client_id;
    mv.client_host = client_host;
    mv.assigned_partitions = static_cast<int32_t>(assigned);
    g.members.push_back(std::move(mv));
  }
  GREGOR_PF_ASSIGN(offsets, Array(j, "offsets", "group", ClusterViewLimits().max_offsets_per_group));
  for (const json& o : *offsets) {
    if (!o.is_object()) return absl::InvalidArgumentError("peer facts: an offset is not an object");
    GroupOffsetView ov;
    GREGOR_PF_ASSIGN(topic, Str(o, "topic", "group offset"));
    GREGOR_PF_ASSIGN(partition, Int(o, "partition", "group offset"));
    GREGOR_PF_ASSIGN(committed, Int(o, "committed_offset", "group offset"));
    ov.topic = topic;
    ov.partition = PartitionId(static_cast<int32_t>(partition));
    ov.committed_offset = Offset(committed);
    auto leo = o.find("log_end_offset");
    if (leo != o.end() && leo->is_number_integer()) ov.log_end_offset = Offset(leo->get<int64_t>());
    g.offsets.push_back(std::move(ov));
  }
  return g;
}

}  // namespace

PeerFacts FactsOf(const ClusterView& local) {
  PeerFacts f;
  f.node = local.served_by;
  for (const TopicView& t : local.topics) {
    for (const PartitionView& p : t.partitions) {
      if (!p.leader || p.leader->value() != local.served_by) continue;
      if (!p.high_watermark || !p.log_end_offset) continue;
      f.partitions.push_back({t.name, p.partition, *p.high_watermark, *p.log_end_offset});
    }
  }
  f.groups = local.groups;
  return f;
}

std::string PeerFactsToJson(const PeerFacts& facts) {
  json partitions = json::array();
  for (const PartitionFacts& p : facts.partitions) {
    partitions.push_back({{"topic", p.topic},
                          {"partition", p.partition.value()},
                          {"high_watermark", p.high_watermark.value()},
                          {"log_end_offset", p.log_end_offset.value()}});
  }
  json groups = json::array();
  for (const GroupView& g : facts.groups) groups.push_back(GroupToJson(g));
  json j = {{"node", facts.node}, {"partitions", partitions}, {"groups", groups}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

absl::StatusOr<PeerFacts> PeerFactsFromJson(std::string_view text) {
  if (text.size() > kMaxPeerFactsBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("peer facts: ", text.size(), " bytes (at most ", kMaxPeerFactsBytes, ")"));
  }
  const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("peer facts: not a JSON object");
  }
  PeerFacts f;
  GREGOR_PF_ASSIGN(node, Int(j, "node", "facts"));
  f.node = static_cast<int32_t>(node);
  GREGOR_PF_ASSIGN(partitions, Array(j, "partitions", "facts", kMaxPeerPartitions));
  for (const json& p : *partitions) {
    if (!p.is_object()) return absl::InvalidArgumentError("peer facts: a partition is not an object");
    GREGOR_PF_ASSIGN(topic, Str(p, "topic", "partition"));
    GREGOR_PF_ASSIGN(index, Int(p, "partition", "partition"));
    GREGOR_PF_ASSIGN(hw, Int(p, "high_watermark", "partition"));
    GREGOR_PF_ASSIGN(leo, Int(p, "log_end_offset", "partition"));
    f.partitions.push_back(
        {topic, PartitionId(static_cast<int32_t>(index)), Offset(hw), Offset(leo)});
  }
  GREGOR_PF_ASSIGN(groups, Array(j, "groups", "facts", kMaxPeerGroups));
  for (const json& g : *groups) {
    GREGOR_PF_ASSIGN(group, GroupFromJson(g));
    f.groups.push_back(std::move(group));
  }
  return f;
}

#undef GREGOR_PF_ASSIGN

void MergePeerFacts(const PeerFacts& facts, ClusterView* view) {
  std::map<std::pair<std::string_view, int32_t>, const PartitionFacts*> by_key;
  for (const PartitionFacts& p : facts.partitions) {
    by_key[{p.topic, p.partition.value()}] = &p;
  }
  for (TopicView& t : view->topics) {
    for (PartitionView& p : t.partitions) {
      if (p.high_watermark && p.log_end_offset) continue;
      if (!p.leader || p.leader->value() != facts.node) continue;
      auto it = by_key.find({t.name, p.partition.value()});
      if (it == by_key.end()) continue;
      p.high_watermark = it->second->high_watermark;
      p.log_end_offset = it->second->log_end_offset;
    }
  }
  std::set<std::string> have;
  for (const GroupView& g : view->groups) have.insert(g.group_id);
  for (const GroupView& g : facts.groups) {
    if (have.count(g.group_id) == 0) view->groups.push_back(g);
  }
}

void FillGroupLogEnds(ClusterView* view) {
  std::map<std::pair<std::string_view, int32_t>, Offset> leo;
  for (const TopicView& t : view->topics) {
    for (const PartitionView& p : t.partitions) {
      // What a consumer can read: the high watermark (as Kafka's tools do).
      if (p.high_watermark) leo[{t.name, p.partition.value()}] = *p.high_watermark;
    }
  }
  for (GroupView& g : view->groups) {
    for (GroupOffsetView& o : g.offsets) {
      if (o.log_end_offset) continue;
      auto it = leo.find({o.topic, o.partition.value()});
      if (it != leo.end()) o.log_end_offset = it->second;
    }
  }
}

}  // namespace gregor::ui
