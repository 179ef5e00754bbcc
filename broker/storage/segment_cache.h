// A broker-wide LRU of the inactive segments that are loaded (an open
// descriptor plus their indexes in memory), so descriptor use and index memory
// stay bounded however many segments the logs hold. Active segments are never
// in it. Thread-safe.
#ifndef GREGOR_BROKER_STORAGE_SEGMENT_CACHE_H_
#define GREGOR_BROKER_STORAGE_SEGMENT_CACHE_H_

#include <cstddef>
#include <list>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace gregor::storage {

class Segment;

class SegmentCache {
 public:
  // REQUIRES: capacity >= 1.
  explicit SegmentCache(size_t capacity);
  SegmentCache(const SegmentCache&) = delete;
  SegmentCache& operator=(const SegmentCache&) = delete;

  // Records a use of a loaded inactive segment; unloads the least recently
  // used ones beyond the capacity (outside the cache's lock).
  void Touch(const std::shared_ptr<Segment>& segment);
  // Forgets a segment (it became active, was unloaded or is being destroyed).
  void Remove(const Segment* segment);

  size_t size() const;
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  using Entry = std::pair<const Segment*, std::weak_ptr<Segment>>;
  std::list<Entry> lru_ ABSL_GUARDED_BY(mu_);  // front: most recent
  absl::flat_hash_map<const Segment*, std::list<Entry>::iterator> where_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_SEGMENT_CACHE_H_
