// Feeds an EventTimeline on a background thread: every `interval` it builds
// a view (cheaply: metadata only) and Observe()s it, so that the timeline
// records leader elections and ISR changes while nobody has /ui open.
//
// Thread-safe: Start/Stop from the owner's thread; `view` runs on the
// observer's thread and must be thread-safe.
#ifndef GREGOR_COMMON_UI_TIMELINE_OBSERVER_H_
#define GREGOR_COMMON_UI_TIMELINE_OBSERVER_H_

#include <chrono>
#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/ui/cluster_view.h"
#include "common/ui/event_timeline.h"

namespace gregor::ui {

class TimelineObserver {
 public:
  // `timeline` must outlive the observer. REQUIRES: interval > 0.
  TimelineObserver(EventTimeline* timeline, std::function<ClusterView()> view,
                   std::chrono::milliseconds interval);
  ~TimelineObserver();  // Stop()
  TimelineObserver(const TimelineObserver&) = delete;
  TimelineObserver& operator=(const TimelineObserver&) = delete;

  void Start();
  // Waits for the thread (at most one view build). Idempotent.
  void Stop();

 private:
  void Run();

  EventTimeline* const timeline_;
  const std::function<ClusterView()> view_;
  const std::chrono::milliseconds interval_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace gregor::ui

#endif  // GREGOR_COMMON_UI_TIMELINE_OBSERVER_H_
