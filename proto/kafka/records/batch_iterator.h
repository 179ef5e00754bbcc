// Splits a buffer of concatenated record batches — a Produce request's
// `records` field, a Fetch response's records, a region of a log segment —
// into whole batches, validating each one (batch_header.h: length, magic 2,
// count vs lastOffsetDelta, CRC-32C).
//
//   BatchIterator it(bytes, {.verify_crc = true});
//   std::string_view batch;
//   while (it.Next(&batch)) { ... it.header() ... }
//   RETURN_IF_ERROR(it.status());
//
// valid_bytes() is the length of the prefix made of good batches, which is
// where log recovery truncates a segment. With allow_truncated_tail an
// incomplete last batch (a Fetch response cut at max_bytes, a torn write at
// the end of a segment) ends the iteration without error and sets
// truncated_tail(); a complete batch that fails validation is always an error.
//
// Errors: kDataLoss (short or inconsistent lengths, bad CRC, trailing bytes),
// kInvalidArgument (magic other than 2), kOutOfRange (a batch larger than
// max_batch_bytes). The iterator never reads outside `data` and allocates
// nothing. Not thread-safe.
#ifndef GREGOR_PROTO_KAFKA_RECORDS_BATCH_ITERATOR_H_
#define GREGOR_PROTO_KAFKA_RECORDS_BATCH_ITERATOR_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::kafka {

struct BatchIteratorOptions {
  // Largest batch accepted (Kafka's message.max.bytes is a per-batch limit).
  size_t max_batch_bytes = 64 << 20;
  bool verify_crc = true;
  // Stop quietly at an incomplete batch at the end instead of failing.
  bool allow_truncated_tail = false;
};

class BatchIterator {
 public:
  explicit BatchIterator(std::string_view data, BatchIteratorOptions options = {})
      : data_(data), options_(options) {}

  // Sets `*batch` to the next whole, validated batch. Returns false at the end
  // of the data or on the first error (see status()).
  bool Next(std::string_view* batch);

  // Header of the batch last returned by Next.
  const BatchHeader& header() const { return header_; }
  const absl::Status& status() const { return status_; }
  // Bytes of the data covered by the batches returned so far.
  size_t valid_bytes() const { return pos_; }
  // True when Next stopped at an incomplete batch (allow_truncated_tail only).
  bool truncated_tail() const { return truncated_tail_; }
  // Batches returned so far.
  int64_t batch_count() const { return batch_count_; }

 private:
  bool Fail(absl::Status s) {
    status_ = std::move(s);
    return false;
  }

  std::string_view data_;
  BatchIteratorOptions options_;
  size_t pos_ = 0;
  int64_t batch_count_ = 0;
  bool truncated_tail_ = false;
  BatchHeader header_;
  absl::Status status_;
};

// All batches of `data`, or the first error.
absl::StatusOr<std::vector<std::string_view>> SplitBatches(std::string_view data,
                                                           const BatchIteratorOptions& options = {});

}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_RECORDS_BATCH_ITERATOR_H_
