#include "broker/storage/checkpoint_file.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status.h"

namespace gregor::storage {
namespace {

// Splits into lines; a trailing newline does not make an extra empty line.
std::vector<absl::string_view> Lines(std::string_view text) {
  absl::string_view t(text.data(), text.size());
  if (!t.empty() && t.back() == '\n') t.remove_suffix(1);
  if (t.empty()) return {};
  return absl::StrSplit(t, '\n');
}

// Reads the "version\ncount\n" preamble; returns the count and the entry lines.
absl::StatusOr<std::vector<absl::string_view>> EntryLines(std::string_view text) {
  std::vector<absl::string_view> lines = Lines(text);
  if (lines.size() < 2) return absl::DataLossError("checkpoint: missing version or count line");
  int64_t version, count;
  if (!absl::SimpleAtoi(lines[0], &version) || version != 0) {
    return absl::DataLossError(
        absl::StrCat("checkpoint: unsupported version line '", lines[0], "'"));
  }
  if (!absl::SimpleAtoi(lines[1], &count) || count < 0 ||
      static_cast<size_t>(count) != lines.size() - 2) {
    return absl::DataLossError(
        absl::StrCat("checkpoint: count line '", lines[1], "' but ", lines.size() - 2, " entries"));
  }
  return std::vector<absl::string_view>(lines.begin() + 2, lines.end());
}

absl::StatusOr<std::string> ReadSmallFile(Env* env, const std::string& path, size_t max) {
  auto text = ReadFileToString(env, path, max);
  if (!text.ok() && !absl::IsNotFound(text.status())) {
    return absl::Status(text.status().code(),
                        absl::StrCat("reading ", path, ": ", text.status().message()));
  }
  return text;
}

}  // namespace

std::string EncodeOffsetCheckpoint(const OffsetCheckpoint& offsets) {
  std::string out = absl::StrCat("0\n", offsets.size(), "\n");
  for (const auto& [tp, offset] : offsets) {
    absl::StrAppend(&out, tp.topic, " ", tp.partition, " ", offset, "\n");
  }
  return out;
}

absl::StatusOr<OffsetCheckpoint> DecodeOffsetCheckpoint(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<absl::string_view> lines, EntryLines(text));
  OffsetCheckpoint out;
  for (absl::string_view line : lines) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    TopicPartition tp;
    int64_t offset;
    if (f.size() != 3 || !IsLegalTopicName(std::string_view(f[0].data(), f[0].size())) ||
        !absl::SimpleAtoi(f[1], &tp.partition) || tp.partition < 0 ||
        !absl::SimpleAtoi(f[2], &offset)) {
      return absl::DataLossError(absl::StrCat("checkpoint: bad entry '", line, "'"));
    }
    tp.topic = std::string(f[0]);
    if (!out.emplace(std::move(tp), offset).second) {
      return absl::DataLossError(absl::StrCat("checkpoint: duplicate entry '", line, "'"));
    }
  }
  return out;
}

absl::StatusOr<OffsetCheckpoint> ReadOffsetCheckpoint(Env* env, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(env, path, kMaxOffsetCheckpointBytes));
  auto decoded = DecodeOffsetCheckpoint(text);
  if (!decoded.ok()) {
    return absl::DataLossError(absl::StrCat(path, ": ", decoded.status().message()));
  }
  return decoded;
}

absl::Status WriteOffsetCheckpoint(Env* env, const std::string& path,
                                   const OffsetCheckpoint& offsets) {
  return WriteFileAtomically(env, path, EncodeOffsetCheckpoint(offsets));
}

std::string EncodeEpochCheckpoint(const std::vector<EpochEntry>& entries) {
  std::string out = absl::StrCat("0\n", entries.size(), "\n");
  for (const EpochEntry& e : entries) {
    absl::StrAppend(&out, e.epoch.value(), " ", e.start_offset.value(), "\n");
  }
  return out;
}

absl::StatusOr<std::vector<EpochEntry>> DecodeEpochCheckpoint(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<absl::string_view> lines, EntryLines(text));
  std::vector<EpochEntry> out;
  out.reserve(lines.size());
  for (absl::string_view line : lines) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    int32_t epoch;
    int64_t start;
    if (f.size() != 2 || !absl::SimpleAtoi(f[0], &epoch) || !absl::SimpleAtoi(f[1], &start) ||
        epoch < 0 || start < 0) {
      return absl::DataLossError(absl::StrCat("leader-epoch checkpoint: bad entry '", line, "'"));
    }
    if (!out.empty() &&
        (epoch <= out.back().epoch.value() || start < out.back().start_offset.value())) {
      return absl::DataLossError(
          absl::StrCat("leader-epoch checkpoint: entry '", line, "' is out of order"));
    }
    out.push_back({LeaderEpoch(epoch), Offset(start)});
  }
  return out;
}

absl::StatusOr<std::vector<EpochEntry>> ReadEpochCheckpoint(Env* env, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(env, path, kMaxEpochCheckpointBytes));
  auto decoded = DecodeEpochCheckpoint(text);
  if (!decoded.ok()) {
    return absl::DataLossError(absl::StrCat(path, ": ", decoded.status().message()));
  }
  return decoded;
}

absl::Status WriteEpochCheckpoint(Env* env, const std::string& path,
                                  const std::vector<EpochEntry>& entries) {
  return WriteFileAtomically(env, path, EncodeEpochCheckpoint(entries));
}

std::string EncodePartitionMetadata(const Uuid& topic_id) {
  return absl::StrCat("version: 0\ntopic_id: ", topic_id.ToBase64(), "\n");
}

absl::StatusOr<Uuid> DecodePartitionMetadata(std::string_view text) {
  std::vector<absl::string_view> lines = Lines(text);
  if (lines.size() != 2) {
    return absl::DataLossError("partition.metadata: expected 2 lines");
  }
  absl::string_view version = lines[0], id = lines[1];
  if (!absl::ConsumePrefix(&version, "version: ") || version != "0") {
    return absl::DataLossError(
        absl::StrCat("partition.metadata: bad version line '", lines[0], "'"));
  }
  if (!absl::ConsumePrefix(&id, "topic_id: ")) {
    return absl::DataLossError(
        absl::StrCat("partition.metadata: bad topic_id line '", lines[1], "'"));
  }
  std::optional<Uuid> uuid = Uuid::FromBase64(std::string_view(id.data(), id.size()));
  if (!uuid.has_value()) {
    return absl::DataLossError(absl::StrCat("partition.metadata: bad topic id '", id, "'"));
  }
  return *uuid;
}

}  // namespace gregor::storage
