// Turning coordinator records into a Kafka RecordBatch v2 and back.
//
// RecordBatchEncoder is the seam the driver writes through; the broker may
// plug in proto/kafka/records' RecordBatchBuilder once that is merged. Until
// then UncompressedBatchEncoder (and DecodeUncompressedBatch for the load
// path and tests) cover what the coordinator writes: one uncompressed
// batch, CreateTime, no producer id, as Kafka's coordinator writes
// __consumer_offsets batches.
#ifndef GREGOR_BROKER_GROUP_BATCH_CODEC_H_
#define GREGOR_BROKER_GROUP_BATCH_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/group/records.h"

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

class UncompressedBatchEncoder : public RecordBatchEncoder {
 public:
  // Fails (kInvalidArgument) beyond `max_batch_bytes`.
  explicit UncompressedBatchEncoder(size_t max_batch_bytes = 64 << 20)
      : max_batch_bytes_(max_batch_bytes) {}
  absl::StatusOr<std::string> Encode(const std::vector<CoordinatorRecord>& records,
                                     int64_t timestamp_ms) const override;

 private:
  size_t max_batch_bytes_;
};

// The records of one whole uncompressed batch (CRC checked). Compressed
// batches are kUnimplemented; malformed ones kDataLoss.
absl::StatusOr<std::vector<CoordinatorRecord>> DecodeUncompressedBatch(std::string_view batch);

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_BATCH_CODEC_H_
