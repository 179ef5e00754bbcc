// A fixed pool of threads for blocking work that must stay off the event
// loops (controller RPCs, file deletion, ...). Bounded queue: Submit fails
// when it is full rather than growing without limit.
#ifndef GREGOR_COMMON_THREAD_POOL_H_
#define GREGOR_COMMON_THREAD_POOL_H_

#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace gregor {

class ThreadPool {
 public:
  ThreadPool(int threads, size_t max_queued, std::string name = "pool");
  ~ThreadPool();  // Runs what is queued, then joins.

  // Queues `fn`; false when the queue is full or the pool is stopping.
  bool Submit(absl::AnyInvocable<void()> fn);
  size_t queued() const;

 private:
  void Run();

  const size_t max_queued_;
  mutable absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace gregor

#endif  // GREGOR_COMMON_THREAD_POOL_H_
