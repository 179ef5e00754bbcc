// Per-topic storage configuration under Kafka's dotted names, and the
// broker-wide storage options. LogConfig values are immutable once built; a
// topic config change builds a new LogConfig and hands it to Log::SetConfig.
#ifndef GREGOR_BROKER_STORAGE_LOG_CONFIG_H_
#define GREGOR_BROKER_STORAGE_LOG_CONFIG_H_

#include <cstdint>
#include <limits>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace gregor::storage {

inline constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

enum class TimestampType { kCreateTime, kLogAppendTime };

struct LogConfig {
  // segment.bytes: roll when the next append would make the segment larger.
  int64_t segment_bytes = 1 << 30;
  // segment.ms: roll a non-empty segment this long after its first batch.
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;
  // segment.index.bytes: roll when the offset index would exceed this.
  int64_t segment_index_bytes = 10 << 20;
  // index.interval.bytes: bytes between offset/time index entries.
  int64_t index_interval_bytes = 4096;
  // max.message.bytes: the largest record batch a producer may append.
  int64_t max_message_bytes = 1048588;
  // message.timestamp.type.
  TimestampType timestamp_type = TimestampType::kCreateTime;
  // flush.messages / flush.ms: fsync after this many messages / this long
  // (Kafka's defaults: never). Independent of Options::sync_before_ack.
  int64_t flush_messages = kNoLimit;
  int64_t flush_ms = kNoLimit;
  // retention.ms / retention.bytes: -1 means unlimited.
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;
  int64_t retention_bytes = -1;
  // cleanup.policy: delete, compact, or both.
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  // delete.retention.ms: how long tombstones (and transaction markers) are
  // kept after the cleaner first sees them.
  int64_t delete_retention_ms = 24LL * 3600 * 1000;
  // min.cleanable.dirty.ratio / min.compaction.lag.ms / max.compaction.lag.ms.
  double min_cleanable_dirty_ratio = 0.5;
  int64_t min_compaction_lag_ms = 0;
  int64_t max_compaction_lag_ms = kNoLimit;

  // Builds a config from Kafka topic configs over `base`. Keys that are not
  // storage configs are ignored (the broker owns them); storage keys with
  // a bad value are InvalidArgument naming the key.
  static absl::StatusOr<LogConfig> FromMap(const std::map<std::string, std::string>& configs,
                                           const LogConfig& base);
  static absl::StatusOr<LogConfig> FromMap(const std::map<std::string, std::string>& configs);
  // Whether `key` is one of the configs above.
  static bool IsStorageKey(const std::string& key);
};

// Broker-wide storage settings (copied from flags by main).
struct StorageOptions {
  // Acknowledge acks=all produces only once the batch is fdatasync'ed (group
  // commit). Off: Log::WhenDurable completes at once (Kafka's page-cache mode).
  bool sync_before_ack = true;
  // Threads of the shared flusher (group commit for every partition).
  int flusher_threads = 1;
  // Background threads for retention, flush.ms, checkpoints.
  int background_threads = 1;
  // Cleaner threads (0 disables compaction).
  int cleaner_threads = 1;
  // Inactive segments kept open (descriptor + loaded indexes), broker-wide.
  int max_open_segments = 1024;
  // Kafka's log.flush.offset.checkpoint.interval.ms (recovery points).
  int64_t recovery_point_checkpoint_interval_ms = 5000;
  // Kafka's replica.high.watermark.checkpoint.interval.ms.
  int64_t high_watermark_checkpoint_interval_ms = 5000;
  // Kafka's log.flush.start.offset.checkpoint.interval.ms.
  int64_t log_start_offset_checkpoint_interval_ms = 60000;
  // Kafka's log.retention.check.interval.ms.
  int64_t retention_check_interval_ms = 300000;
  // Kafka's log.flush.scheduler.interval.ms (checks flush.ms).
  int64_t flush_check_interval_ms = 1000;
  // How often the cleaner looks for work when idle (log.cleaner.backoff.ms).
  int64_t cleaner_backoff_ms = 15000;
  // Bytes of key-hash -> offset map the cleaner may use per run
  // (log.cleaner.dedupe.buffer.size).
  int64_t cleaner_dedupe_buffer_bytes = 64 << 20;
  // Largest batch accepted from a leader by a follower append or found by
  // recovery (a hard sanity bound, above any max.message.bytes).
  int64_t max_batch_bytes = 64 << 20;
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_LOG_CONFIG_H_
