#include "common/ui/timeline_observer.h"

#include <utility>

#include "glog/logging.h"

namespace gregor::ui {

TimelineObserver::TimelineObserver(EventTimeline* timeline, std::function<ClusterView()> view,
                                   std::chrono::milliseconds interval)
    : timeline_(timeline), view_(std::move(view)), interval_(interval) {
  CHECK(timeline_ != nullptr);
  CHECK_GT(interval_.count(), 0);
}

TimelineObserver::~TimelineObserver() { Stop(); }

void TimelineObserver::Start() {
  CHECK(!thread_.joinable()) << "started twice";
  thread_ = std::thread([this] { Run(); });
}

void TimelineObserver::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void TimelineObserver::Run() {
  while (true) {
    timeline_->Observe(view_());
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&stop_), absl::FromChrono(interval_))) return;
  }
}

}  // namespace gregor::ui
