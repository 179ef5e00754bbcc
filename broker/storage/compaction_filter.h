// Record-level decisions of log compaction (cleanup.policy=compact), as
// Kafka's LogCleaner makes them, over whole batches in log order:
//
//  - a record survives when no later record with the same key exists in the
//    cleaned range (the key map says where the latest is); records without a
//    key are dropped;
//  - a tombstone (null value) survives until its batch's delete horizon
//    (KIP-534: set to now + delete.retention.ms the first time the cleaner
//    keeps it, stored as the batch's baseTimestamp with attribute bit 6);
//  - records of aborted transactions are dropped; a transaction marker
//    (control batch) is kept while any record of its transaction survives
//    and until its own delete horizon has passed;
//  - the last batch of each producer is kept, empty if need be, so the
//    producer's sequence and epoch survive; rebuilt batches keep their base
//    offset, lastOffsetDelta, producer fields and leader epoch.
//
// Unchanged batches are copied byte for byte; changed ones are re-encoded
// with their original compression. Pure (no I/O); not thread-safe.
#ifndef GREGOR_BROKER_STORAGE_COMPACTION_FILTER_H_
#define GREGOR_BROKER_STORAGE_COMPACTION_FILTER_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/records/compression.h"
#include "proto/kafka/records/record_batch_reader.h"

namespace gregor::storage {

// Key -> offset of its latest record in the dirty section, with its memory
// use counted against a budget.
class KeyMap {
 public:
  explicit KeyMap(int64_t budget_bytes) : budget_(budget_bytes) {}
  void Put(std::string_view key, int64_t offset);
  // Latest offset for `key`, or -1.
  int64_t Get(std::string_view key) const;
  bool full() const { return used_ >= budget_; }
  size_t size() const { return map_.size(); }
  int64_t used_bytes() const { return used_; }

 private:
  absl::flat_hash_map<std::string, int64_t> map_;
  int64_t used_ = 0;
  int64_t budget_;
};

// What the pre-scan of the log learned about transactions and producers.
struct TransactionFacts {
  // Base offsets of transactional data batches whose transaction aborted.
  std::set<int64_t> aborted_batches;
  // Producer id -> base offset of its last batch in the log.
  absl::flat_hash_map<int64_t, int64_t> last_batch_of_producer;
  // First offset of a transaction with no marker yet (cleaning stops there).
  std::optional<int64_t> first_open_txn_offset;
};

// Builds TransactionFacts from every batch of the log, in order.
class TransactionScanner {
 public:
  // `control_batch` holds the whole batch for control batches (to read the
  // marker type); it may be empty for data batches.
  absl::Status OnBatch(const kafka::BatchHeader& header, std::string_view control_batch);
  TransactionFacts Finish();

 private:
  kafka::RecordBatchReader reader_;
  // Producer id -> base offsets of its data batches awaiting a marker.
  absl::flat_hash_map<int64_t, std::vector<int64_t>> pending_;
  TransactionFacts facts_;
};

struct CompactionStats {
  int64_t batches_read = 0;
  int64_t batches_dropped = 0;
  int64_t batches_rewritten = 0;
  int64_t records_read = 0;
  int64_t records_dropped = 0;
  int64_t tombstones_dropped = 0;
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  // Compressed batches we could not re-encode are kept whole.
  int64_t batches_kept_unreadable = 0;
};

class CompactionFilter {
 public:
  struct Inputs {
    const KeyMap* map = nullptr;
    const TransactionFacts* txns = nullptr;
    int64_t now_ms = 0;
    int64_t delete_retention_ms = 0;
    size_t max_batch_bytes = 64 << 20;
  };
  explicit CompactionFilter(Inputs inputs);

  // Filters one whole, valid batch (log order); appends what stays to *out.
  absl::Status Filter(std::string_view batch, std::string* out, CompactionStats* stats);

 private:
  // Re-encodes `batch` keeping `keep` (indexes of its records) with the
  // given base timestamp / delete horizon; empty `keep` gives a header-only
  // batch.
  absl::Status Rebuild(std::string_view batch, const std::vector<size_t>& keep,
                       std::optional<int64_t> horizon, std::string* out);

  Inputs in_;
  kafka::RecordBatchReader reader_;
  kafka::Compressor compressor_;
  std::vector<kafka::Record> records_;
  std::string section_;
  std::string compressed_;
  // Producer id -> whether a record of its current transaction survived.
  absl::flat_hash_map<int64_t, bool> txn_retained_;
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_COMPACTION_FILTER_H_
