#include "proto/kafka/records/record_batch_reader.h"

#include "absl/strings/str_cat.h"

namespace gregor::kafka {
namespace {

DecompressOptions ToDecompressOptions(const RecordBatchReaderOptions& o) {
  DecompressOptions d;
  d.max_output_bytes = o.max_decompressed_bytes;
  d.zstd_max_window_log = o.zstd_max_window_log;
  return d;
}

}  // namespace

RecordBatchReader::RecordBatchReader(RecordBatchReaderOptions options)
    : options_(options), decompressor_(ToDecompressOptions(options)) {}

bool RecordBatchReader::Fail(absl::Status s) {
  status_ = std::move(s);
  records_ = {};
  pos_ = 0;
  return false;
}

absl::Status RecordBatchReader::Reset(std::string_view batch) {
  status_ = absl::OkStatus();
  records_ = {};
  pos_ = 0;
  records_read_ = 0;
  last_offset_delta_seen_ = -1;
  absl::Status s = options_.verify_crc ? ValidateBatch(batch) : ValidateBatchStructure(batch);
  if (!s.ok()) {
    Fail(s);
    return status_;
  }
  header_ = ParseBatchHeader(batch.data());
  std::string_view payload = batch.substr(kBatchHeaderSize);
  Compression codec = header_.compression();
  if (codec == Compression::kNone || (header_.records_count == 0 && payload.empty())) {
    records_ = payload;
    return status_;
  }
  if (!IsKnownCompression(codec)) {
    Fail(absl::InvalidArgumentError(
        absl::StrCat("unknown compression codec ", static_cast<int>(codec), " in batch")));
    return status_;
  }
  buffer_.clear();
  s = decompressor_.Decompress(codec, payload, &buffer_);
  if (!s.ok()) {
    Fail(s);
    return status_;
  }
  records_ = buffer_;
  return status_;
}

bool RecordBatchReader::Next(Record* record) {
  if (!status_.ok()) return false;
  if (records_read_ >= header_.records_count) {
    if (pos_ != records_.size()) {
      return Fail(absl::DataLossError(
          absl::StrCat("batch at offset ", header_.base_offset, " declares ",
                       header_.records_count, " records but has ", records_.size() - pos_,
                       " bytes after them")));
    }
    return false;
  }
  if (pos_ == records_.size()) {
    return Fail(absl::DataLossError(
        absl::StrCat("batch at offset ", header_.base_offset, " declares ", header_.records_count,
                     " records but holds only ", records_read_)));
  }
  size_t consumed = 0;
  absl::Status s = ParseRecord(records_.substr(pos_), record, &consumed);
  if (!s.ok()) {
    return Fail(absl::Status(s.code(), absl::StrCat("record ", records_read_, " of batch at offset ",
                                                    header_.base_offset, ": ", s.message())));
  }
  if (record->offset_delta <= last_offset_delta_seen_ ||
      record->offset_delta > header_.last_offset_delta) {
    return Fail(absl::DataLossError(absl::StrCat(
        "record ", records_read_, " of batch at offset ", header_.base_offset, " has offset delta ",
        record->offset_delta, " (previous ", last_offset_delta_seen_, ", lastOffsetDelta ",
        header_.last_offset_delta, ")")));
  }
  last_offset_delta_seen_ = record->offset_delta;
  pos_ += consumed;
  ++records_read_;
  // Wrapping arithmetic: a corrupt but CRC-correct header must not be UB.
  record->offset = static_cast<int64_t>(static_cast<uint64_t>(header_.base_offset) +
                                        static_cast<uint64_t>(record->offset_delta));
  record->timestamp = header_.log_append_time()
                          ? header_.max_timestamp
                          : static_cast<int64_t>(static_cast<uint64_t>(header_.base_timestamp) +
                                                 static_cast<uint64_t>(record->timestamp_delta));
  return true;
}

absl::Status RecordBatchReader::ValidateRemaining() {
  Record r;
  while (Next(&r)) {
  }
  return status_;
}

}  // namespace gregor::kafka
