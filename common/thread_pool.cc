#include "common/thread_pool.h"

#include <pthread.h>

namespace gregor {

ThreadPool::ThreadPool(int threads, size_t max_queued, std::string name) : max_queued_(max_queued) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, name, i] {
      std::string n = name + "-" + std::to_string(i);
      pthread_setname_np(pthread_self(), n.substr(0, 15).c_str());
      Run();
    });
  }
}

ThreadPool::~ThreadPool() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
  }
  for (auto& t : threads_) t.join();
}

bool ThreadPool::Submit(absl::AnyInvocable<void()> fn) {
  absl::MutexLock l(&mu_);
  if (stopping_ || queue_.size() >= max_queued_) return false;
  queue_.push_back(std::move(fn));
  return true;
}

size_t ThreadPool::queued() const {
  absl::MutexLock l(&mu_);
  return queue_.size();
}

void ThreadPool::Run() {
  while (true) {
    absl::AnyInvocable<void()> fn;
    {
      absl::MutexLock l(&mu_);
      mu_.Await(absl::Condition(
          +[](ThreadPool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
            return p->stopping_ || !p->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopping and drained
      fn = std::move(queue_.front());
      queue_.pop_front();
    }
    fn();
  }
}

}  // namespace gregor
