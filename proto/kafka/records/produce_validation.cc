#include "proto/kafka/records/produce_validation.h"

#include "absl/strings/str_cat.h"
#include "proto/kafka/records/batch_iterator.h"
#include "proto/kafka/records/compression.h"

namespace gregor::kafka {
namespace {

RecordBatchReaderOptions ReaderOptions(const ProduceValidationOptions& o) {
  RecordBatchReaderOptions r;
  r.max_decompressed_bytes = o.max_decompressed_bytes;
  r.zstd_max_window_log = o.zstd_max_window_log;
  r.verify_crc = false;  // the BatchIterator has checked it
  return r;
}

absl::Status Invalid(int32_t index, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("batch ", index, ": ", what));
}

}  // namespace

ProduceValidator::ProduceValidator(ProduceValidationOptions options)
    : options_(options), reader_(ReaderOptions(options)) {}

absl::Status ProduceValidator::ValidateHeader(const BatchHeader& h, int32_t index) const {
  if (h.base_offset != 0) {
    return Invalid(index, absl::StrCat("baseOffset is ", h.base_offset, ", must be 0"));
  }
  if (h.records_count <= 0) {
    return Invalid(index, absl::StrCat("record count ", h.records_count, ": empty batch"));
  }
  if (static_cast<int64_t>(h.records_count) != static_cast<int64_t>(h.last_offset_delta) + 1) {
    return Invalid(index, absl::StrCat("record count ", h.records_count,
                                       " does not match lastOffsetDelta ", h.last_offset_delta));
  }
  if (h.is_control()) return Invalid(index, "clients may not write control batches");
  if (h.has_producer_id() && h.base_sequence < 0) {
    return Invalid(index, absl::StrCat("producer id ", h.producer_id, " with base sequence ",
                                       h.base_sequence));
  }
  if (h.is_transactional() && !h.has_producer_id()) {
    return Invalid(index, "transactional batch without a producer id");
  }
  if (!IsKnownCompression(h.compression())) {
    return Invalid(index, absl::StrCat("unknown compression codec ", static_cast<int>(h.compression())));
  }
  if (h.log_append_time()) {
    return absl::FailedPreconditionError(
        absl::StrCat("batch ", index, ": producers may not set the LogAppendTime timestamp type"));
  }
  return absl::OkStatus();
}

absl::Status ProduceValidator::ValidateRecords(std::string_view batch, int32_t index,
                                               ProducePayloadInfo* info) {
  absl::Status s = reader_.Reset(batch);
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat("batch ", index, ": ", s.message()));
  const bool check_ts = options_.min_timestamp_ms != std::numeric_limits<int64_t>::min() ||
                        options_.max_timestamp_ms != std::numeric_limits<int64_t>::max();
  Record r;
  while (reader_.Next(&r)) {
    if (options_.require_keys && !r.key.has_value()) {
      return Invalid(index, absl::StrCat("record ", reader_.records_read() - 1,
                                         " has no key; compacted topics need one"));
    }
    if (r.timestamp > info->max_timestamp) info->max_timestamp = r.timestamp;
    if (check_ts && r.timestamp != -1 &&
        (r.timestamp < options_.min_timestamp_ms || r.timestamp > options_.max_timestamp_ms)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "batch ", index, ": record ", reader_.records_read() - 1, " has timestamp ", r.timestamp,
          " outside [", options_.min_timestamp_ms, ", ", options_.max_timestamp_ms, "]"));
    }
  }
  s = reader_.status();
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat("batch ", index, ": ", s.message()));
  return absl::OkStatus();
}

absl::StatusOr<ProducePayloadInfo> ProduceValidator::Validate(std::string_view records) {
  if (records.empty()) return absl::InvalidArgumentError("produce records hold no batch");
  BatchIteratorOptions it_options;
  it_options.max_batch_bytes = options_.max_batch_bytes;
  it_options.verify_crc = true;
  BatchIterator it(records, it_options);
  ProducePayloadInfo info;
  info.records_checked = true;
  const bool walk_uncompressed = options_.check_uncompressed_records || options_.require_keys ||
                                 options_.min_timestamp_ms != std::numeric_limits<int64_t>::min() ||
                                 options_.max_timestamp_ms != std::numeric_limits<int64_t>::max();
  std::string_view batch;
  while (it.Next(&batch)) {
    const int32_t index = info.batch_count;
    const BatchHeader& h = it.header();
    if (index == 0) info.first_batch = h;
    if (options_.require_single_batch && it.valid_bytes() != records.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "produce records hold more than one batch (", records.size() - it.valid_bytes(),
          " bytes follow the first)"));
    }
    absl::Status s = ValidateHeader(h, index);
    if (!s.ok()) return s;
    ++info.batch_count;
    info.record_count += h.records_count;
    info.size_bytes += batch.size();
    if (h.compression() != Compression::kNone || walk_uncompressed) {
      s = ValidateRecords(batch, index, &info);
      if (!s.ok()) return s;
    } else {
      info.records_checked = false;
      if (h.max_timestamp > info.max_timestamp) info.max_timestamp = h.max_timestamp;
    }
  }
  if (!it.status().ok()) return it.status();
  return info;
}

absl::StatusOr<ProducePayloadInfo> ValidateProducePayload(std::string_view records,
                                                          const ProduceValidationOptions& options) {
  ProduceValidator v(options);
  return v.Validate(records);
}

}  // namespace gregor::kafka
