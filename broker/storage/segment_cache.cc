#include "broker/storage/segment_cache.h"

#include <vector>

#include "broker/storage/segment.h"
#include "glog/logging.h"

namespace gregor::storage {

SegmentCache::SegmentCache(size_t capacity) : capacity_(capacity) { CHECK_GE(capacity, 1u); }

void SegmentCache::Touch(const std::shared_ptr<Segment>& segment) {
  std::vector<std::shared_ptr<Segment>> victims;
  {
    absl::MutexLock l(&mu_);
    auto it = where_.find(segment.get());
    if (it != where_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
    } else {
      lru_.emplace_front(segment.get(), segment);
      where_[segment.get()] = lru_.begin();
    }
    while (lru_.size() > capacity_) {
      Entry victim = std::move(lru_.back());
      lru_.pop_back();
      where_.erase(victim.first);
      // An expired entry is a segment being destroyed; its destructor's
      // Remove() then finds nothing.
      if (std::shared_ptr<Segment> s = victim.second.lock()) victims.push_back(std::move(s));
    }
  }
  for (auto& v : victims) v->Unload();
}

void SegmentCache::Remove(const Segment* segment) {
  absl::MutexLock l(&mu_);
  auto it = where_.find(segment);
  if (it == where_.end()) return;
  lru_.erase(it->second);
  where_.erase(it);
}

size_t SegmentCache::size() const {
  absl::MutexLock l(&mu_);
  return lru_.size();
}

}  // namespace gregor::storage
