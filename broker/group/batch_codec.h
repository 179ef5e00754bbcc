// Turning coordinator records into a Kafka RecordBatch v2 and back, with the
// records module (proto/kafka/records).
//
// Writing: RecordBatchEncoder is the seam the driver writes through;
// CoordinatorBatchEncoder builds one batch per append with
// RecordBatchBuilder: CreateTime, no producer id, baseOffset 0 and
// partitionLeaderEpoch -1 (the log sets both), uncompressed by default as
// Kafka's coordinator writes __consumer_offsets (offsets.topic.compression.codec
// defaults to none).
//
// Reading (the load path): CoordinatorBatchDecoder turns the bytes of a log
// region — whole batches, as Log::Read returns them — into records, whatever
// codec the batches use (a partition written by another broker, or by Kafka
// itself, may be compressed). Control batches (transaction markers) carry no
// coordinator records and are skipped.
#ifndef GREGOR_BROKER_GROUP_BATCH_CODEC_H_
#define GREGOR_BROKER_GROUP_BATCH_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/group/records.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/records/record_batch_reader.h"

namespace gregor::broker::group {

class RecordBatchEncoder {
 public:
  virtual ~RecordBatchEncoder() = default;
  // One batch holding `records` in order, every record stamped
  // `timestamp_ms`. baseOffset 0 and partitionLeaderEpoch -1: the log sets
  // them. REQUIRES: !records.empty(). Thread-safe.
  virtual absl::StatusOr<std::string> Encode(const std::vector<CoordinatorRecord>& records,
                                             int64_t timestamp_ms) const = 0;
};

struct CoordinatorBatchEncoderOptions {
  // Kafka's offsets.topic.compression.codec (default none).
  kafka::Compression compression = kafka::Compression::kNone;
  // Upper bound on the uncompressed records of one batch.
  size_t max_batch_bytes = 64 << 20;
};

class CoordinatorBatchEncoder : public RecordBatchEncoder {
 public:
  explicit CoordinatorBatchEncoder(CoordinatorBatchEncoderOptions options = {})
      : options_(options) {}
  // Fails (kInvalidArgument) for an empty batch or beyond max_batch_bytes.
  absl::StatusOr<std::string> Encode(const std::vector<CoordinatorRecord>& records,
                                     int64_t timestamp_ms) const override;

 private:
  CoordinatorBatchEncoderOptions options_;
};

struct CoordinatorBatchDecoderOptions {
  // Largest batch accepted and largest decompressed records section.
  size_t max_batch_bytes = 64 << 20;
};

// Decodes the batches of __consumer_offsets. Not thread-safe (keeps its
// decompression buffer between calls); use one per loading thread.
class CoordinatorBatchDecoder {
 public:
  explicit CoordinatorBatchDecoder(CoordinatorBatchDecoderOptions options = {});

  // Appends the records of every whole batch in `data` (concatenated
  // batches, e.g. a log region) to `*out`, in order, and returns the offset
  // after the last batch (its last offset + 1; -1 when `data` holds no
  // batch). Fails with kDataLoss on a corrupt batch or record (CRC, lengths,
  // a record without a key) and kResourceExhausted beyond the size limits;
  // `*out` then holds the records decoded before the error.
  absl::StatusOr<int64_t> DecodeBatches(std::string_view data,
                                        std::vector<CoordinatorRecord>* out);

 private:
  CoordinatorBatchDecoderOptions options_;
  kafka::RecordBatchReader reader_;
};

// The records of exactly one batch (tests and tools).
absl::StatusOr<std::vector<CoordinatorRecord>> DecodeBatch(std::string_view batch);

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_BATCH_CODEC_H_
