// The fixed 61-byte header of a Kafka RecordBatch (magic v2), as stored on
// disk and sent on the wire:
//
//   offset  size  field
//        0     8  baseOffset             (set by the broker; outside the CRC)
//        8     4  batchLength            (bytes after this field)
//       12     4  partitionLeaderEpoch   (set by the broker; outside the CRC)
//       16     1  magic                  (2)
//       17     4  crc                    (CRC-32C of bytes 21..end)
//       21     2  attributes
//       23     4  lastOffsetDelta
//       27     8  baseTimestamp
//       35     8  maxTimestamp
//       43     8  producerId
//       51     2  producerEpoch
//       53     4  baseSequence
//       57     4  recordsCount
//       61        records...
//
// BatchHeader is a parsed copy; the free functions read and patch fields in
// place on raw batch bytes (the broker only ever writes baseOffset,
// partitionLeaderEpoch and, for LogAppendTime, maxTimestamp + attributes + crc).
#ifndef GREGOR_PROTO_KAFKA_RECORDS_BATCH_HEADER_H_
#define GREGOR_PROTO_KAFKA_RECORDS_BATCH_HEADER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gregor::kafka {

inline constexpr size_t kBatchHeaderSize = 61;
// baseOffset + batchLength: the bytes before the length-counted part.
inline constexpr size_t kBatchLogOverhead = 12;
inline constexpr size_t kBatchCrcStart = 21;

namespace batch_offsets {
inline constexpr size_t kBaseOffset = 0;
inline constexpr size_t kBatchLength = 8;
inline constexpr size_t kPartitionLeaderEpoch = 12;
inline constexpr size_t kMagic = 16;
inline constexpr size_t kCrc = 17;
inline constexpr size_t kAttributes = 21;
inline constexpr size_t kLastOffsetDelta = 23;
inline constexpr size_t kBaseTimestamp = 27;
inline constexpr size_t kMaxTimestamp = 35;
inline constexpr size_t kProducerId = 43;
inline constexpr size_t kProducerEpoch = 51;
inline constexpr size_t kBaseSequence = 53;
inline constexpr size_t kRecordsCount = 57;
}  // namespace batch_offsets

enum class Compression : uint8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

namespace batch_attributes {
inline constexpr uint16_t kCompressionMask = 0x07;
inline constexpr uint16_t kTimestampTypeLogAppend = 0x08;
inline constexpr uint16_t kTransactional = 0x10;
inline constexpr uint16_t kControl = 0x20;
inline constexpr uint16_t kDeleteHorizon = 0x40;
}  // namespace batch_attributes

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = -1;
  int8_t magic = 2;
  uint32_t crc = 0;
  uint16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t records_count = 0;

  // Total bytes of the batch on disk / on the wire.
  size_t total_size() const { return kBatchLogOverhead + static_cast<size_t>(batch_length); }
  // (Wrapping arithmetic, so a corrupt header cannot cause overflow UB.)
  int64_t last_offset() const {
    return static_cast<int64_t>(static_cast<uint64_t>(base_offset) +
                                static_cast<uint64_t>(static_cast<int64_t>(last_offset_delta)));
  }
  int64_t next_offset() const {
    return static_cast<int64_t>(static_cast<uint64_t>(last_offset()) + 1);
  }
  Compression compression() const {
    return static_cast<Compression>(attributes & batch_attributes::kCompressionMask);
  }
  bool is_transactional() const { return attributes & batch_attributes::kTransactional; }
  bool is_control() const { return attributes & batch_attributes::kControl; }
  bool log_append_time() const { return attributes & batch_attributes::kTimestampTypeLogAppend; }
  bool has_producer_id() const { return producer_id >= 0; }
  // Sequence of the last record (sequences wrap at INT32_MAX like Kafka's).
  int32_t last_sequence() const;
};

// Parses the header at the start of `data`. REQUIRES: data.size() >= 61.
// Does not validate anything.
BatchHeader ParseBatchHeader(const void* data);

// Checks one complete batch: magic 2, batchLength consistent with `batch`'s
// size, lastOffsetDelta and recordsCount sane, CRC-32C correct. `batch` must
// be exactly one batch (use NextBatchSize to split a buffer).
absl::Status ValidateBatch(std::string_view batch);

// ValidateBatch without the CRC: for a caller that has just checked it.
absl::Status ValidateBatchStructure(std::string_view batch);

// Size of the batch that starts at `data` (kBatchLogOverhead + batchLength),
// or an error when fewer than 12 bytes remain, the length is negative, smaller
// than a header, or larger than `max_batch_size`. Does not require the whole
// batch to be present.
absl::StatusOr<size_t> NextBatchSize(std::string_view data, size_t max_batch_size);

// In-place field writers on raw batch bytes (outside the CRC unless stated).
void SetBaseOffset(void* batch, int64_t base_offset);
void SetPartitionLeaderEpoch(void* batch, int32_t epoch);
// Sets maxTimestamp to `timestamp_ms`, marks the batch LogAppendTime and
// recomputes the CRC. REQUIRES: `size` is the whole batch.
void StampLogAppendTime(void* batch, size_t size, int64_t timestamp_ms);
// Recomputes and stores the CRC of a whole batch.
void UpdateCrc(void* batch, size_t size);

}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_RECORDS_BATCH_HEADER_H_
