#include "broker/group/batch_codec.h"

#include "absl/strings/str_cat.h"
#include "proto/kafka/records/batch_iterator.h"
#include "proto/kafka/records/record_batch_builder.h"

namespace gregor::broker::group {

absl::StatusOr<std::string> CoordinatorBatchEncoder::Encode(
    const std::vector<CoordinatorRecord>& records, int64_t timestamp_ms) const {
  if (records.empty()) return absl::InvalidArgumentError("empty coordinator batch");
  kafka::RecordBatchBuilderOptions o;
  o.compression = options_.compression;
  o.max_records_bytes = options_.max_batch_bytes;
  kafka::RecordBatchBuilder builder(o);
  for (const CoordinatorRecord& r : records) {
    std::optional<std::string_view> value;
    if (r.value.has_value()) value = std::string_view(*r.value);
    absl::Status s = builder.Append(timestamp_ms, std::string_view(r.key), value);
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("coordinator batch over ", options_.max_batch_bytes, " bytes: ", s.message()));
    }
  }
  return builder.Build();
}

CoordinatorBatchDecoder::CoordinatorBatchDecoder(CoordinatorBatchDecoderOptions options)
    : options_(options),
      reader_(kafka::RecordBatchReaderOptions{.max_decompressed_bytes = options.max_batch_bytes,
                                              // BatchIterator checked the CRC.
                                              .verify_crc = false}) {}

absl::StatusOr<int64_t> CoordinatorBatchDecoder::DecodeBatches(
    std::string_view data, std::vector<CoordinatorRecord>* out) {
  kafka::BatchIteratorOptions io;
  io.max_batch_bytes = options_.max_batch_bytes;
  io.verify_crc = true;
  kafka::BatchIterator it(data, io);
  int64_t next_offset = -1;
  std::string_view batch;
  while (it.Next(&batch)) {
    const kafka::BatchHeader& h = it.header();
    next_offset = h.next_offset();
    // Transaction markers: nothing for the coordinator.
    if (h.is_control()) continue;
    absl::Status s = reader_.Reset(batch);
    if (!s.ok()) {
      return absl::DataLossError(
          absl::StrCat("__consumer_offsets batch at offset ", h.base_offset, ": ", s.message()));
    }
    kafka::Record r;
    while (reader_.Next(&r)) {
      if (!r.key.has_value()) {
        return absl::DataLossError(
            absl::StrCat("__consumer_offsets record at offset ", r.offset, " has no key"));
      }
      CoordinatorRecord cr;
      cr.key = std::string(*r.key);
      if (r.value.has_value()) cr.value = std::string(*r.value);
      out->push_back(std::move(cr));
    }
    if (!reader_.status().ok()) {
      const absl::Status& e = reader_.status();
      absl::StatusCode code = e.code() == absl::StatusCode::kResourceExhausted
                                  ? absl::StatusCode::kResourceExhausted
                                  : absl::StatusCode::kDataLoss;
      return absl::Status(code, absl::StrCat("__consumer_offsets batch at offset ",
                                             h.base_offset, ": ", e.message()));
    }
  }
  if (!it.status().ok()) {
    absl::StatusCode code = it.status().code() == absl::StatusCode::kOutOfRange
                                ? absl::StatusCode::kResourceExhausted
                                : absl::StatusCode::kDataLoss;
    return absl::Status(code, absl::StrCat("__consumer_offsets: ", it.status().message()));
  }
  return next_offset;
}

absl::StatusOr<std::vector<CoordinatorRecord>> DecodeBatch(std::string_view batch) {
  if (batch.size() < kafka::kBatchHeaderSize) {
    return absl::DataLossError("coordinator batch shorter than a batch header");
  }
  kafka::BatchHeader h = kafka::ParseBatchHeader(batch.data());
  if (h.batch_length < 0 || h.total_size() != batch.size()) {
    return absl::DataLossError("coordinator batch: length does not match");
  }
  CoordinatorBatchDecoder decoder;
  std::vector<CoordinatorRecord> out;
  absl::StatusOr<int64_t> end = decoder.DecodeBatches(batch, &out);
  if (!end.ok()) return end.status();
  return out;
}

}  // namespace gregor::broker::group
