#include "common/ui/cluster_view.h"

#include <algorithm>

namespace gregor::ui {

namespace {

using nlohmann::json;

template <typename T>
json OrNull(const std::optional<T>& v) {
  return v ? json(v->value()) : json(nullptr);
}

json OrNullRaw(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }
json OrNullRaw(const std::optional<uint64_t>& v) { return v ? json(*v) : json(nullptr); }
json OrNullRaw(const std::optional<int32_t>& v) { return v ? json(*v) : json(nullptr); }

template <typename Id>
json Ids(const std::vector<Id>& ids) {
  json out = json::array();
  for (Id id : ids) out.push_back(id.value());
  return out;
}

json ControllerJson(const ControllerView& c, const std::optional<NodeId>& leader) {
  return {{"id", c.id.value()},
          {"address", c.address},
          {"role", c.role},
          {"is_leader", leader.has_value() && *leader == c.id},
          {"term", OrNull(c.term)},
          {"commit_index", OrNull(c.commit_index)},
          {"last_index", OrNull(c.last_index)},
          {"lag", OrNullRaw(c.lag)},
          {"last_contact_ms", OrNullRaw(c.last_contact_ms)}};
}

json BrokerJson(const BrokerView& b) {
  return {{"id", b.id.value()},
          {"address", b.address},
          {"http_address", b.http_address},
          {"rack", b.rack},
          {"epoch", b.epoch},
          {"alive", b.alive},
          {"fenced", b.fenced},
          {"in_controlled_shutdown", b.in_controlled_shutdown}};
}

bool UnderReplicated(const PartitionView& p) { return p.isr.size() < p.replicas.size(); }

json PartitionJson(const PartitionView& p) {
  return {{"partition", p.partition.value()},
          {"leader", p.leader ? p.leader->value() : -1},
          {"leader_epoch", p.leader_epoch.value()},
          {"replicas", Ids(p.replicas)},
          {"isr", Ids(p.isr)},
          {"high_watermark", OrNull(p.high_watermark)},
          {"log_end_offset", OrNull(p.log_end_offset)},
          {"under_replicated", UnderReplicated(p)},
          {"offline", !p.leader.has_value()}};
}

std::optional<int64_t> Lag(const GroupOffsetView& o) {
  if (!o.log_end_offset) return std::nullopt;
  return std::max<int64_t>(0, o.log_end_offset->value() - std::max<int64_t>(0, o.committed_offset.value()));
}

json GroupJson(const GroupView& g) {
  json members = json::array();
  for (const GroupMemberView& m : g.members) {
    members.push_back({{"member_id", m.member_id},
                       {"group_instance_id", m.group_instance_id},
                       {"client_id", m.client_id},
                       {"client_host", m.client_host},
                       {"assigned_partitions", m.assigned_partitions}});
  }
  json offsets = json::array();
  std::optional<int64_t> total;
  for (const GroupOffsetView& o : g.offsets) {
    const std::optional<int64_t> lag = Lag(o);
    if (lag) total = total.value_or(0) + *lag;
    offsets.push_back({{"topic", o.topic},
                       {"partition", o.partition.value()},
                       {"committed_offset", o.committed_offset.value()},
                       {"log_end_offset", OrNull(o.log_end_offset)},
                       {"lag", OrNullRaw(lag)}});
  }
  return {{"group_id", g.group_id},
          {"state", g.state},
          {"protocol_type", g.protocol_type},
          {"protocol", g.protocol},
          {"generation", g.generation},
          {"coordinator", g.coordinator ? g.coordinator->value() : -1},
          {"members", members},
          {"offsets", offsets},
          {"total_lag", OrNullRaw(total)}};
}

json EventJson(const EventView& e) {
  return {{"time_ms", e.time_ms},
          {"kind", KindName(e.kind)},
          {"topic", e.topic},
          {"partition", OrNull(e.partition)},
          {"node", OrNullRaw(e.node)},
          {"previous_leader", OrNullRaw(e.previous_leader)},
          {"leader", OrNullRaw(e.leader)},
          {"previous_isr", Ids(e.previous_isr)},
          {"isr", Ids(e.isr)},
          {"term", OrNull(e.term)},
          {"detail", e.detail}};
}

}  // namespace

const char* KindName(EventView::Kind kind) {
  switch (kind) {
    case EventView::Kind::kControllerLeader: return "controller_leader";
    case EventView::Kind::kLeaderElection: return "leader_election";
    case EventView::Kind::kIsrShrink: return "isr_shrink";
    case EventView::Kind::kIsrExpand: return "isr_expand";
    case EventView::Kind::kBrokerFenced: return "broker_fenced";
    case EventView::Kind::kBrokerUnfenced: return "broker_unfenced";
  }
  return "unknown";
}

void Truncate(const ClusterViewLimits& limits, ClusterView* view) {
  size_t partitions = 0;
  for (size_t t = 0; t < view->topics.size(); ++t) {
    auto& parts = view->topics[t].partitions;
    const size_t room = limits.max_partitions - partitions;
    if (parts.size() > room) {
      parts.resize(room);
      view->topics.resize(parts.empty() ? t : t + 1);
      view->truncated = true;
      break;
    }
    partitions += parts.size();
  }
  if (view->groups.size() > limits.max_groups) {
    view->groups.resize(limits.max_groups);
    view->truncated = true;
  }
  for (GroupView& g : view->groups) {
    if (g.members.size() > limits.max_members_per_group) {
      g.members.resize(limits.max_members_per_group);
      view->truncated = true;
    }
    if (g.offsets.size() > limits.max_offsets_per_group) {
      g.offsets.resize(limits.max_offsets_per_group);
      view->truncated = true;
    }
  }
  if (view->events.size() > limits.max_events) {
    view->events.erase(view->events.begin(),
                       view->events.end() - static_cast<std::ptrdiff_t>(limits.max_events));
    view->truncated = true;
  }
}

nlohmann::json ToJson(const ClusterView& view) {
  json controllers = json::array();
  for (const ControllerView& c : view.controllers) {
    controllers.push_back(ControllerJson(c, view.controller_leader));
  }
  json brokers = json::array();
  int alive = 0;
  for (const BrokerView& b : view.brokers) {
    brokers.push_back(BrokerJson(b));
    if (b.alive && !b.fenced) ++alive;
  }
  json topics = json::array();
  int partitions = 0, under_replicated = 0, offline = 0;
  for (const TopicView& t : view.topics) {
    json parts = json::array();
    for (const PartitionView& p : t.partitions) {
      parts.push_back(PartitionJson(p));
      ++partitions;
      if (UnderReplicated(p)) ++under_replicated;
      if (!p.leader) ++offline;
    }
    topics.push_back({{"name", t.name}, {"id", t.id}, {"partitions", parts}});
  }
  json groups = json::array();
  for (const GroupView& g : view.groups) groups.push_back(GroupJson(g));
  json events = json::array();
  for (const EventView& e : view.events) events.push_back(EventJson(e));

  return {{"generated_ms", view.generated_ms},
          {"cluster_id", view.cluster_id},
          {"served_by", view.served_by},
          {"served_by_role", view.served_by_role},
          {"controller_leader", view.controller_leader ? view.controller_leader->value() : -1},
          {"summary",
           {{"controllers", view.controllers.size()},
            {"brokers", view.brokers.size()},
            {"brokers_alive", alive},
            {"topics", view.topics.size()},
            {"partitions", partitions},
            {"under_replicated_partitions", under_replicated},
            {"offline_partitions", offline},
            {"groups", view.groups.size()}}},
          {"controllers", controllers},
          {"brokers", brokers},
          {"topics", topics},
          {"groups", groups},
          {"events", events},
          {"truncated", view.truncated}};
}

std::string ToJsonString(const ClusterView& view) {
  // Replace invalid UTF-8 (names come from clients) instead of throwing.
  return ToJson(view).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace gregor::ui
