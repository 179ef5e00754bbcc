// CoordinatorTimer on an Asio io_context: each Schedule arms one
// steady_timer, whose firing runs the callback on the io_context's thread.
//
// Deadlines are in the injected Clock's monotonic time (the coordinator's
// `Now().mono`); the timer waits for the difference to the clock's current
// time, so it works with the real clock. Tests that use a FakeClock drive
// the coordinator's timers by hand instead.
//
// Thread-safety: thread-safe. Lifetime: CancelAll() and stop the io_context
// before destroying the timer (a pending handler refers to it).
#ifndef GREGOR_BROKER_GROUP_ASIO_COORDINATOR_TIMER_H_
#define GREGOR_BROKER_GROUP_ASIO_COORDINATOR_TIMER_H_

#include <functional>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "asio.hpp"
#include "broker/group/group_coordinator.h"
#include "common/clock.h"

namespace gregor::broker::group {

class AsioCoordinatorTimer : public CoordinatorTimer {
 public:
  // `io` and `clock` must outlive the timer.
  AsioCoordinatorTimer(asio::io_context* io, Clock* clock) : io_(io), clock_(clock) {}
  ~AsioCoordinatorTimer() override;

  Handle Schedule(MonoTime deadline, std::function<void()> fn) override;
  void Cancel(Handle handle) override;
  // Cancels every armed timer; later Schedules arm nothing.
  void CancelAll();
  // Timers armed and not yet fired or cancelled.
  size_t armed() const;

 private:
  asio::io_context* const io_;
  Clock* const clock_;
  mutable absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  Handle next_ ABSL_GUARDED_BY(mu_) = 1;
  absl::flat_hash_map<Handle, std::unique_ptr<asio::steady_timer>> timers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_ASIO_COORDINATOR_TIMER_H_
