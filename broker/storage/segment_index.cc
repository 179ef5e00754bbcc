#include "broker/storage/segment_index.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "glog/logging.h"

namespace gregor::storage {

std::optional<OffsetIndexEntry> OffsetIndex::last() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

std::optional<OffsetIndexEntry> OffsetIndex::Floor(int64_t target) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), target,
                             [](int64_t t, const OffsetIndexEntry& e) { return t < e.offset; });
  if (it == entries_.begin()) return std::nullopt;
  return *std::prev(it);
}

std::optional<OffsetIndexEntry> OffsetIndex::FloorByPosition(uint64_t position) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), position,
                             [](uint64_t p, const OffsetIndexEntry& e) { return p < e.position; });
  if (it == entries_.begin()) return std::nullopt;
  return *std::prev(it);
}

void OffsetIndex::Append(OffsetIndexEntry e) {
  CHECK_GE(e.offset, base_);
  CHECK_LE(e.offset - base_, std::numeric_limits<int32_t>::max());
  if (!entries_.empty()) {
    CHECK_GT(e.offset, entries_.back().offset);
    CHECK_GT(e.position, entries_.back().position);
  }
  entries_.push_back(e);
}

void OffsetIndex::TruncateFromOffset(int64_t offset) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                             [](const OffsetIndexEntry& e, int64_t o) { return e.offset < o; });
  entries_.erase(it, entries_.end());
}

void OffsetIndex::TruncateFromPosition(uint64_t position) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), position,
                             [](const OffsetIndexEntry& e, uint64_t p) { return e.position < p; });
  entries_.erase(it, entries_.end());
}

std::string OffsetIndex::Encode(size_t from) const {
  std::string out;
  if (from >= entries_.size()) return out;
  out.resize((entries_.size() - from) * kOffsetIndexEntrySize);
  char* p = out.data();
  for (size_t i = from; i < entries_.size(); ++i, p += kOffsetIndexEntrySize) {
    StoreBE32(p, static_cast<uint32_t>(entries_[i].offset - base_));
    StoreBE32(p + 4, entries_[i].position);
  }
  return out;
}

absl::StatusOr<OffsetIndex> OffsetIndex::Decode(int64_t base_offset, std::string_view bytes,
                                                uint64_t log_size) {
  if (bytes.size() % kOffsetIndexEntrySize != 0) {
    return absl::DataLossError(
        absl::StrCat("offset index of ", bytes.size(), " bytes is not whole entries"));
  }
  OffsetIndex index(base_offset);
  index.entries_.reserve(bytes.size() / kOffsetIndexEntrySize);
  for (size_t p = 0; p < bytes.size(); p += kOffsetIndexEntrySize) {
    int32_t rel = static_cast<int32_t>(LoadBE32(bytes.data() + p));
    uint32_t pos = LoadBE32(bytes.data() + p + 4);
    int64_t offset = base_offset + rel;
    if (rel < 0 || pos >= log_size ||
        (!index.entries_.empty() &&
         (offset <= index.entries_.back().offset || pos <= index.entries_.back().position))) {
      return absl::DataLossError(absl::StrCat("offset index entry ", p / kOffsetIndexEntrySize,
                                              " (", rel, ", ", pos, ") is out of order or range"));
    }
    index.entries_.push_back({offset, pos});
  }
  return index;
}

std::optional<TimeIndexEntry> TimeIndex::last() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back();
}

std::optional<TimeIndexEntry> TimeIndex::LastBefore(int64_t timestamp) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), timestamp,
                             [](const TimeIndexEntry& e, int64_t t) { return e.timestamp < t; });
  if (it == entries_.begin()) return std::nullopt;
  return *std::prev(it);
}

bool TimeIndex::MaybeAppend(TimeIndexEntry e) {
  if (!entries_.empty() &&
      (e.timestamp <= entries_.back().timestamp || e.offset < entries_.back().offset)) {
    return false;
  }
  CHECK_GE(e.offset, base_);
  entries_.push_back(e);
  return true;
}

void TimeIndex::TruncateFromOffset(int64_t offset) {
  while (!entries_.empty() && entries_.back().offset >= offset) entries_.pop_back();
}

std::string TimeIndex::Encode(size_t from) const {
  std::string out;
  if (from >= entries_.size()) return out;
  out.resize((entries_.size() - from) * kTimeIndexEntrySize);
  char* p = out.data();
  for (size_t i = from; i < entries_.size(); ++i, p += kTimeIndexEntrySize) {
    StoreBE64(p, static_cast<uint64_t>(entries_[i].timestamp));
    StoreBE32(p + 8, static_cast<uint32_t>(entries_[i].offset - base_));
  }
  return out;
}

absl::StatusOr<TimeIndex> TimeIndex::Decode(int64_t base_offset, std::string_view bytes) {
  if (bytes.size() % kTimeIndexEntrySize != 0) {
    return absl::DataLossError(
        absl::StrCat("time index of ", bytes.size(), " bytes is not whole entries"));
  }
  TimeIndex index(base_offset);
  index.entries_.reserve(bytes.size() / kTimeIndexEntrySize);
  for (size_t p = 0; p < bytes.size(); p += kTimeIndexEntrySize) {
    int64_t ts = static_cast<int64_t>(LoadBE64(bytes.data() + p));
    int32_t rel = static_cast<int32_t>(LoadBE32(bytes.data() + p + 8));
    int64_t offset = base_offset + rel;
    if (rel < 0 || (!index.entries_.empty() && (ts <= index.entries_.back().timestamp ||
                                                offset < index.entries_.back().offset))) {
      return absl::DataLossError(absl::StrCat("time index entry ", p / kTimeIndexEntrySize, " (",
                                              ts, ", ", rel, ") is out of order or range"));
    }
    index.entries_.push_back({ts, offset});
  }
  return index;
}

void RecentBatches::Add(int64_t last_offset, uint64_t position) {
  if (count_ == kCapacity) {
    covered_from_ = items_[start_].last_offset + 1;
    start_ = (start_ + 1) % kCapacity;
    --count_;
  }
  items_[(start_ + count_) % kCapacity] = {last_offset, position};
  ++count_;
}

std::optional<uint64_t> RecentBatches::Find(int64_t offset) const {
  if (count_ == 0 || offset < covered_from_) return std::nullopt;
  // Binary search over the logical order [0, count_).
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (items_[(start_ + mid) % kCapacity].last_offset < offset) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == count_) return std::nullopt;
  return items_[(start_ + lo) % kCapacity].position;
}

void RecentBatches::Reset(int64_t covered_from) {
  start_ = 0;
  count_ = 0;
  covered_from_ = covered_from;
}

}  // namespace gregor::storage
