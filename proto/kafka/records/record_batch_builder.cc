#include "proto/kafka/records/record_batch_builder.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "common/status.h"

namespace gregor::kafka {
namespace {

namespace o = batch_offsets;
constexpr size_t kMaxField = static_cast<size_t>(std::numeric_limits<int32_t>::max());

bool FieldTooLarge(std::optional<std::string_view> b) { return b.has_value() && b->size() > kMaxField; }

}  // namespace

RecordBatchBuilder::RecordBatchBuilder(RecordBatchBuilderOptions options) { Reset(options); }

void RecordBatchBuilder::Reset(RecordBatchBuilderOptions options) {
  options_ = options;
  // The records section is written after room for the header, so an
  // uncompressed batch is finished in place.
  records_.assign(kBatchHeaderSize, '\0');
  record_count_ = 0;
  last_offset_delta_ = -1;
  base_timestamp_ = -1;
  max_timestamp_ = -1;
  finished_ = false;
}

absl::Status RecordBatchBuilder::Append(int64_t timestamp_ms, std::optional<std::string_view> key,
                                        std::optional<std::string_view> value,
                                        std::span<const RecordHeader> headers) {
  return AppendAt(last_offset_delta_ + 1, timestamp_ms, key, value, headers);
}

absl::Status RecordBatchBuilder::AppendWithOffset(int64_t offset, int64_t timestamp_ms,
                                                  std::optional<std::string_view> key,
                                                  std::optional<std::string_view> value,
                                                  std::span<const RecordHeader> headers) {
  if (offset < options_.base_offset) {
    return absl::OutOfRangeError(
        absl::StrCat("offset ", offset, " is below the base offset ", options_.base_offset));
  }
  // Subtract in unsigned arithmetic: the difference may not fit int64_t.
  uint64_t delta = static_cast<uint64_t>(offset) - static_cast<uint64_t>(options_.base_offset);
  if (delta > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    return absl::OutOfRangeError(absl::StrCat("offset ", offset, " is too far from the base offset ",
                                              options_.base_offset));
  }
  if (static_cast<int64_t>(delta) <= last_offset_delta_) {
    return absl::OutOfRangeError(absl::StrCat("offset ", offset, " does not follow the previous record"));
  }
  return AppendAt(static_cast<int64_t>(delta), timestamp_ms, key, value, headers);
}

absl::Status RecordBatchBuilder::AppendAt(int64_t offset_delta, int64_t timestamp_ms,
                                          std::optional<std::string_view> key,
                                          std::optional<std::string_view> value,
                                          std::span<const RecordHeader> headers) {
  if (finished_) return absl::FailedPreconditionError("RecordBatchBuilder: Append after Finish");
  if (record_count_ >= options_.max_records) {
    return absl::OutOfRangeError(absl::StrCat("batch already holds ", record_count_, " records"));
  }
  if (offset_delta > std::numeric_limits<int32_t>::max()) {
    return absl::OutOfRangeError("offset delta overflows int32");
  }
  if (FieldTooLarge(key) || FieldTooLarge(value) || headers.size() > kMaxField) {
    return absl::OutOfRangeError("record key, value or header count over 2 GiB");
  }
  for (const RecordHeader& h : headers) {
    if (h.key.size() > kMaxField || FieldTooLarge(h.value)) {
      return absl::OutOfRangeError("record header over 2 GiB");
    }
  }
  if (record_count_ == 0) base_timestamp_ = timestamp_ms;
  // Deltas wrap like Java's long arithmetic instead of overflowing.
  int64_t ts_delta = static_cast<int64_t>(static_cast<uint64_t>(timestamp_ms) -
                                          static_cast<uint64_t>(base_timestamp_));
  auto od = static_cast<int32_t>(offset_delta);
  size_t size = EncodedRecordSize(ts_delta, od, key, value, headers);
  if (size > kMaxField || records_.size() - kBatchHeaderSize + size > options_.max_records_bytes) {
    return absl::OutOfRangeError(absl::StrCat("record of ", size, " bytes would take the batch over ",
                                              options_.max_records_bytes, " bytes"));
  }
  AppendRecord(ts_delta, od, key, value, headers, &records_);
  if (timestamp_ms > max_timestamp_) max_timestamp_ = timestamp_ms;
  last_offset_delta_ = offset_delta;
  ++record_count_;
  return absl::OkStatus();
}

absl::Status RecordBatchBuilder::Finish(std::string* out) {
  if (finished_) return absl::FailedPreconditionError("RecordBatchBuilder: Finish called twice");
  if (record_count_ == 0) return absl::FailedPreconditionError("RecordBatchBuilder: no records");
  uint16_t attributes = static_cast<uint16_t>(options_.compression) & batch_attributes::kCompressionMask;
  if (options_.timestamp_type == TimestampType::kLogAppendTime) {
    attributes |= batch_attributes::kTimestampTypeLogAppend;
  }
  if (options_.transactional) attributes |= batch_attributes::kTransactional;
  if (options_.control) attributes |= batch_attributes::kControl;

  std::string* batch;
  size_t start;
  if (options_.compression == Compression::kNone) {
    if (out->empty()) {
      out->swap(records_);  // hand over the buffer: no copy
      start = 0;
    } else {
      start = out->size();
      out->append(records_);
    }
    batch = out;
  } else {
    start = out->size();
    out->resize(start + kBatchHeaderSize);
    std::string_view records(records_.data() + kBatchHeaderSize, records_.size() - kBatchHeaderSize);
    absl::Status s = compressor_.Compress(options_.compression, records, out, options_.compression_level);
    if (!s.ok()) {
      out->resize(start);
      return s;
    }
    batch = out;
  }
  size_t total = batch->size() - start;
  if (total - kBatchLogOverhead > kMaxField) {
    batch->resize(start);
    return absl::OutOfRangeError("batch over 2 GiB");
  }
  char* p = batch->data() + start;
  int64_t max_ts = options_.timestamp_type == TimestampType::kLogAppendTime
                       ? options_.log_append_time_ms
                       : max_timestamp_;
  StoreBE64(p + o::kBaseOffset, static_cast<uint64_t>(options_.base_offset));
  StoreBE32(p + o::kBatchLength, static_cast<uint32_t>(total - kBatchLogOverhead));
  StoreBE32(p + o::kPartitionLeaderEpoch, static_cast<uint32_t>(options_.partition_leader_epoch));
  p[o::kMagic] = 2;
  StoreBE16(p + o::kAttributes, attributes);
  StoreBE32(p + o::kLastOffsetDelta, static_cast<uint32_t>(last_offset_delta_));
  StoreBE64(p + o::kBaseTimestamp, static_cast<uint64_t>(base_timestamp_));
  StoreBE64(p + o::kMaxTimestamp, static_cast<uint64_t>(max_ts));
  StoreBE64(p + o::kProducerId, static_cast<uint64_t>(options_.producer_id));
  StoreBE16(p + o::kProducerEpoch, static_cast<uint16_t>(options_.producer_epoch));
  StoreBE32(p + o::kBaseSequence, static_cast<uint32_t>(options_.base_sequence));
  StoreBE32(p + o::kRecordsCount, static_cast<uint32_t>(record_count_));
  UpdateCrc(p, total);
  finished_ = true;
  return absl::OkStatus();
}

absl::StatusOr<std::string> RecordBatchBuilder::Build() {
  std::string out;
  RETURN_IF_ERROR(Finish(&out));
  return out;
}

}  // namespace gregor::kafka
