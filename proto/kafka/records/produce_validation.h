// Validates the `records` of one partition in a Produce request the way a
// Kafka broker does before appending (ProduceRequest.validateRecords,
// UnifiedLog.analyzeAndValidateRecords, LogValidator), without changing a byte:
// Gregor stores batches as sent.
//
// Checks, in order, with the status code the gateway maps to a Kafka error:
//
//   code                Kafka error            condition
//   kInvalidArgument    INVALID_RECORD         no batch at all; more than one batch
//                                              (require_single_batch); magic != 2;
//                                              baseOffset != 0; recordsCount <= 0
//                                              (empty batch); recordsCount !=
//                                              lastOffsetDelta + 1; a control batch;
//                                              a producer id without a base
//                                              sequence; transactional without a
//                                              producer id; an unknown codec; a record
//                                              without a key when require_keys
//   kOutOfRange         MESSAGE_TOO_LARGE      a batch over max_batch_bytes
//   kDataLoss           CORRUPT_MESSAGE        lengths that do not add up, trailing or
//                                              missing bytes, CRC mismatch, a compressed
//                                              payload that does not decompress,
//                                              malformed records, record count or
//                                              offset deltas not matching the header
//   kResourceExhausted  RECORD_TOO_LARGE or    records that decompress beyond
//                       CORRUPT_MESSAGE        max_decompressed_bytes
//   kFailedPrecondition INVALID_TIMESTAMP      a producer-set LogAppendTime batch; a
//                                              CreateTime record outside
//                                              [min_timestamp_ms, max_timestamp_ms]
//
// Cost: the CRC over every byte once. Records are iterated only for
// compressed batches (decompression is the only way to validate them) and,
// when check_uncompressed_records / require_keys / timestamp bounds ask for
// it, for uncompressed ones (a varint walk, no copies).
//
// ProduceValidator keeps its decompression buffer between calls: use one per
// event loop. Not thread-safe. The free function makes a temporary one.
#ifndef GREGOR_PROTO_KAFKA_RECORDS_PRODUCE_VALIDATION_H_
#define GREGOR_PROTO_KAFKA_RECORDS_PRODUCE_VALIDATION_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "absl/status/statusor.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/records/record_batch_reader.h"

namespace gregor::kafka {

struct ProduceValidationOptions {
  // Kafka's message.max.bytes (a per-batch limit; default 1 MiB + 12).
  size_t max_batch_bytes = 1048588;
  size_t max_decompressed_bytes = 64 << 20;
  int zstd_max_window_log = 24;
  // Produce v3+ carries exactly one batch per partition.
  bool require_single_batch = true;
  // Walk the records of uncompressed batches too (Kafka always does).
  bool check_uncompressed_records = true;
  // Compacted topics (cleanup.policy=compact) need a key on every record.
  bool require_keys = false;
  // CreateTime record timestamps must fall within these bounds (the gateway
  // computes them from its clock and message.timestamp.{before,after}.max.ms).
  // A record timestamp of -1 (none) is not checked, as in Kafka.
  int64_t min_timestamp_ms = std::numeric_limits<int64_t>::min();
  int64_t max_timestamp_ms = std::numeric_limits<int64_t>::max();
};

struct ProducePayloadInfo {
  BatchHeader first_batch;  // producer id/epoch/sequence, attributes, ...
  int32_t batch_count = 0;
  int64_t record_count = 0;
  size_t size_bytes = 0;
  // Largest record timestamp seen (-1 if none), from the records when they
  // were walked, else from the batch headers' maxTimestamp.
  int64_t max_timestamp = -1;
  // True when every record was parsed.
  bool records_checked = false;
};

class ProduceValidator {
 public:
  explicit ProduceValidator(ProduceValidationOptions options = {});

  const ProduceValidationOptions& options() const { return options_; }
  // Changes the per-topic checks (batch size, keys, timestamps) between calls.
  // The decompression limits stay those given to the constructor.
  void set_topic_options(const ProduceValidationOptions& options) {
    options_.max_batch_bytes = options.max_batch_bytes;
    options_.require_single_batch = options.require_single_batch;
    options_.check_uncompressed_records = options.check_uncompressed_records;
    options_.require_keys = options.require_keys;
    options_.min_timestamp_ms = options.min_timestamp_ms;
    options_.max_timestamp_ms = options.max_timestamp_ms;
  }

  // Validates one partition's records; see the table above.
  absl::StatusOr<ProducePayloadInfo> Validate(std::string_view records);

 private:
  absl::Status ValidateHeader(const BatchHeader& h, int32_t index) const;
  absl::Status ValidateRecords(std::string_view batch, int32_t index, ProducePayloadInfo* info);

  ProduceValidationOptions options_;
  RecordBatchReader reader_;
};

absl::StatusOr<ProducePayloadInfo> ValidateProducePayload(
    std::string_view records, const ProduceValidationOptions& options = {});

}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_RECORDS_PRODUCE_VALIDATION_H_
