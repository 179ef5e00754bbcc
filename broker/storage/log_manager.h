// The partition logs of one broker across its log dirs: opening (with
// recovery) at start-up, creating and deleting partitions, the per-dir
// checkpoint files and clean-shutdown marker (docs/formats/checkpoint.md), and
// the periodic work — flush.ms, checkpoints, retention, compaction — on a
// small pool of background threads with the clock injected.
//
// Shares one Flusher and one SegmentCache among all logs, so the threads
// doing fdatasync and the descriptors held by inactive segments are bounded
// broker-wide (active segments hold one descriptor each).
//
// Thread-safe. Logs handed out stay valid after DeleteLog, Shutdown and the
// manager's destruction: they are closed (writes refused, reads still work).
#ifndef GREGOR_BROKER_STORAGE_LOG_MANAGER_H_
#define GREGOR_BROKER_STORAGE_LOG_MANAGER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/storage/cleaner.h"
#include "broker/storage/env.h"
#include "broker/storage/flusher.h"
#include "broker/storage/log.h"
#include "broker/storage/log_config.h"
#include "broker/storage/scheduler.h"
#include "broker/storage/segment_cache.h"
#include "broker/storage/topic_partition.h"
#include "common/clock.h"

namespace gregor::storage {

struct LogManagerOptions {
  // Kafka's log.dirs; each is created when missing.
  std::vector<std::string> log_dirs;
  // Topic configs of logs whose topic has no overrides.
  LogConfig default_config;
  StorageOptions storage;
  // Threads opening (and recovering) logs at start-up.
  int recovery_threads = 2;
  // Start the background threads (tests drive the periodic work by hand).
  bool start_background_tasks = true;
};

class LogManager {
 public:
  // Opens every partition found in the log dirs. REQUIRES: env and clock
  // outlive the manager.
  static absl::StatusOr<std::unique_ptr<LogManager>> Open(Env* env, Clock* clock,
                                                          LogManagerOptions options);
  ~LogManager();  // Shutdown() if not done
  LogManager(const LogManager&) = delete;
  LogManager& operator=(const LogManager&) = delete;

  // The log of a partition hosted here, or null.
  std::shared_ptr<Log> GetLog(const TopicPartition& tp) const;
  // The log of a partition, created (in the log dir with the fewest
  // partitions) when missing. A different topic id than the one on disk is
  // FailedPrecondition (an old incarnation of a re-created topic).
  absl::StatusOr<std::shared_ptr<Log>> GetOrCreateLog(const TopicPartition& tp,
                                                      const Uuid& topic_id,
                                                      const LogConfig& config);
  // Closes and removes a partition's log (the directory is renamed to
  // "<dir>.<id>-delete" first, then its files are removed).
  absl::Status DeleteLog(const TopicPartition& tp);
  std::vector<std::shared_ptr<Log>> AllLogs() const;
  size_t log_count() const;

  // The periodic work (run by the background threads; public for tests).
  void FlushLogsDueByTime();
  absl::Status CheckpointRecoveryPoints();
  absl::Status CheckpointLogStartOffsets();
  absl::Status CheckpointHighWatermarks();
  absl::Status CheckpointCleanerOffsets();
  // Returns segments deleted.
  int ApplyRetention();
  // One compaction pass over the dirtiest compacted log; returns whether it
  // cleaned something.
  bool CleanOnce();

  // Clean shutdown: stops the background work, closes every log (flushing
  // it), writes the checkpoints and the clean-shutdown markers.
  absl::Status Shutdown();

  const std::vector<std::string>& log_dirs() const { return options_.log_dirs; }
  SegmentCache* segment_cache() { return cache_.get(); }
  Flusher* flusher() { return flusher_.get(); }
  Cleaner* cleaner() { return cleaner_.get(); }

 private:
  struct Entry {
    std::shared_ptr<Log> log;
    size_t dir;  // index into log_dirs
  };
  struct DirCheckpoints {
    bool clean_shutdown = false;
    OffsetCheckpoint recovery_points;
    OffsetCheckpoint log_starts;
    OffsetCheckpoint high_watermarks;
    OffsetCheckpoint cleaner_offsets;
  };

  LogManager(Env* env, Clock* clock, LogManagerOptions options);
  absl::Status Load();
  absl::StatusOr<DirCheckpoints> ReadDirCheckpoints(const std::string& dir);
  LogParams MakeParams(const std::string& dir, const TopicPartition& tp, size_t dir_index);
  absl::Status WriteRecoveryCheckpoint(size_t dir);
  // Writes one offset checkpoint per dir with `value` of each log.
  absl::Status WriteCheckpoints(const char* file_name,
                                const std::function<int64_t(const Log&)>& value);
  std::vector<Entry> Entries() const;

  Env* const env_;
  Clock* const clock_;
  const LogManagerOptions options_;
  std::shared_ptr<SegmentCache> cache_;
  std::shared_ptr<const SegmentContext> segment_ctx_;
  std::unique_ptr<Flusher> flusher_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<Scheduler> cleaner_scheduler_;
  std::unique_ptr<Cleaner> cleaner_;

  // Lock order: create_mu_, then a Log's locks, then mu_ (a Log calls back
  // into the manager under its own locks when its recovery point drops).
  absl::Mutex create_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  std::map<TopicPartition, Entry> logs_ ABSL_GUARDED_BY(mu_);
  // First dirty offset of each compacted log (cleaner-offset-checkpoint).
  std::map<TopicPartition, int64_t> cleaner_offsets_ ABSL_GUARDED_BY(mu_);
  // Serialises cleaning passes (one log at a time per manager).
  absl::Mutex clean_mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  // One per log dir: serialises writes of that dir's checkpoint files.
  std::unique_ptr<absl::Mutex[]> checkpoint_mu_;
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_LOG_MANAGER_H_
