// Kafka's small text checkpoint files (see docs/formats/checkpoint.md):
// per-log-dir offset checkpoints, the per-partition leader-epoch checkpoint
// and partition.metadata. Pure encode/decode functions plus Env-based
// read/write helpers that replace files atomically. Thread-compatible.
#ifndef GREGOR_BROKER_STORAGE_CHECKPOINT_FILE_H_
#define GREGOR_BROKER_STORAGE_CHECKPOINT_FILE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/storage/env.h"
#include "broker/storage/topic_partition.h"
#include "common/strong_int.h"
#include "common/uuid.h"

namespace gregor::storage {

inline constexpr char kRecoveryPointCheckpointFile[] = "recovery-point-offset-checkpoint";
inline constexpr char kLogStartOffsetCheckpointFile[] = "log-start-offset-checkpoint";
inline constexpr char kHighWatermarkCheckpointFile[] = "replication-offset-checkpoint";
inline constexpr char kCleanerOffsetCheckpointFile[] = "cleaner-offset-checkpoint";
inline constexpr char kCleanShutdownFile[] = ".kafka_cleanshutdown";
inline constexpr char kLeaderEpochCheckpointFile[] = "leader-epoch-checkpoint";
inline constexpr char kPartitionMetadataFile[] = "partition.metadata";

// Upper bounds on what a checkpoint may hold before it is rejected as corrupt.
inline constexpr size_t kMaxOffsetCheckpointBytes = 64 << 20;
inline constexpr size_t kMaxEpochCheckpointBytes = 16 << 20;
inline constexpr size_t kMaxPartitionMetadataBytes = 4096;

using OffsetCheckpoint = std::map<TopicPartition, int64_t>;

std::string EncodeOffsetCheckpoint(const OffsetCheckpoint& offsets);
absl::StatusOr<OffsetCheckpoint> DecodeOffsetCheckpoint(std::string_view text);
// NotFound when the file does not exist.
absl::StatusOr<OffsetCheckpoint> ReadOffsetCheckpoint(Env* env, const std::string& path);
absl::Status WriteOffsetCheckpoint(Env* env, const std::string& path,
                                   const OffsetCheckpoint& offsets);

// One leader epoch and the first offset written in it.
struct EpochEntry {
  LeaderEpoch epoch;
  Offset start_offset;
  friend bool operator==(const EpochEntry&, const EpochEntry&) = default;
};

std::string EncodeEpochCheckpoint(const std::vector<EpochEntry>& entries);
// Checks that epochs and start offsets strictly increase.
absl::StatusOr<std::vector<EpochEntry>> DecodeEpochCheckpoint(std::string_view text);
absl::StatusOr<std::vector<EpochEntry>> ReadEpochCheckpoint(Env* env, const std::string& path);
absl::Status WriteEpochCheckpoint(Env* env, const std::string& path,
                                  const std::vector<EpochEntry>& entries);

std::string EncodePartitionMetadata(const Uuid& topic_id);
absl::StatusOr<Uuid> DecodePartitionMetadata(std::string_view text);

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_CHECKPOINT_FILE_H_
