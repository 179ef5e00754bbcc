// One segment of a partition log: the `.log` file of record batches from a
// base offset, and its offset and time indexes (docs/formats/segment.md,
// docs/formats/index.md).
//
// Threading. The owning Log serialises every mutator (methods marked
// "writer"): appends, truncation, activation, recovery. Readers call the
// "reader" methods from any thread without the Log's lock; they see a
// consistent (size, next offset) pair published after each append, and do
// their file I/O outside every lock. Index files are written by
// PersistIndexes, which may run on the flusher concurrently with appends.
//
// Lifetime. Segments are shared (std::shared_ptr) between the Log's segment
// list snapshots, readers and the SegmentCache. An inactive segment's
// descriptor and indexes are loaded on first use and may be dropped by the
// SegmentCache; the active segment stays loaded.
#ifndef GREGOR_BROKER_STORAGE_SEGMENT_H_
#define GREGOR_BROKER_STORAGE_SEGMENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/storage/batch_reader.h"
#include "broker/storage/env.h"
#include "broker/storage/segment_index.h"

namespace gregor::storage {

class SegmentCache;

// What every segment of a broker shares. Held by std::shared_ptr by every
// segment, so logs and segments may outlive whoever made them.
struct SegmentContext {
  Env* env = nullptr;
  std::shared_ptr<SegmentCache> cache;  // null: inactive segments stay loaded
  size_t max_batch_bytes = 64 << 20;

  static std::shared_ptr<const SegmentContext> Make(Env* env, std::shared_ptr<SegmentCache> cache,
                                                    size_t max_batch_bytes = 64 << 20) {
    return std::make_shared<const SegmentContext>(
        SegmentContext{env, std::move(cache), max_batch_bytes});
  }
};

inline constexpr char kLogSuffix[] = ".log";
inline constexpr char kIndexSuffix[] = ".index";
inline constexpr char kTimeIndexSuffix[] = ".timeindex";
inline constexpr char kDeletedSuffix[] = ".deleted";
inline constexpr char kCleanedSuffix[] = ".cleaned";
inline constexpr char kSwapSuffix[] = ".swap";

// Header facts of one batch being appended.
struct BatchInfo {
  int64_t base_offset;
  int64_t last_offset;
  int64_t max_timestamp;
  uint32_t size;
};

// A record found by timestamp.
struct TimestampAndOffset {
  int64_t timestamp;
  int64_t offset;
  friend bool operator==(const TimestampAndOffset&, const TimestampAndOffset&) = default;
};

// A byte range of one segment file, ending on a batch boundary.
struct SegmentSlice {
  std::shared_ptr<File> file;
  uint64_t position = 0;
  uint64_t length = 0;
};

class Segment : public std::enable_shared_from_this<Segment> {
 public:
  // "<20-digit base offset><suffix>".
  static std::string FileName(int64_t base_offset, std::string_view suffix);
  // The base offset of a file named "<20 digits><suffix>", else nullopt.
  static std::optional<int64_t> ParseFileName(std::string_view name, std::string_view suffix);

  // No I/O. `size`: the .log size of an existing segment. Index entries are
  // made every `index_interval_bytes` (index.interval.bytes when created).
  // Always held by std::shared_ptr (std::make_shared).
  Segment(std::shared_ptr<const SegmentContext> ctx, std::string dir, int64_t base_offset,
          uint64_t size, int64_t index_interval_bytes);
  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  int64_t base_offset() const { return base_; }
  std::string path(std::string_view suffix) const;

  // ---- any thread ----
  // Bytes readers may read.
  uint64_t size() const;
  // One past the last offset in the segment (the base offset when empty).
  // REQUIRES: loaded at least once (always true for the active segment).
  int64_t next_offset() const;
  // Largest batch maxTimestamp in the segment and the base offset of the
  // first batch that has it, (-1, -1) when empty. Loads an inactive segment.
  absl::StatusOr<std::pair<int64_t, int64_t>> MaxTimestamp();
  // Wall time (ms) segment.ms counts from: first append, or for an existing
  // segment its first batch's timestamp. -1 when empty.
  int64_t roll_base_ms() const;
  size_t offset_index_entries() const;
  bool is_active() const;

  // ---- writer ----
  // Creates the .log file of a new, empty segment and makes it active.
  absl::Status CreateActive();
  // Loads an existing segment whose data is trusted (below the recovery
  // point): indexes from their files, rebuilt from batch headers when they
  // fail the checks. DataLoss when the batch headers are inconsistent.
  // `writable` opens the .log for appending (the active segment).
  absl::Status Load(bool writable);
  // Validates every batch from the last index entry below `trusted_below`
  // (the whole file when there is none) to the end, rebuilding index entries,
  // and cuts the file at the first invalid byte. Batches must start at or
  // above `min_base_offset` (the previous segment's next offset). `on_batch`
  // sees each validated batch. Returns the number of bytes cut.
  absl::StatusOr<uint64_t> Recover(int64_t trusted_below, int64_t min_base_offset,
                                   const std::function<void(const kafka::BatchHeader&)>& on_batch);
  // Appends whole batches (bytes final) at the end with one write. On a write
  // error the file is cut back to its previous size; if that fails too the
  // error is DataLoss and the segment must not be appended to again.
  absl::Status Append(std::string_view data, std::span<const BatchInfo> batches, int64_t now_ms);
  // Removes every batch whose last offset is >= `offset` (Kafka's truncateTo:
  // the batch holding `offset` goes as a whole). Returns bytes removed.
  absl::StatusOr<uint64_t> TruncateTo(int64_t offset);
  // Stops being the active segment: adds the final time index entry. The
  // SegmentCache may unload it once its index entries are on disk.
  void MakeInactive();
  // Becomes the active segment again (after a truncation into it).
  absl::Status MakeActive();
  // fdatasync of the .log.
  absl::Status SyncLog();
  // Writes index entries not yet on disk (first cutting files that hold
  // stale entries) and syncs the index files when `sync`.
  absl::Status PersistIndexes(bool sync);
  // Renames the files to "<name>.deleted" (readers holding the file keep
  // reading it); DeleteRenamedFiles unlinks them.
  absl::Status RenameForDeletion();
  absl::Status DeleteRenamedFiles();

  // ---- reader ----
  // The .log file, opened on demand.
  absl::StatusOr<std::shared_ptr<File>> OpenFile();
  // The range of whole batches from the first batch with last offset >=
  // start_offset up to (excluding) the first batch with last offset >=
  // max_offset, capped to max_bytes — but one whole batch when min_one even
  // if it is larger. nullopt when start_offset is past every batch of this
  // segment; an empty slice when nothing may be returned.
  absl::StatusOr<std::optional<SegmentSlice>> Read(int64_t start_offset, int64_t max_offset,
                                                   uint64_t max_bytes, bool min_one);
  // Position of the first batch whose last offset >= `offset`, or size()
  // when there is none.
  absl::StatusOr<uint64_t> FindPosition(int64_t offset);
  // The first record with a timestamp >= `timestamp` (its offset and
  // timestamp), or nullopt when the segment has none. Batches are found with
  // the time index and their records read (decompressing when needed); a
  // batch whose records cannot be read answers with its base offset. Records
  // below `min_offset` (the log start) are skipped.
  absl::StatusOr<std::optional<TimestampAndOffset>> FindOffsetByTimestamp(int64_t timestamp,
                                                                          int64_t min_offset = 0);
  // Calls `fn` with each batch header from the first batch whose last offset
  // >= `from`, until it returns false or the segment ends. Returns whether
  // the walk reached the end of the segment.
  absl::StatusOr<bool> VisitHeaders(int64_t from, const std::function<bool(const BatchAt&)>& fn);

  // Called by the SegmentCache: drops the descriptor and indexes of an
  // inactive segment whose index entries are all on disk.
  void Unload();
  bool loaded() const;

 private:
  struct Loaded;

  // Walks batch headers of `file` from `pos` to `end`, indexing them into
  // `loaded`. DataLoss when they are inconsistent.
  absl::Status ScanHeaders(File* file, Loaded* loaded, uint64_t pos, uint64_t end) const;
  // Indexing and end-of-segment bookkeeping for one batch at `position`.
  void IndexBatch(Loaded* loaded, const BatchInfo& b, uint64_t position) const;
  // Loads indexes from the files; false when they are missing or fail a check.
  bool ReadIndexFiles(File* log, uint64_t log_size, Loaded* loaded) const;
  // Builds a Loaded for the file (trusted data), rebuilding indexes if needed.
  absl::StatusOr<std::unique_ptr<Loaded>> LoadFrom(std::shared_ptr<File> file) const;
  void Install(std::unique_ptr<Loaded> loaded) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::shared_ptr<File>> EnsureLoaded();
  void TouchCache();
  // Position of the first batch at or after `from` whose last offset >=
  // `offset`, scanning headers up to `end`; `end` when none.
  absl::StatusOr<uint64_t> ScanForOffset(File* file, uint64_t from, uint64_t end,
                                         int64_t offset) const;
  // Where to start scanning for `offset`: the ring's exact answer or the
  // offset index's floor. Sets *exact when the answer needs no scan.
  uint64_t StartHint(int64_t offset, bool* exact) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const std::shared_ptr<const SegmentContext> ctx_;
  const std::string dir_;
  const int64_t base_;
  const int64_t index_interval_bytes_;

  // Serialises writes of the index files (PersistIndexes, truncation, deletion).
  absl::Mutex index_file_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  std::unique_ptr<Loaded> loaded_ ABSL_GUARDED_BY(mu_);
  uint64_t size_ ABSL_GUARDED_BY(mu_);
  int64_t next_offset_ ABSL_GUARDED_BY(mu_);
  bool next_offset_known_ ABSL_GUARDED_BY(mu_) = false;
  bool active_ ABSL_GUARDED_BY(mu_) = false;
  bool deleted_ ABSL_GUARDED_BY(mu_) = false;
  int64_t max_timestamp_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t offset_of_max_timestamp_ ABSL_GUARDED_BY(mu_) = -1;
  bool max_timestamp_known_ ABSL_GUARDED_BY(mu_) = false;
  int64_t roll_base_ms_ ABSL_GUARDED_BY(mu_) = -1;
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_SEGMENT_H_
