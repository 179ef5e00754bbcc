#include "common/ui/event_timeline.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "glog/logging.h"

namespace gregor::ui {

namespace {

std::string JoinIds(const std::vector<BrokerId>& ids) {
  if (ids.empty()) return "none";
  std::vector<int32_t> raw;
  for (BrokerId id : ids) raw.push_back(id.value());
  return absl::StrJoin(raw, ",");
}

// Members of `a` missing from `b`, in the order of `a`.
std::vector<BrokerId> Minus(const std::vector<BrokerId>& a, const std::vector<BrokerId>& b) {
  std::vector<BrokerId> out;
  for (BrokerId id : a) {
    if (std::find(b.begin(), b.end(), id) == b.end()) out.push_back(id);
  }
  return out;
}

int32_t LeaderOrNone(const PartitionView& p) { return p.leader ? p.leader->value() : -1; }

void DiffPartition(const std::string& topic, const PartitionView& before, const PartitionView& after,
                   int64_t now_ms, std::vector<EventView>* out) {
  const std::string name = absl::StrCat(topic, "-", after.partition.value());
  const int32_t old_leader = LeaderOrNone(before), new_leader = LeaderOrNone(after);
  if (old_leader != new_leader) {
    EventView e;
    e.time_ms = now_ms;
    e.kind = EventView::Kind::kLeaderElection;
    e.topic = topic;
    e.partition = after.partition;
    e.previous_leader = old_leader;
    e.leader = new_leader;
    e.detail = new_leader < 0
                   ? absl::StrCat(name, ": leader ", old_leader, " lost, partition offline")
                   : absl::StrCat(name, ": leader ", old_leader, " -> ", new_leader, " (leader epoch ",
                                  after.leader_epoch.value(), ")");
    out->push_back(std::move(e));
  }
  const std::vector<BrokerId> removed = Minus(before.isr, after.isr);
  const std::vector<BrokerId> added = Minus(after.isr, before.isr);
  auto isr_event = [&](EventView::Kind kind, const std::vector<BrokerId>& changed) {
    EventView e;
    e.time_ms = now_ms;
    e.kind = kind;
    e.topic = topic;
    e.partition = after.partition;
    e.previous_isr = before.isr;
    e.isr = after.isr;
    e.detail = absl::StrCat(name, ": ISR ", kind == EventView::Kind::kIsrShrink ? "shrank" : "expanded",
                            " ", JoinIds(before.isr), " -> ", JoinIds(after.isr), " (",
                            kind == EventView::Kind::kIsrShrink ? "out: " : "in: ", JoinIds(changed),
                            ")");
    out->push_back(std::move(e));
  };
  if (!removed.empty()) isr_event(EventView::Kind::kIsrShrink, removed);
  if (!added.empty()) isr_event(EventView::Kind::kIsrExpand, added);
}

}  // namespace

std::vector<EventView> DiffViews(const ClusterView& before, const ClusterView& after) {
  std::vector<EventView> out;
  const int64_t now_ms = after.generated_ms;
  if (after.controller_leader && before.controller_leader != after.controller_leader) {
    EventView e;
    e.time_ms = now_ms;
    e.kind = EventView::Kind::kControllerLeader;
    e.node = after.controller_leader->value();
    e.previous_leader = before.controller_leader ? before.controller_leader->value() : -1;
    e.leader = after.controller_leader->value();
    for (const ControllerView& c : after.controllers) {
      if (c.id == *after.controller_leader) e.term = c.term;
    }
    e.detail = absl::StrCat("controller ", after.controller_leader->value(), " became the Raft leader",
                            e.term ? absl::StrCat(" (term ", e.term->value(), ")") : "");
    out.push_back(std::move(e));
  }

  std::map<BrokerId, bool> was_fenced;
  for (const BrokerView& b : before.brokers) was_fenced[b.id] = b.fenced;
  std::vector<const BrokerView*> brokers;
  for (const BrokerView& b : after.brokers) brokers.push_back(&b);
  std::sort(brokers.begin(), brokers.end(), [](auto* x, auto* y) { return x->id < y->id; });
  for (const BrokerView* b : brokers) {
    auto it = was_fenced.find(b->id);
    if (it == was_fenced.end() || it->second == b->fenced) continue;
    EventView e;
    e.time_ms = now_ms;
    e.kind = b->fenced ? EventView::Kind::kBrokerFenced : EventView::Kind::kBrokerUnfenced;
    e.node = b->id.value();
    e.detail = absl::StrCat("broker ", b->id.value(), b->fenced ? " fenced" : " unfenced");
    out.push_back(std::move(e));
  }

  std::map<std::pair<std::string, PartitionId>, const PartitionView*> old_parts;
  for (const TopicView& t : before.topics) {
    for (const PartitionView& p : t.partitions) old_parts[{t.name, p.partition}] = &p;
  }
  for (const TopicView& t : after.topics) {
    for (const PartitionView& p : t.partitions) {
      auto it = old_parts.find({t.name, p.partition});
      if (it != old_parts.end()) DiffPartition(t.name, *it->second, p, now_ms, &out);
    }
  }
  return out;
}

EventTimeline::EventTimeline(size_t max_events) : max_events_(max_events) {
  CHECK_GT(max_events, 0u);
}

void EventTimeline::Observe(const ClusterView& view) {
  // Keep only what DiffViews reads.
  ClusterView kept;
  kept.generated_ms = view.generated_ms;
  kept.controller_leader = view.controller_leader;
  kept.controllers = view.controllers;
  kept.brokers = view.brokers;
  kept.topics = view.topics;
  absl::MutexLock lock(&mu_);
  // A view that does not know the controller leader (the quorum did not
  // answer in time) is no change of leader: keep the last one known.
  if (!kept.controller_leader && previous_) kept.controller_leader = previous_->controller_leader;
  if (previous_) {
    for (EventView& e : DiffViews(*previous_, kept)) Append(std::move(e));
  }
  previous_ = std::move(kept);
}

void EventTimeline::Add(EventView event) {
  absl::MutexLock lock(&mu_);
  Append(std::move(event));
}

void EventTimeline::Append(EventView event) {
  events_.push_back(std::move(event));
  while (events_.size() > max_events_) events_.pop_front();
}

void EventTimeline::Fill(ClusterView* view) const {
  absl::MutexLock lock(&mu_);
  view->events.assign(events_.begin(), events_.end());
}

}  // namespace gregor::ui
