// Log compaction (cleanup.policy=compact): the background cleaner.
//
// One pass over a log (Clean):
//  1. Finds the cleanable range: from the log start up to the first
//     uncleanable segment — the active one, the first not wholly below the
//     high watermark, the first newer than min.compaction.lag.ms, or the
//     one holding the first still-open transaction.
//  2. Scans every batch header once for transaction outcomes and each
//     producer's last batch (TransactionScanner).
//  3. Builds the key map from the dirty part [first dirty, end), bounded by
//     StorageOptions::cleaner_dedupe_buffer_bytes (the range shrinks to the
//     segments the map covers).
//  4. Rewrites the segments from the log start to that end in groups of
//     consecutive segments that fit segment.bytes, each into
//     "<base>.log.cleaned" (CompactionFilter decides record by record), and
//     swaps each group in under the log's lock (see docs/formats/segment.md,
//     "Compaction swap"): appends stall only for the swap's renames and
//     three syncs, never for the copying.
// Readers holding regions of replaced segments keep reading them.
//
// Thread-safe: each Clean works on its own state; the Log serialises swaps.
#ifndef GREGOR_BROKER_STORAGE_CLEANER_H_
#define GREGOR_BROKER_STORAGE_CLEANER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/storage/compaction_filter.h"
#include "broker/storage/env.h"
#include "broker/storage/log.h"
#include "common/clock.h"

namespace gregor::storage {

struct CleanResult {
  // The next pass's first dirty offset (the end of what this pass covered).
  int64_t cleaned_to = 0;
  int groups_swapped = 0;
  int segments_replaced = 0;
  CompactionStats stats;
};

class Cleaner {
 public:
  Cleaner(Env* env, Clock* clock, const StorageOptions& options);

  // How dirty a compacted log is: bytes of whole segments below `first_dirty`
  // (clean) and from it to the first uncleanable segment (dirty), and
  // whether max.compaction.lag.ms forces a cleaning.
  struct Dirtiness {
    int64_t first_dirty = 0;
    int64_t clean_bytes = 0;
    int64_t dirty_bytes = 0;
    bool forced = false;
    double ratio() const {
      int64_t total = clean_bytes + dirty_bytes;
      return total == 0 ? 0 : static_cast<double>(dirty_bytes) / static_cast<double>(total);
    }
  };
  absl::StatusOr<Dirtiness> Measure(Log& log, int64_t first_dirty) const;

  // One compaction pass; see the file comment.
  absl::StatusOr<CleanResult> Clean(Log& log, int64_t first_dirty);

 private:
  using SegmentList = std::vector<std::shared_ptr<Segment>>;
  // Index of the first segment the pass must not touch (time and high
  // watermark rules).
  absl::StatusOr<size_t> UncleanableIndex(const Log& log, const SegmentList& list,
                                          int64_t first_dirty, int64_t now_ms,
                                          const LogConfig& cfg) const;
  absl::StatusOr<TransactionFacts> ScanTransactions(const SegmentList& list) const;
  // Adds the keys of segments [from, to) from `first_dirty` on; returns the
  // index one past the last segment the map covers.
  absl::StatusOr<size_t> BuildKeyMap(const SegmentList& list, size_t from, size_t to,
                                     int64_t first_dirty, const TransactionFacts& txns,
                                     KeyMap* map) const;
  // Writes the cleaned form of `group` to <base>.log.cleaned; returns its
  // size, or nullopt (and no file) when nothing would change.
  absl::StatusOr<std::optional<uint64_t>> CleanGroup(const Log& log, const SegmentList& group,
                                                     CompactionFilter* filter,
                                                     CompactionStats* stats) const;

  Env* const env_;
  Clock* const clock_;
  const StorageOptions options_;
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_CLEANER_H_
