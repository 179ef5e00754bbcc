#include "broker/storage/flusher.h"

#include "glog/logging.h"

namespace gregor::storage {

Flusher::Flusher(int threads) {
  CHECK_GE(threads, 1);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

Flusher::~Flusher() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
  }
  for (auto& t : threads_) t.join();
}

void Flusher::Schedule(std::weak_ptr<FlushTarget> target) {
  absl::MutexLock l(&mu_);
  queue_.push_back(std::move(target));
}

size_t Flusher::queued() const {
  absl::MutexLock l(&mu_);
  return queue_.size();
}

void Flusher::Loop() {
  while (true) {
    std::weak_ptr<FlushTarget> next;
    {
      absl::MutexLock l(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    if (std::shared_ptr<FlushTarget> t = next.lock()) t->RunScheduledFlush();
  }
}

}  // namespace gregor::storage
