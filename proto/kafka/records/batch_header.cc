#include "proto/kafka/records/batch_header.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "common/crc32c.h"

namespace gregor::kafka {

namespace o = batch_offsets;

int32_t BatchHeader::last_sequence() const {
  if (base_sequence < 0) return -1;
  int64_t last = static_cast<int64_t>(base_sequence) + last_offset_delta;
  if (last > std::numeric_limits<int32_t>::max()) {
    last -= static_cast<int64_t>(std::numeric_limits<int32_t>::max()) + 1;
  }
  return static_cast<int32_t>(last);
}

BatchHeader ParseBatchHeader(const void* data) {
  const auto* p = static_cast<const uint8_t*>(data);
  BatchHeader h;
  h.base_offset = static_cast<int64_t>(LoadBE64(p + o::kBaseOffset));
  h.batch_length = static_cast<int32_t>(LoadBE32(p + o::kBatchLength));
  h.partition_leader_epoch = static_cast<int32_t>(LoadBE32(p + o::kPartitionLeaderEpoch));
  h.magic = static_cast<int8_t>(p[o::kMagic]);
  h.crc = LoadBE32(p + o::kCrc);
  h.attributes = LoadBE16(p + o::kAttributes);
  h.last_offset_delta = static_cast<int32_t>(LoadBE32(p + o::kLastOffsetDelta));
  h.base_timestamp = static_cast<int64_t>(LoadBE64(p + o::kBaseTimestamp));
  h.max_timestamp = static_cast<int64_t>(LoadBE64(p + o::kMaxTimestamp));
  h.producer_id = static_cast<int64_t>(LoadBE64(p + o::kProducerId));
  h.producer_epoch = static_cast<int16_t>(LoadBE16(p + o::kProducerEpoch));
  h.base_sequence = static_cast<int32_t>(LoadBE32(p + o::kBaseSequence));
  h.records_count = static_cast<int32_t>(LoadBE32(p + o::kRecordsCount));
  return h;
}

absl::StatusOr<size_t> NextBatchSize(std::string_view data, size_t max_batch_size) {
  if (data.size() < kBatchLogOverhead) {
    return absl::DataLossError(absl::StrCat("batch header truncated: ", data.size(), " bytes"));
  }
  int32_t len = static_cast<int32_t>(LoadBE32(data.data() + o::kBatchLength));
  if (len < static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead)) {
    return absl::DataLossError(absl::StrCat("batch length ", len, " smaller than a header"));
  }
  size_t total = kBatchLogOverhead + static_cast<size_t>(len);
  if (total > max_batch_size) {
    return absl::OutOfRangeError(
        absl::StrCat("batch of ", total, " bytes exceeds the limit of ", max_batch_size));
  }
  return total;
}

absl::Status ValidateBatch(std::string_view batch) {
  absl::Status s = ValidateBatchStructure(batch);
  if (!s.ok()) return s;
  uint32_t stored = LoadBE32(batch.data() + o::kCrc);
  uint32_t crc = Crc32c(batch.data() + kBatchCrcStart, batch.size() - kBatchCrcStart);
  if (crc != stored) {
    return absl::DataLossError(absl::StrCat("record batch CRC mismatch: stored ", stored,
                                            ", computed ", crc));
  }
  return absl::OkStatus();
}

absl::Status ValidateBatchStructure(std::string_view batch) {
  // Magic first: a legacy (v0/v1) message is shorter than a v2 header and
  // should be reported as the wrong format rather than as truncated.
  if (batch.size() > o::kMagic && static_cast<int8_t>(batch[o::kMagic]) != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported record batch magic ", static_cast<int>(batch[o::kMagic])));
  }
  if (batch.size() < kBatchHeaderSize) {
    return absl::DataLossError(absl::StrCat("batch of ", batch.size(), " bytes is shorter than a header"));
  }
  BatchHeader h = ParseBatchHeader(batch.data());
  if (h.batch_length < 0 || h.total_size() != batch.size()) {
    return absl::DataLossError(absl::StrCat("batch length ", h.batch_length,
                                            " does not match the ", batch.size(), " bytes given"));
  }
  if (h.last_offset_delta < 0) {
    return absl::DataLossError(absl::StrCat("negative lastOffsetDelta ", h.last_offset_delta));
  }
  if (h.records_count < 0 || (h.records_count > 0 && h.records_count - 1 > h.last_offset_delta)) {
    return absl::DataLossError(absl::StrCat("record count ", h.records_count,
                                            " does not fit lastOffsetDelta ", h.last_offset_delta));
  }
  return absl::OkStatus();
}

void SetBaseOffset(void* batch, int64_t base_offset) {
  StoreBE64(static_cast<uint8_t*>(batch) + o::kBaseOffset, static_cast<uint64_t>(base_offset));
}

void SetPartitionLeaderEpoch(void* batch, int32_t epoch) {
  StoreBE32(static_cast<uint8_t*>(batch) + o::kPartitionLeaderEpoch, static_cast<uint32_t>(epoch));
}

void UpdateCrc(void* batch, size_t size) {
  auto* p = static_cast<uint8_t*>(batch);
  StoreBE32(p + o::kCrc, Crc32c(p + kBatchCrcStart, size - kBatchCrcStart));
}

void StampLogAppendTime(void* batch, size_t size, int64_t timestamp_ms) {
  auto* p = static_cast<uint8_t*>(batch);
  uint16_t attrs = LoadBE16(p + o::kAttributes) | batch_attributes::kTimestampTypeLogAppend;
  StoreBE16(p + o::kAttributes, attrs);
  StoreBE64(p + o::kMaxTimestamp, static_cast<uint64_t>(timestamp_ms));
  UpdateCrc(batch, size);
}

}  // namespace gregor::kafka
