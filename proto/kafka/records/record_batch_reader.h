// Iterates the records of one Kafka RecordBatch v2, validating as it goes.
//
//   RecordBatchReader reader(options);          // reuse it: buffers are kept
//   RETURN_IF_ERROR(reader.Reset(batch_bytes));  // header, CRC, decompression
//   Record r;
//   while (reader.Next(&r)) { ... r.key, r.value, r.headers, r.offset ... }
//   RETURN_IF_ERROR(reader.status());            // OK at a clean end
//
// Uncompressed batches are read in place: the Record views point into the
// bytes given to Reset, which must outlive the iteration. Compressed batches
// are decompressed at Reset into a buffer owned by the reader (at most
// options.max_decompressed_bytes, reused across batches); views then point
// into that buffer and stay valid until the next Reset or the reader's
// destruction.
//
// Checks, all returning kDataLoss unless noted: the batch header (see
// ValidateBatch in batch_header.h: magic 2 (kInvalidArgument), length, count,
// CRC when options.verify_crc), a known codec, a decompressible payload within
// the size limit (kResourceExhausted beyond it), every record well formed
// (record.h), exactly recordsCount records with no bytes left over, and
// offset deltas strictly increasing within [0, lastOffsetDelta].
//
// A batch with no records and an empty payload (what log compaction leaves to
// keep a producer's state) is valid for any codec and yields nothing.
//
// Not thread-safe. Allocation: none for uncompressed batches; for compressed
// ones the decompression buffer grows to the largest batch seen and stays.
#ifndef GREGOR_PROTO_KAFKA_RECORDS_RECORD_BATCH_READER_H_
#define GREGOR_PROTO_KAFKA_RECORDS_RECORD_BATCH_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/records/compression.h"
#include "proto/kafka/records/record.h"

namespace gregor::kafka {

struct RecordBatchReaderOptions {
  // Upper bound on the decompressed records of one batch.
  size_t max_decompressed_bytes = 64 << 20;
  // Largest zstd window a compressed batch may use (see DecompressOptions).
  int zstd_max_window_log = 24;
  // Check the CRC-32C at Reset. Turn off only when the caller has just
  // validated the batch (e.g. BatchIterator with verify_crc).
  bool verify_crc = true;
};

class RecordBatchReader {
 public:
  explicit RecordBatchReader(RecordBatchReaderOptions options = {});

  RecordBatchReader(const RecordBatchReader&) = delete;
  RecordBatchReader& operator=(const RecordBatchReader&) = delete;

  // Starts reading `batch`, which must be exactly one whole batch. Validates
  // the header and CRC and decompresses the records if needed. On error the
  // reader yields no records and status() returns the same error.
  absl::Status Reset(std::string_view batch);

  // The parsed header of the current batch. REQUIRES: Reset succeeded.
  const BatchHeader& header() const { return header_; }

  // Reads the next record into `*record`. Returns false at the end of the
  // batch or on the first error; status() tells which.
  bool Next(Record* record);

  // OK while reading and at a clean end; the first error otherwise.
  const absl::Status& status() const { return status_; }

  // Reads (and so validates) every remaining record; returns status().
  absl::Status ValidateRemaining();

  // Records returned by Next since Reset.
  int32_t records_read() const { return records_read_; }
  // The (decompressed) records section of the current batch.
  std::string_view records_data() const { return records_; }
  // Bytes of the decompression buffer kept for reuse (0 if never used).
  size_t buffer_capacity() const { return buffer_.capacity(); }

 private:
  bool Fail(absl::Status s);

  RecordBatchReaderOptions options_;
  Decompressor decompressor_;
  std::string buffer_;
  BatchHeader header_;
  std::string_view records_;
  size_t pos_ = 0;
  int32_t records_read_ = 0;
  int64_t last_offset_delta_seen_ = -1;
  absl::Status status_ = absl::FailedPreconditionError("RecordBatchReader::Reset not called");
};

}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_RECORDS_RECORD_BATCH_READER_H_
