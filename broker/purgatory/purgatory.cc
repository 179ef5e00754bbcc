#include "broker/purgatory/purgatory.h"

#include <algorithm>

namespace gregor::broker {

bool DelayedOperation::CompleteOnce(bool expired) {
  bool expected = false;
  if (!completed_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) return false;
  {
    absl::MutexLock l(&timer_mu_);
    if (timer_ != nullptr) timer_->cancel();
  }
  if (expired) OnExpiration();
  OnComplete();
  return true;
}

Purgatory::Purgatory(std::string name, int purge_interval)
    : name_(std::move(name)), purge_interval_(purge_interval) {}

bool Purgatory::TryCompleteElseWatch(const std::shared_ptr<DelayedOperation>& op,
                                     const std::vector<WatchKey>& keys,
                                     std::chrono::milliseconds timeout,
                                     asio::io_context& timer_loop) {
  if (op->TryComplete()) return true;
  {
    absl::MutexLock l(&mu_);
    for (const WatchKey& k : keys) watchers_[k].push_back(op);
  }
  watched_.fetch_add(1, std::memory_order_relaxed);
  // An event may have happened between the first try and the watch.
  if (op->TryComplete()) {
    watched_.fetch_sub(1, std::memory_order_relaxed);
    return true;
  }
  {
    absl::MutexLock l(&op->timer_mu_);
    if (!op->completed()) {
      op->timer_ = std::make_unique<asio::steady_timer>(timer_loop, timeout);
      std::weak_ptr<DelayedOperation> weak = op;
      op->timer_->async_wait([weak, this](const asio::error_code& ec) {
        if (ec) return;
        auto o = weak.lock();
        if (o == nullptr || o->completed()) return;
        if (o->CompleteOnce(/*expired=*/true)) watched_.fetch_sub(1, std::memory_order_relaxed);
      });
    }
  }
  if (adds_since_purge_.fetch_add(1, std::memory_order_relaxed) + 1 >= purge_interval_) {
    adds_since_purge_.store(0, std::memory_order_relaxed);
    PurgeCompleted();
  }
  return false;
}

int Purgatory::CheckAndComplete(const WatchKey& key) {
  OpList ops;
  {
    absl::MutexLock l(&mu_);
    auto it = watchers_.find(key);
    if (it == watchers_.end()) return 0;
    OpList& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [](const auto& o) { return o->completed(); }),
               list.end());
    if (list.empty()) {
      watchers_.erase(it);
      return 0;
    }
    ops = list;
  }
  int done = 0;
  for (const auto& op : ops) {
    if (!op->completed() && op->TryComplete()) {
      ++done;
      watched_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  return done;
}

void Purgatory::PurgeCompleted() {
  absl::MutexLock l(&mu_);
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    OpList& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [](const auto& o) { return o->completed(); }),
               list.end());
    if (list.empty()) {
      watchers_.erase(it++);
    } else {
      ++it;
    }
  }
}

}  // namespace gregor::broker
