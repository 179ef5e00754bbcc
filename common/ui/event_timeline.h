// The timeline of the cluster view: leader elections, ISR shrinks and
// expands, controller leader changes and broker fencing, found by comparing
// successive ClusterViews.
//
// DiffViews is pure. EventTimeline keeps the previous view and a bounded
// list of events; a node calls Observe() whenever its metadata changes (and
// may call it on each /api/cluster request: an unchanged view adds nothing),
// then Fill() to put the events into the view it answers with.
#ifndef GREGOR_COMMON_UI_EVENT_TIMELINE_H_
#define GREGOR_COMMON_UI_EVENT_TIMELINE_H_

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/ui/cluster_view.h"

namespace gregor::ui {

// The events that lead from `before` to `after`, stamped with
// after.generated_ms, in this order: controller leader, broker fencing (by
// broker id), then per partition (topic, partition order of `after`) leader
// election, ISR shrink, ISR expand. Partitions, brokers and controllers
// present in only one of the views produce no event.
std::vector<EventView> DiffViews(const ClusterView& before, const ClusterView& after);

// Thread-safe.
class EventTimeline {
 public:
  // REQUIRES: max_events > 0.
  explicit EventTimeline(size_t max_events = 200);

  // Records what changed since the previous Observe() (the first call only
  // sets the baseline). Only the fields DiffViews reads are kept.
  void Observe(const ClusterView& view);

  // Records an event the node learned by other means.
  void Add(EventView event);

  // Replaces view->events with the recorded events, oldest first.
  void Fill(ClusterView* view) const;

 private:
  void Append(EventView event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_events_;
  mutable absl::Mutex mu_;
  std::optional<ClusterView> previous_ ABSL_GUARDED_BY(mu_);
  std::deque<EventView> events_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gregor::ui

#endif  // GREGOR_COMMON_UI_EVENT_TIMELINE_H_
