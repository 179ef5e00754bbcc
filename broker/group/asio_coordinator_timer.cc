#include "broker/group/asio_coordinator_timer.h"

#include <algorithm>
#include <chrono>

namespace gregor::broker::group {

AsioCoordinatorTimer::~AsioCoordinatorTimer() { CancelAll(); }

CoordinatorTimer::Handle AsioCoordinatorTimer::Schedule(MonoTime deadline,
                                                        std::function<void()> fn) {
  auto delay = std::max(deadline - clock_->Now(), MonoTime::duration::zero());
  absl::MutexLock l(&mu_);
  Handle handle = next_++;
  if (stopped_) return handle;
  auto timer = std::make_unique<asio::steady_timer>(*io_, delay);
  // The handler runs on the io thread, never inside Schedule.
  timer->async_wait([this, handle, fn = std::move(fn)](const asio::error_code& ec) {
    {
      absl::MutexLock l(&mu_);
      // Cancelled (or replaced by CancelAll): the entry is already gone.
      if (ec || timers_.erase(handle) == 0) return;
    }
    fn();
  });
  timers_.emplace(handle, std::move(timer));
  return handle;
}

void AsioCoordinatorTimer::Cancel(Handle handle) {
  std::unique_ptr<asio::steady_timer> timer;
  {
    absl::MutexLock l(&mu_);
    auto it = timers_.find(handle);
    if (it == timers_.end()) return;
    timer = std::move(it->second);
    timers_.erase(it);
  }
  timer->cancel();
}

void AsioCoordinatorTimer::CancelAll() {
  absl::flat_hash_map<Handle, std::unique_ptr<asio::steady_timer>> timers;
  {
    absl::MutexLock l(&mu_);
    stopped_ = true;
    timers.swap(timers_);
  }
  for (auto& [h, t] : timers) t->cancel();
}

size_t AsioCoordinatorTimer::armed() const {
  absl::MutexLock l(&mu_);
  return timers_.size();
}

}  // namespace gregor::broker::group
