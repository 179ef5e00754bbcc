// Builds one Kafka RecordBatch v2 from records, compressed or not, with the
// CRC-32C computed: what a producer, the transaction coordinator (control
// batches), the group coordinator (__consumer_offsets records) and log
// compaction write.
//
//   RecordBatchBuilder b({.compression = Compression::kZstd, .producer_id = 7, ...});
//   RETURN_IF_ERROR(b.Append(ts_ms, key, value, headers));
//   ...
//   std::string batch;
//   RETURN_IF_ERROR(b.Finish(&batch));   // appends one batch to `batch`
//   b.Reset(options);                   // reuse buffers for the next batch
//
// Layout choices match Kafka's Java MemoryRecordsBuilder: baseTimestamp is
// the first record's timestamp, maxTimestamp the largest (or the log append
// time for LogAppendTime batches), lastOffsetDelta the last record's offset
// delta, and the compressed payload framed as compression.h describes.
//
// Not thread-safe. Keeps its buffers between batches (Reset), so building
// many batches does not allocate once the buffers have grown.
#ifndef GREGOR_PROTO_KAFKA_RECORDS_RECORD_BATCH_BUILDER_H_
#define GREGOR_PROTO_KAFKA_RECORDS_RECORD_BATCH_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/records/compression.h"
#include "proto/kafka/records/record.h"

namespace gregor::kafka {

enum class TimestampType : uint8_t { kCreateTime = 0, kLogAppendTime = 1 };

struct RecordBatchBuilderOptions {
  Compression compression = Compression::kNone;
  int compression_level = kDefaultCompressionLevel;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  // maxTimestamp of a LogAppendTime batch (ignored for CreateTime).
  int64_t log_append_time_ms = -1;
  int64_t base_offset = 0;
  int32_t partition_leader_epoch = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  bool transactional = false;
  // A control batch (transaction markers); see control_record.h.
  bool control = false;
  // Limits: records per batch and bytes of the uncompressed records section.
  int32_t max_records = 1 << 20;
  size_t max_records_bytes = 64 << 20;
};

class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(RecordBatchBuilderOptions options = {});

  RecordBatchBuilder(const RecordBatchBuilder&) = delete;
  RecordBatchBuilder& operator=(const RecordBatchBuilder&) = delete;

  // Starts a new batch with `options`, keeping the buffers.
  void Reset(RecordBatchBuilderOptions options);

  // Appends a record at the next offset (offset delta = the number of records
  // before it). Fails (kOutOfRange) past the limits in the options or for a
  // key/value/header over 2 GiB; the batch is unchanged then.
  absl::Status Append(int64_t timestamp_ms, std::optional<std::string_view> key,
                      std::optional<std::string_view> value,
                      std::span<const RecordHeader> headers = {});

  // Appends a record at an absolute `offset`, which must be greater than the
  // previous record's and within [base_offset, base_offset + 2^31): for
  // rebuilding batches whose offsets have gaps (log compaction).
  absl::Status AppendWithOffset(int64_t offset, int64_t timestamp_ms,
                                std::optional<std::string_view> key,
                                std::optional<std::string_view> value,
                                std::span<const RecordHeader> headers = {});

  int32_t record_count() const { return record_count_; }
  bool empty() const { return record_count_ == 0; }
  // Size of the batch if it were finished uncompressed now.
  size_t uncompressed_size() const { return kBatchHeaderSize + records_.size(); }

  // Appends the finished batch to `*out`. Fails (kFailedPrecondition) when no
  // record was appended, or when compression fails. The builder must be Reset
  // before appending again.
  absl::Status Finish(std::string* out);
  absl::StatusOr<std::string> Build();

 private:
  absl::Status AppendAt(int64_t offset_delta, int64_t timestamp_ms,
                        std::optional<std::string_view> key,
                        std::optional<std::string_view> value,
                        std::span<const RecordHeader> headers);

  RecordBatchBuilderOptions options_;
  Compressor compressor_;
  std::string records_;  // the uncompressed records section
  int32_t record_count_ = 0;
  int64_t last_offset_delta_ = -1;
  int64_t base_timestamp_ = -1;
  int64_t max_timestamp_ = -1;
  bool finished_ = false;
};

}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_RECORDS_RECORD_BATCH_BUILDER_H_
