// In-memory lookup structures of one segment and their on-disk encodings
// (docs/formats/index.md):
//   OffsetIndex    sparse: a batch's last offset -> its byte position
//   TimeIndex      sparse: max timestamp so far -> last offset at that point
//   RecentBatches  dense ring of the last batches appended to the active
//                  segment, so reads near the tail need no file access
// Offsets here are absolute int64 (the files store them relative to the
// segment's base offset). Pure data structures, not thread-safe: Segment
// guards them with its mutex.
#ifndef GREGOR_BROKER_STORAGE_SEGMENT_INDEX_H_
#define GREGOR_BROKER_STORAGE_SEGMENT_INDEX_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace gregor::storage {

inline constexpr size_t kOffsetIndexEntrySize = 8;
inline constexpr size_t kTimeIndexEntrySize = 12;

struct OffsetIndexEntry {
  int64_t offset;     // last offset of the batch at `position`
  uint32_t position;  // byte position of the batch in the .log
};

class OffsetIndex {
 public:
  explicit OffsetIndex(int64_t base_offset) : base_(base_offset) {}

  int64_t base_offset() const { return base_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<OffsetIndexEntry>& entries() const { return entries_; }
  std::optional<OffsetIndexEntry> last() const;

  // Last entry with offset <= target.
  std::optional<OffsetIndexEntry> Floor(int64_t target) const;
  // Last entry with position <= position.
  std::optional<OffsetIndexEntry> FloorByPosition(uint64_t position) const;

  // REQUIRES: offset and position greater than the last entry's; the offset
  // within int32 of the base.
  void Append(OffsetIndexEntry e);
  // Drops entries with offset >= `offset`.
  void TruncateFromOffset(int64_t offset);
  // Drops entries with position >= `position`.
  void TruncateFromPosition(uint64_t position);
  void Clear() { entries_.clear(); }

  // File bytes of entries [from, size()).
  std::string Encode(size_t from) const;
  // Parses and checks a file: whole entries, offsets and positions strictly
  // increasing, relative offsets >= 0, positions < log_size. DataLoss otherwise.
  static absl::StatusOr<OffsetIndex> Decode(int64_t base_offset, std::string_view bytes,
                                            uint64_t log_size);

 private:
  int64_t base_;
  std::vector<OffsetIndexEntry> entries_;
};

struct TimeIndexEntry {
  int64_t timestamp;  // max batch timestamp of the segment up to `offset`
  int64_t offset;     // last offset of a batch
};

class TimeIndex {
 public:
  explicit TimeIndex(int64_t base_offset) : base_(base_offset) {}

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<TimeIndexEntry>& entries() const { return entries_; }
  std::optional<TimeIndexEntry> last() const;

  // Last entry with timestamp < `timestamp`.
  std::optional<TimeIndexEntry> LastBefore(int64_t timestamp) const;

  // Appends when `e.timestamp` is greater than the last entry's (and the
  // offset not lower); returns whether it did.
  bool MaybeAppend(TimeIndexEntry e);
  // Drops entries with offset >= `offset`.
  void TruncateFromOffset(int64_t offset);
  void Clear() { entries_.clear(); }

  std::string Encode(size_t from) const;
  // Checks: whole entries, timestamps strictly increasing, offsets not
  // decreasing, relative offsets >= 0. DataLoss otherwise.
  static absl::StatusOr<TimeIndex> Decode(int64_t base_offset, std::string_view bytes);

 private:
  int64_t base_;
  std::vector<TimeIndexEntry> entries_;
};

// The positions of the last kCapacity batches of a segment, for syscall-free
// lookups near the tail.
class RecentBatches {
 public:
  static constexpr size_t kCapacity = 256;

  // `covered_from`: the lowest offset the ring can answer for (the segment's
  // base offset for a new segment).
  explicit RecentBatches(int64_t covered_from = 0) : covered_from_(covered_from) {}

  // REQUIRES: batches added in log order.
  void Add(int64_t last_offset, uint64_t position);
  // Position of the first batch whose last offset >= `offset`, or nullopt when
  // the ring cannot tell (offset below what it covers, or beyond its last
  // batch: the caller compares with the segment's next offset first).
  std::optional<uint64_t> Find(int64_t offset) const;
  // Forget everything; answer again from `covered_from`.
  void Reset(int64_t covered_from);

 private:
  struct Item {
    int64_t last_offset;
    uint64_t position;
  };
  std::array<Item, kCapacity> items_{};
  size_t start_ = 0;  // oldest item
  size_t count_ = 0;
  int64_t covered_from_;
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_SEGMENT_INDEX_H_
