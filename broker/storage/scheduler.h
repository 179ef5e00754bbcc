// Periodic background tasks on a small, fixed pool of threads. Due times
// come from the injected Clock (monotonic time); the threads sleep in real
// time until the next task is due (at most `max_sleep`), so a FakeClock that
// nobody advances simply means nothing runs — tests call RunDue() instead of
// starting the threads. A task never runs concurrently with itself.
// Thread-safe.
#ifndef GREGOR_BROKER_STORAGE_SCHEDULER_H_
#define GREGOR_BROKER_STORAGE_SCHEDULER_H_

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"

namespace gregor::storage {

class Scheduler {
 public:
  explicit Scheduler(Clock* clock, std::chrono::milliseconds max_sleep = std::chrono::seconds(1));
  ~Scheduler();  // stops the threads (waits for running tasks)
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Adds a task first due one interval from now. REQUIRES: before Start().
  void Add(std::string name, std::chrono::milliseconds interval, std::function<void()> fn);
  // Starts `threads` threads running due tasks.
  void Start(int threads);
  // Stops the threads; tasks running finish first. Idempotent.
  void Stop();
  // Runs every task that is due now, in the calling thread; returns how many.
  int RunDue();

 private:
  struct Task {
    std::string name;
    std::chrono::milliseconds interval;
    std::function<void()> fn;
    std::chrono::steady_clock::time_point due;
    bool running = false;
  };
  // Claims a due task that is not running; -1 when none.
  int ClaimDue() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Finish(int task) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Loop();

  Clock* const clock_;
  const std::chrono::milliseconds max_sleep_;
  absl::Mutex mu_;
  std::vector<Task> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_SCHEDULER_H_
