#include "broker/producer/producer_id_manager.h"

#include "glog/logging.h"

namespace gregor::broker {

ProducerIdManager::ProducerIdManager(std::function<absl::StatusOr<ProducerIdBlock>()> allocate,
                                     ThreadPool* pool)
    : allocate_(std::move(allocate)), pool_(pool) {
  absl::MutexLock l(&mu_);
  MaybeFetchLocked();
}

std::optional<int64_t> ProducerIdManager::Next() {
  absl::MutexLock l(&mu_);
  if (next_ >= current_.start + current_.length) {
    if (!prefetched_.has_value()) {
      MaybeFetchLocked();
      return std::nullopt;
    }
    current_ = *prefetched_;
    prefetched_.reset();
    next_ = current_.start;
  }
  int64_t id = next_++;
  // Fetch the next block once 90% of this one is used.
  if (!prefetched_.has_value() && next_ - current_.start >= current_.length * 9 / 10) {
    MaybeFetchLocked();
  }
  return id;
}

void ProducerIdManager::MaybeFetchLocked() {
  if (fetching_ || prefetched_.has_value()) return;
  fetching_ = true;
  bool queued = pool_->Submit([this] {
    absl::StatusOr<ProducerIdBlock> b = allocate_();
    absl::MutexLock l(&mu_);
    fetching_ = false;
    if (!b.ok()) {
      LOG(WARNING) << "cannot allocate producer ids: " << b.status();
      return;
    }
    prefetched_ = *b;
  });
  if (!queued) fetching_ = false;
}

}  // namespace gregor::broker
