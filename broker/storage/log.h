// The log of one partition replica: a directory of segments
// (docs/formats/segment.md) with appends as leader or follower, reads that
// return file regions for sendfile, offset/timestamp/epoch lookups,
// truncation, retention, group-committed durability and crash recovery.
//
// Threading. Every method is thread-safe.
//  - Appends, truncations, retention and config changes serialise on the
//    log's writer lock; an append holds it for its one write(2).
//  - Reads never take the writer lock: they take a snapshot of the segment
//    list and do their file I/O outside every lock, so they neither block nor
//    are blocked by appends (many readers run concurrently).
//  - fdatasync runs on the shared Flusher (or in Flush()), outside the writer
//    lock; an append never waits for a sync.
// Callbacks given to WhenDurable run on a flusher thread or inline in the
// caller, with no lock of the log held; they should be quick (they delay the
// next group commit of the flusher thread that runs them).
//
// Ownership. Always held by std::shared_ptr (Open returns one). Regions
// returned by Read keep their segment file open on their own.
#ifndef GREGOR_BROKER_STORAGE_LOG_H_
#define GREGOR_BROKER_STORAGE_LOG_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/storage/env.h"
#include "broker/storage/flusher.h"
#include "broker/storage/leader_epoch_cache.h"
#include "broker/storage/log_config.h"
#include "broker/storage/segment.h"
#include "broker/storage/topic_partition.h"
#include "common/clock.h"
#include "common/strong_int.h"
#include "common/uuid.h"

namespace gregor::storage {

// Who is appending as leader: clients may not write control batches; the
// transaction coordinator (writing commit/abort markers) may.
enum class AppendOrigin { kClient, kCoordinator };

struct LeaderAppendOptions {
  AppendOrigin origin = AppendOrigin::kClient;
  // The caller has already checked the CRC-32C of every batch (the gateway's
  // kafka::ProduceValidator does): skip computing it a second time. The
  // other checks still run.
  bool crc_verified = false;
};

struct AppendResult {
  Offset first_offset;              // base offset of the first batch
  Offset last_offset;               // last offset of the last batch
  int64_t log_append_time_ms = -1;  // -1 unless the topic uses LogAppendTime
  Offset log_start_offset;
  int64_t max_timestamp = -1;  // largest batch maxTimestamp appended
  int32_t batch_count = 0;
  int64_t record_count = 0;
  uint64_t bytes = 0;
};

// A byte range of a segment file, whole batches only, ready for sendfile(2).
// Holding it keeps the file open even after the segment is deleted.
struct FileRegion {
  std::shared_ptr<File> file;  // null for an empty region
  uint64_t position = 0;
  uint64_t length = 0;

  bool empty() const { return length == 0; }
  int fd() const { return file ? file->fd() : -1; }
  // Copies the bytes into `dst` (length bytes), for TLS or tests.
  absl::Status CopyTo(char* dst) const;
  absl::StatusOr<std::string> ReadAll() const;
};

struct ReadOptions {
  // Exclusive upper bound: the high watermark for consumers, the log end
  // offset for followers. Batches holding offsets at or above it are left out.
  Offset max_offset{INT64_MAX};
  // Bytes limit; the region ends on the last batch boundary within it...
  uint64_t max_bytes = 1 << 20;
  // ...except that with min_one the first batch is returned whole even when
  // it is larger (Kafka's rule for the first partition of a fetch).
  bool min_one = true;
};

struct ReadResult {
  FileRegion region;  // from one segment only (Kafka's rule); may be empty
  Offset log_start_offset;
  Offset log_end_offset;
  Offset high_watermark;
};

using DurableCallback = absl::AnyInvocable<void(absl::Status)>;

struct LogParams {
  Env* env = nullptr;
  Clock* clock = nullptr;
  Flusher* flusher = nullptr;  // null: WhenDurable syncs inline in the caller
  std::shared_ptr<const SegmentContext> segment_context;  // shared by a broker's logs
  std::string dir;                                        // <log.dir>/<topic>-<partition>
  TopicPartition topic_partition;
  Uuid topic_id;  // written to partition.metadata; zero: not known
  LogConfig config;
  StorageOptions options;
  // From the log dir's checkpoints (LogManager reads them).
  bool clean_shutdown = false;
  std::optional<int64_t> recovery_point;
  std::optional<int64_t> log_start_offset;
  std::optional<int64_t> high_watermark;
  // Called (under the log's writer lock) when a truncation lowers the
  // recovery point below what may be on disk in the checkpoint; must persist
  // the new value before returning. Null for a log without a checkpoint.
  std::function<absl::Status()> on_recovery_point_lowered;
};

class Log : public FlushTarget, public std::enable_shared_from_this<Log> {
 public:
  // Opens the partition directory (creating it and its first segment when
  // missing) and recovers it: after an unclean stop every batch at or above
  // the recovery point is validated and the log is cut at the first bad byte.
  static absl::StatusOr<std::shared_ptr<Log>> Open(LogParams params);
  ~Log() override;

  // ---- writes ----
  // Appends one or more RecordBatch v2 batches exactly as received from a
  // producer, in place: validates each (length, magic, CRC-32C unless the
  // caller says it checked it, record count = lastOffsetDelta + 1), assigns
  // base offsets, stamps `epoch` (and the append time for LogAppendTime
  // topics), then writes them with one write. The caller owns `batches`; it
  // is modified and not kept.
  absl::StatusOr<AppendResult> AppendAsLeader(std::span<char> batches, LeaderEpoch epoch,
                                              const LeaderAppendOptions& options = {});
  // Appends batches fetched from the leader, offsets and epochs already set:
  // the first must start at or after the log end offset and offsets must
  // increase (compacted logs have gaps). Updates the epoch cache.
  absl::StatusOr<AppendResult> AppendAsFollower(std::span<char> batches);

  // ---- reads ----
  // Whole batches from the one holding `start`, within `options`. Errors:
  // kOffsetOutOfRange when start < log start or start > log end. A start
  // between max_offset and the log end gives an empty region.
  absl::StatusOr<ReadResult> Read(Offset start, const ReadOptions& options) const;
  // Calls `fn` with each batch header from the batch holding `from` up to the
  // log end, until it returns false. For rebuilding producer state.
  absl::Status VisitBatchHeaders(Offset from,
                                 const std::function<bool(const kafka::BatchHeader&)>& fn) const;

  // ---- lookups ----
  Offset log_start_offset() const { return Offset(log_start_.load()); }
  Offset log_end_offset() const { return Offset(leo_.load()); }
  Offset high_watermark() const { return Offset(hw_.load()); }
  // Everything below it is fdatasync'ed.
  Offset durable_offset() const { return Offset(flushed_.load()); }
  // Everything below it is on disk with its index entries (see checkpoint.md).
  Offset recovery_point() const { return Offset(recovery_point_.load()); }
  // ListOffsets by timestamp: the first record with a timestamp >=
  // `timestamp_ms` (its timestamp and offset), or nullopt when there is none.
  absl::StatusOr<std::optional<TimestampAndOffset>> OffsetForTimestamp(int64_t timestamp_ms) const;
  // ListOffsets MAX_TIMESTAMP: the first record with the largest timestamp,
  // or nullopt for an empty log.
  absl::StatusOr<std::optional<TimestampAndOffset>> MaxTimestampAndOffset() const;
  // OffsetForLeaderEpoch.
  EpochEndOffset EndOffsetForEpoch(LeaderEpoch epoch) const;
  std::optional<LeaderEpoch> LatestEpoch() const;
  std::vector<EpochEntry> EpochEntries() const;

  // ---- replication ----
  // Clamped to [log start, log end]. Persisted on clean close (and by the
  // LogManager's periodic checkpoint).
  void SetHighWatermark(Offset hw);
  // On becoming leader: `epoch` starts at `start_offset` (the log end).
  absl::Status AssignEpochStartOffset(LeaderEpoch epoch, Offset start_offset);
  // Removes every batch at or above `offset` (the whole batch holding it),
  // fixing indexes and the epoch cache; durability waiters above the new end
  // fail with kTruncated.
  absl::Status TruncateTo(Offset offset);
  // Deletes everything and restarts the log empty at `offset`.
  absl::Status TruncateFullyAndStartAt(Offset offset);
  // DeleteRecords: raises the log start offset (at most to the high
  // watermark) and deletes segments wholly below it.
  absl::Status AdvanceLogStartOffset(Offset offset);

  // ---- durability ----
  // Runs `done` once every offset below `end_offset` is durable as the
  // policy requires: fdatasync'ed when Options::sync_before_ack (group
  // commit on the flusher), at once otherwise. Errors: kTruncated when the
  // log is cut below `end_offset`, kLogFailed after an I/O error.
  void WhenDurable(Offset end_offset, DurableCallback done);
  // Syncs everything appended so far, in the calling thread.
  absl::Status Flush();
  // Asks the flusher for a sync when flush.ms has passed since the last.
  void MaybeFlushForTime();

  // ---- maintenance ----
  // Deletes old segments by retention.ms / retention.bytes (cleanup.policy
  // delete) and those wholly below the log start. Returns segments deleted.
  absl::StatusOr<int> ApplyRetention();
  // Writes pending index entries and advances the recovery point to the
  // durable offset; returns the new recovery point.
  absl::StatusOr<Offset> CheckpointRecoveryPoint();
  void SetConfig(const LogConfig& config);
  LogConfig config() const;
  // Flushes, persists indexes and stops accepting writes.
  absl::Status Close();
  // Closes and removes the partition directory and everything in it.
  absl::Status Delete();

  // ---- facts ----
  const TopicPartition& topic_partition() const { return tp_; }
  const std::string& dir() const { return dir_; }
  const Uuid& topic_id() const { return topic_id_; }
  uint64_t size_bytes() const;
  int segment_count() const;
  // Base offsets of the segments, oldest first.
  std::vector<int64_t> SegmentBaseOffsets() const;

  // FlushTarget.
  void RunScheduledFlush() override;

  // Used by LogManager::DeleteLog after the directory was renamed.
  void MarkDeleted();

 private:
  friend class Cleaner;
  using SegmentList = std::vector<std::shared_ptr<Segment>>;
  struct ParsedBatch {
    size_t pos;  // in the append buffer
    size_t size;
    kafka::BatchHeader header;
  };

  explicit Log(LogParams params);
  absl::Status Recover();
  absl::StatusOr<std::vector<ParsedBatch>> ParseBatches(std::span<char> batches, bool as_leader,
                                                        const LeaderAppendOptions& options,
                                                        const LogConfig& cfg) const;
  absl::StatusOr<AppendResult> AppendLocked(std::span<char> buf,
                                            const std::vector<ParsedBatch>& parsed,
                                            const LogConfig& cfg, int64_t now_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status MaybeRoll(uint64_t bytes, int64_t first_offset, int64_t last_offset,
                         const LogConfig& cfg, int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Roll(int64_t new_base, const LogConfig& cfg) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::shared_ptr<const SegmentList> segments() const;
  void PublishSegments(SegmentList list) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Segment* active() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status PersistEpochCache() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckWritable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes the log offline after an I/O error that left its state unknown;
  // every waiter fails (run on the flusher or the next caller).
  void Fail(const absl::Status& error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes segments from the list; their files are renamed now and unlinked
  // by DeleteRemovedFiles (outside the lock).
  void RemoveSegments(const std::vector<std::shared_ptr<Segment>>& victims,
                      std::vector<std::shared_ptr<Segment>>* renamed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void DeleteRemovedFiles(const std::vector<std::shared_ptr<Segment>>& renamed);
  absl::Status LowerRecoveryPoint(int64_t offset) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SetLogStartLocked(int64_t offset) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Swaps a compacted replacement in for `group` (consecutive inactive
  // segments ending where the segment at `end` begins); Aborted when the log
  // changed meanwhile. See docs/formats/segment.md, "Compaction swap".
  absl::Status ReplaceWithCleaned(const std::vector<std::shared_ptr<Segment>>& group, int64_t end,
                                  const std::string& cleaned_path, uint64_t cleaned_size);
  absl::Status TruncateFullyLocked(int64_t offset, std::vector<std::shared_ptr<Segment>>* renamed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Finishes a compaction swap interrupted by a crash (see segment.md).
  absl::Status CompleteInterruptedSwaps();
  // Durability machinery.
  void RequestFlush();
  absl::Status DoFlush();
  // Syncs and advances the durable offset; the caller completes the waiters
  // (after releasing flush_mu_).
  absl::Status DoFlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);
  void CompleteWaiters(int64_t durable);
  // Removes and returns the waiters for offsets above `end` (all: -1).
  std::vector<DurableCallback> TakeWaitersAbove(int64_t end);
  // Runs the waiters Fail() set aside (each already bound to its error).
  void RunFailedWaiters();
  static void RunWaiters(std::vector<DurableCallback> waiters, const absl::Status& status);

  const std::string dir_;
  const TopicPartition tp_;
  Env* const env_;
  Clock* const clock_;
  Flusher* const flusher_;
  const std::shared_ptr<const SegmentContext> segment_ctx_;
  const StorageOptions options_;
  const std::function<absl::Status()> on_recovery_point_lowered_;
  Uuid topic_id_;
  // Open() inputs.
  const bool clean_shutdown_;
  const std::optional<int64_t> checkpoint_recovery_point_;
  const std::optional<int64_t> checkpoint_log_start_;
  const std::optional<int64_t> checkpoint_hw_;

  // Lock order: flush_mu_ before mu_ before segments_mu_ / config_mu_ /
  // waiters_mu_ (and Segment's locks).
  absl::Mutex flush_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  mutable absl::Mutex segments_mu_;
  std::shared_ptr<const SegmentList> segments_ ABSL_GUARDED_BY(segments_mu_);
  mutable absl::Mutex config_mu_;
  std::shared_ptr<const LogConfig> config_ ABSL_GUARDED_BY(config_mu_);

  LeaderEpochCache epoch_cache_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Segment>> pending_sync_ ABSL_GUARDED_BY(mu_);
  bool dir_dirty_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failed_ ABSL_GUARDED_BY(mu_);
  int64_t unflushed_messages_ ABSL_GUARDED_BY(mu_) = 0;

  std::atomic<int64_t> leo_{0};
  std::atomic<int64_t> log_start_{0};
  std::atomic<int64_t> hw_{0};
  std::atomic<int64_t> flushed_{0};
  std::atomic<int64_t> recovery_point_{0};
  std::atomic<int64_t> last_flush_ms_{0};
  std::atomic<bool> closed_flag_{false};  // mirrors closed_ for lock-free checks

  // Flush scheduling: idle -> queued -> running (-> running + requeue).
  enum FlushState : int { kIdle, kQueued, kRunning, kRunningRequeue };
  std::atomic<int> flush_state_{kIdle};

  mutable absl::Mutex waiters_mu_;
  std::multimap<int64_t, DurableCallback> waiters_ ABSL_GUARDED_BY(waiters_mu_);
  absl::Status waiters_error_ ABSL_GUARDED_BY(waiters_mu_);
  std::vector<DurableCallback> failed_waiters_ ABSL_GUARDED_BY(waiters_mu_);
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_LOG_H_
