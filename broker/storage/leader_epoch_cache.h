// The leader-epoch cache of one partition: which leader epoch wrote which
// offsets, as a list of (epoch, first offset of that epoch). Kafka's
// LeaderEpochFileCache semantics (KIP-101/KIP-279): it answers
// OffsetForLeaderEpoch so that a follower of a new leader truncates exactly
// the suffix that diverged.
//
// Pure and in-memory; the Log persists it (leader-epoch-checkpoint) whenever a
// mutator returns true. Not thread-safe: the owning Log serialises access.
#ifndef GREGOR_BROKER_STORAGE_LEADER_EPOCH_CACHE_H_
#define GREGOR_BROKER_STORAGE_LEADER_EPOCH_CACHE_H_

#include <optional>
#include <vector>

#include "broker/storage/checkpoint_file.h"
#include "common/strong_int.h"

namespace gregor::storage {

inline constexpr LeaderEpoch kUndefinedEpoch{-1};
inline constexpr Offset kUndefinedEpochOffset{-1};

// OffsetForLeaderEpoch answer: the largest epoch <= the requested one that the
// log knows, and the offset where that epoch ends (the start of the next
// higher epoch, or the log end offset for the latest epoch). Both are
// undefined (-1) when the requested epoch is undefined or newer than any the
// log knows.
struct EpochEndOffset {
  LeaderEpoch epoch = kUndefinedEpoch;
  Offset end_offset = kUndefinedEpochOffset;
  friend bool operator==(const EpochEndOffset&, const EpochEndOffset&) = default;
};

class LeaderEpochCache {
 public:
  LeaderEpochCache() = default;
  // REQUIRES: `entries` strictly increasing in epoch and non-decreasing in
  // start offset (as DecodeEpochCheckpoint guarantees).
  explicit LeaderEpochCache(std::vector<EpochEntry> entries);

  // Records that `epoch` starts at `start_offset`. Ignores negative values and
  // calls that change nothing (same epoch as the latest, at or after its start).
  // Otherwise removes every entry with an epoch >= `epoch` or a start offset >=
  // `start_offset` (they can no longer be true) and appends the new one.
  // Returns whether the cache changed.
  bool Assign(LeaderEpoch epoch, Offset start_offset);

  std::optional<EpochEntry> Latest() const;
  std::optional<LeaderEpoch> LatestEpoch() const;
  // The epoch of the entry before the latest (Kafka's previousEpoch).
  std::optional<LeaderEpoch> PreviousEpoch() const;

  // Kafka's endOffsetFor(requestedEpoch, logEndOffset); see EpochEndOffset.
  EpochEndOffset EndOffsetFor(LeaderEpoch requested, Offset log_end_offset) const;

  // Epoch that wrote `offset` (the last entry starting at or before it).
  std::optional<LeaderEpoch> EpochForOffset(Offset offset) const;

  // After truncating the log to `end_offset`: removes entries starting at or
  // after it. Returns whether the cache changed.
  bool TruncateFromEnd(Offset end_offset);
  // After the log start moved to `start_offset`: drops entries that end before
  // it and moves the start of the entry covering it up to `start_offset`.
  bool TruncateFromStart(Offset start_offset);
  // Returns whether the cache changed.
  bool Clear();

  const std::vector<EpochEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<EpochEntry> entries_;  // epochs and start offsets increasing
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_LEADER_EPOCH_CACHE_H_
