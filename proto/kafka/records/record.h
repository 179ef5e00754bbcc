// One record inside a Kafka RecordBatch v2, as zero-copy views:
//
//   length           varint   bytes after this field
//   attributes       int8     unused (0)
//   timestampDelta   varlong  relative to the batch's baseTimestamp
//   offsetDelta      varint   relative to the batch's baseOffset
//   keyLength        varint   -1 = null key
//   key              bytes
//   valueLength      varint   -1 = null value
//   value            bytes
//   headerCount      varint
//   headers          headerCount x { keyLength varint (>= 0), key bytes (UTF-8),
//                                     valueLength varint (-1 = null), value bytes }
//
// (varint/varlong are zigzag-encoded LEB128, as in protobuf's sint32/sint64.)
//
// ParseRecord validates one record completely (every length in bounds, the
// body consumed exactly), so iterating a parsed record's headers afterwards
// cannot fail. All views point into the caller's buffer.
#ifndef GREGOR_PROTO_KAFKA_RECORDS_RECORD_H_
#define GREGOR_PROTO_KAFKA_RECORDS_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace gregor::kafka {

// A record header: a non-null key and a nullable value.
struct RecordHeader {
  std::string_view key;
  std::optional<std::string_view> value;

  friend bool operator==(const RecordHeader&, const RecordHeader&) = default;
};

// The headers of a parsed record, iterated lazily without allocation.
// REQUIRES: built by ParseRecord (the bytes are known to be well formed).
class RecordHeaders {
 public:
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = RecordHeader;
    using difference_type = std::ptrdiff_t;
    using pointer = const RecordHeader*;
    using reference = const RecordHeader&;

    Iterator() = default;
    const RecordHeader& operator*() const { return current_; }
    const RecordHeader* operator->() const { return &current_; }
    Iterator& operator++() {
      --left_;
      Load();
      return *this;
    }
    bool operator==(const Iterator& o) const { return left_ == o.left_; }

   private:
    friend class RecordHeaders;
    Iterator(const char* p, const char* end, int32_t left) : p_(p), end_(end), left_(left) {
      Load();
    }
    void Load();

    const char* p_ = nullptr;
    const char* end_ = nullptr;
    int32_t left_ = 0;
    RecordHeader current_;
  };

  RecordHeaders() = default;
  RecordHeaders(std::string_view raw, int32_t count) : raw_(raw), count_(count) {}

  int32_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  Iterator begin() const { return Iterator(raw_.data(), raw_.data() + raw_.size(), count_); }
  Iterator end() const { return Iterator(); }
  // The encoded header entries (without the count).
  std::string_view raw() const { return raw_; }

 private:
  std::string_view raw_;
  int32_t count_ = 0;
};

// A parsed record. Views point into the batch (or its decompressed records).
struct Record {
  int8_t attributes = 0;
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  RecordHeaders headers;
  // Encoded size including the leading length varint.
  size_t size_bytes = 0;

  // Absolute values, filled in by RecordBatchReader from the batch header:
  // offset = baseOffset + offsetDelta; timestamp = baseTimestamp +
  // timestampDelta, or the batch's maxTimestamp for LogAppendTime batches.
  int64_t offset = 0;
  int64_t timestamp = 0;
};

// Parses the record at the start of `data`. On success `*consumed` is its
// encoded size. Errors (kDataLoss): bad varint, length past the end, a
// negative key/value length other than -1, a negative header count or a
// null header key, a body that is not consumed exactly by its fields.
absl::Status ParseRecord(std::string_view data, Record* record, size_t* consumed);

// Encoded size of a record with these fields, including the length varint.
size_t EncodedRecordSize(int64_t timestamp_delta, int32_t offset_delta,
                         std::optional<std::string_view> key,
                         std::optional<std::string_view> value,
                         std::span<const RecordHeader> headers);

// Appends the encoded record to `*out`.
// REQUIRES: key, value and every header key/value are shorter than 2^31 bytes
// and there are fewer than 2^31 headers (RecordBatchBuilder checks this).
void AppendRecord(int64_t timestamp_delta, int32_t offset_delta,
                  std::optional<std::string_view> key, std::optional<std::string_view> value,
                  std::span<const RecordHeader> headers, std::string* out);

}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_RECORDS_RECORD_H_
