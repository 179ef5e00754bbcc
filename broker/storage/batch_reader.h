// Sequential reader of the record batches in a segment file, with a
// read-ahead buffer so that walking small batches costs one pread per buffer
// rather than one per batch. Used by recovery (whole batches, CRC checked),
// index rebuilds and offset lookups (headers only), and the cleaner.
// Not thread-safe; cheap to create.
#ifndef GREGOR_BROKER_STORAGE_BATCH_READER_H_
#define GREGOR_BROKER_STORAGE_BATCH_READER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "broker/storage/env.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::storage {

struct BatchAt {
  kafka::BatchHeader header;
  uint64_t position;  // of the batch in the file
  // The whole batch when it was asked for (valid until the next call).
  std::string_view bytes;
  uint64_t end() const { return position + header.total_size(); }
};

class BatchReader {
 public:
  // Reads [start, end) of `file`. Batches larger than `max_batch_bytes` are
  // reported as corrupt.
  BatchReader(File* file, uint64_t start, uint64_t end, size_t max_batch_bytes,
              size_t read_ahead_bytes = 16 << 10);

  // The next batch, or nullopt at `end`. Errors:
  //   DataLoss  - what follows is not a whole, well-formed batch: fewer bytes
  //               than a batch header or its length says, a length below a
  //               header's, a length above the limit, magic other than 2, or
  //               (with `whole`) an invalid batch (ValidateBatch: CRC ...).
  //   other     - I/O errors.
  // With `whole` the batch bytes are read and checked; otherwise only the
  // header is read and the reader skips the body.
  absl::StatusOr<std::optional<BatchAt>> Next(bool whole);

  // Position of the next batch to read (the first byte not yet consumed).
  uint64_t position() const { return pos_; }

 private:
  // Makes bytes [pos_, pos_ + n) available in buf_; returns false (and sets
  // the count available) when the range end comes first.
  absl::StatusOr<size_t> Fill(size_t n);

  File* file_;
  uint64_t pos_;
  const uint64_t end_;
  const size_t max_batch_bytes_;
  const size_t read_ahead_;
  std::string buf_;
  uint64_t buf_pos_ = 0;  // file position of buf_[0]
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_BATCH_READER_H_
