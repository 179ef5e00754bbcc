#include "broker/storage/leader_epoch_cache.h"

#include <algorithm>

#include "glog/logging.h"

namespace gregor::storage {

LeaderEpochCache::LeaderEpochCache(std::vector<EpochEntry> entries) : entries_(std::move(entries)) {
  for (size_t i = 1; i < entries_.size(); ++i) {
    CHECK(entries_[i - 1].epoch < entries_[i].epoch &&
          entries_[i - 1].start_offset <= entries_[i].start_offset)
        << "epoch entries out of order at " << i;
  }
}

bool LeaderEpochCache::Assign(LeaderEpoch epoch, Offset start_offset) {
  if (epoch.value() < 0 || start_offset.value() < 0) return false;
  if (!entries_.empty()) {
    const EpochEntry& last = entries_.back();
    if (epoch == last.epoch && start_offset >= last.start_offset) return false;
  }
  size_t removed = 0;
  while (!entries_.empty() &&
         (entries_.back().epoch >= epoch || entries_.back().start_offset >= start_offset)) {
    entries_.pop_back();
    ++removed;
  }
  if (removed > 0) {
    LOG(WARNING) << "leader epoch cache: assigning epoch " << epoch << " at " << start_offset
                 << " removed " << removed << " conflicting entries";
  }
  entries_.push_back({epoch, start_offset});
  return true;
}

std::optional<EpochEntry> LeaderEpochCache::Latest() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

std::optional<LeaderEpoch> LeaderEpochCache::LatestEpoch() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back().epoch;
}

std::optional<LeaderEpoch> LeaderEpochCache::PreviousEpoch() const {
  if (entries_.size() < 2) return std::nullopt;
  return entries_[entries_.size() - 2].epoch;
}

EpochEndOffset LeaderEpochCache::EndOffsetFor(LeaderEpoch requested, Offset log_end_offset) const {
  if (requested == kUndefinedEpoch) return {};
  if (!entries_.empty() && entries_.back().epoch == requested) {
    return {requested, log_end_offset};
  }
  // First entry with a higher epoch.
  auto higher = std::upper_bound(entries_.begin(), entries_.end(), requested,
                                 [](LeaderEpoch e, const EpochEntry& x) { return e < x.epoch; });
  if (higher == entries_.end()) return {};
  if (higher == entries_.begin()) {
    // Older than anything known: that epoch ended where the first known began.
    return {requested, higher->start_offset};
  }
  return {std::prev(higher)->epoch, higher->start_offset};
}

std::optional<LeaderEpoch> LeaderEpochCache::EpochForOffset(Offset offset) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                             [](Offset o, const EpochEntry& x) { return o < x.start_offset; });
  if (it == entries_.begin()) return std::nullopt;
  return std::prev(it)->epoch;
}

bool LeaderEpochCache::TruncateFromEnd(Offset end_offset) {
  if (end_offset.value() < 0) return false;
  bool changed = false;
  while (!entries_.empty() && entries_.back().start_offset >= end_offset) {
    entries_.pop_back();
    changed = true;
  }
  return changed;
}

bool LeaderEpochCache::TruncateFromStart(Offset start_offset) {
  if (start_offset.value() < 0) return false;
  // Entries starting at or before the new start: keep only the last, moved up.
  auto it = std::upper_bound(entries_.begin(), entries_.end(), start_offset,
                             [](Offset o, const EpochEntry& x) { return o < x.start_offset; });
  if (it == entries_.begin()) return false;
  EpochEntry covering = *std::prev(it);
  bool changed = (it - entries_.begin()) > 1 || covering.start_offset != start_offset;
  if (!changed) return false;
  covering.start_offset = start_offset;
  entries_.erase(entries_.begin(), it);
  entries_.insert(entries_.begin(), covering);
  return true;
}

bool LeaderEpochCache::Clear() {
  bool changed = !entries_.empty();
  entries_.clear();
  return changed;
}

}  // namespace gregor::storage
