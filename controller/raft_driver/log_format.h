// Byte layouts of the records in the controllers' Raft store, exactly as
// docs/formats/raft_log.md describes them. Pure functions: encoders never
// fail; decoders return DataLoss naming what is wrong.
#ifndef GREGOR_CONTROLLER_RAFT_DRIVER_LOG_FORMAT_H_
#define GREGOR_CONTROLLER_RAFT_DRIVER_LOG_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "controller/raft/types.h"
#include "proto/raft.pb.h"

namespace gregor::controller::raft_driver::log_format {

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr uint32_t kMaxVoters = 1024;

// Keys.
inline constexpr std::string_view kVersionKey = "V";
inline constexpr std::string_view kHardStateKey = "H";
inline constexpr std::string_view kLogStartKey = "F";
inline constexpr std::string_view kSnapshotMetaKey = "S";
inline constexpr std::string_view kSnapshotDataKey = "D";
inline constexpr char kEntryPrefix = 'E';
std::string EntryKey(LogIndex index);
// The index of an entry key; DataLoss when `key` is not one.
absl::StatusOr<LogIndex> ParseEntryKey(std::string_view key);

std::string EncodeVersion(uint32_t version);
absl::StatusOr<uint32_t> DecodeVersion(std::string_view value);

std::string EncodeHardState(const raft::HardState& hs);
absl::StatusOr<raft::HardState> DecodeHardState(std::string_view value);

struct LogStart {
  LogIndex index;
  Term term;
};
std::string EncodeLogStart(const LogStart& start);
absl::StatusOr<LogStart> DecodeLogStart(std::string_view value);

// Snapshot metadata plus the size and CRC-32C of its data.
struct SnapshotMeta {
  raftpb::SnapshotMetadata metadata;
  uint64_t data_size = 0;
  uint32_t data_crc32c = 0;
};
std::string EncodeSnapshotMeta(const raftpb::SnapshotMetadata& metadata, std::string_view data);
absl::StatusOr<SnapshotMeta> DecodeSnapshotMeta(std::string_view value);

std::string EncodeEntry(const raftpb::Entry& entry);
// `index` is the one from the key; it is covered by the CRC.
absl::StatusOr<raftpb::Entry> DecodeEntry(LogIndex index, std::string_view value);

}  // namespace gregor::controller::raft_driver::log_format

#endif  // GREGOR_CONTROLLER_RAFT_DRIVER_LOG_FORMAT_H_
