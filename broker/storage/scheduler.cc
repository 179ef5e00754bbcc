#include "broker/storage/scheduler.h"

#include <algorithm>

#include "glog/logging.h"

namespace gregor::storage {

Scheduler::Scheduler(Clock* clock, std::chrono::milliseconds max_sleep)
    : clock_(clock), max_sleep_(max_sleep) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Add(std::string name, std::chrono::milliseconds interval,
                    std::function<void()> fn) {
  absl::MutexLock l(&mu_);
  CHECK(threads_.empty()) << "Scheduler::Add after Start";
  tasks_.push_back({std::move(name), interval, std::move(fn), clock_->Now() + interval});
}

void Scheduler::Start(int threads) {
  CHECK(threads_.empty());
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

int Scheduler::ClaimDue() {
  // The most overdue task first, so a slow frequent task cannot starve others.
  const auto now = clock_->Now();
  int best = -1;
  for (size_t i = 0; i < tasks_.size(); ++i) {
    if (tasks_[i].running || tasks_[i].due > now) continue;
    if (best < 0 || tasks_[i].due < tasks_[best].due) best = static_cast<int>(i);
  }
  if (best >= 0) tasks_[best].running = true;
  return best;
}

void Scheduler::Finish(int i) {
  tasks_[i].running = false;
  tasks_[i].due = clock_->Now() + tasks_[i].interval;
}

int Scheduler::RunDue() {
  int ran = 0;
  while (true) {
    int i;
    std::function<void()> fn;
    {
      absl::MutexLock l(&mu_);
      i = ClaimDue();
      if (i < 0) return ran;
      fn = tasks_[i].fn;
    }
    fn();
    ++ran;
    absl::MutexLock l(&mu_);
    Finish(i);
  }
}

void Scheduler::Loop() {
  absl::MutexLock l(&mu_);
  while (!stopping_) {
    int i = ClaimDue();
    if (i >= 0) {
      std::function<void()> fn = tasks_[i].fn;
      mu_.Unlock();
      fn();
      mu_.Lock();
      Finish(i);
      continue;
    }
    auto next = clock_->Now() + max_sleep_;
    for (const Task& t : tasks_) {
      if (!t.running) next = std::min(next, t.due);
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - clock_->Now());
    wait = std::clamp(wait, std::chrono::milliseconds(1), max_sleep_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(wait.count()));
  }
}

}  // namespace gregor::storage
