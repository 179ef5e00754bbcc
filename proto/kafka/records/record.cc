#include "proto/kafka/records/record.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/bytes.h"

namespace gregor::kafka {
namespace {

// attributes, timestampDelta, offsetDelta, keyLength, valueLength, headerCount:
// one byte each at least.
constexpr int32_t kMinRecordBody = 6;

// Bounded LEB128 readers on raw pointers; on failure they return false and
// leave `p` unspecified. A 32-bit varint has at most 5 bytes, the 5th holding
// 4 bits; a 64-bit one at most 10, the 10th holding 1 bit.
inline bool ReadVarint32(const char*& p, const char* end, int32_t* out) {
  uint32_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (p == end) return false;
    uint8_t b = static_cast<uint8_t>(*p++);
    if (shift == 28 && (b & 0xF0) != 0) return false;
    v |= static_cast<uint32_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *out = UnZigZag32(v);
      return true;
    }
  }
  return false;
}

inline bool ReadVarint64(const char*& p, const char* end, int64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (p == end) return false;
    uint8_t b = static_cast<uint8_t>(*p++);
    if (shift == 63 && (b & 0xFE) != 0) return false;
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *out = UnZigZag64(v);
      return true;
    }
  }
  return false;
}

inline char* WriteUnsigned(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline char* WriteBytes(char* p, std::optional<std::string_view> b) {
  if (!b.has_value()) return WriteUnsigned(p, ZigZag32(-1));
  p = WriteUnsigned(p, ZigZag32(static_cast<int32_t>(b->size())));
  if (!b->empty()) std::memcpy(p, b->data(), b->size());
  return p + b->size();
}

inline size_t BytesSize(std::optional<std::string_view> b) {
  if (!b.has_value()) return 1;
  return VarintSize(static_cast<int32_t>(b->size())) + b->size();
}

absl::Status Bad(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("corrupt record: ", what));
}

// Reads nullable bytes (length -1 = null) bounded by `end`.
inline bool ReadNullableBytes(const char*& p, const char* end,
                              std::optional<std::string_view>* out) {
  int32_t len;
  if (!ReadVarint32(p, end, &len)) return false;
  if (len == -1) {
    out->reset();
    return true;
  }
  if (len < 0 || len > end - p) return false;
  *out = std::string_view(p, static_cast<size_t>(len));
  p += len;
  return true;
}

}  // namespace

void RecordHeaders::Iterator::Load() {
  if (left_ <= 0) return;
  // The bytes were validated by ParseRecord, so these reads cannot fail; the
  // clamps only keep a misused iterator inside its bytes.
  int32_t len = 0;
  if (!ReadVarint32(p_, end_, &len) || len < 0 || len > end_ - p_) len = 0;
  current_.key = std::string_view(p_, static_cast<size_t>(len));
  p_ += len;
  if (!ReadVarint32(p_, end_, &len) || len > end_ - p_) len = -1;
  if (len < 0) {
    current_.value.reset();
  } else {
    current_.value = std::string_view(p_, static_cast<size_t>(len));
    p_ += len;
  }
}

absl::Status ParseRecord(std::string_view data, Record* record, size_t* consumed) {
  const char* p = data.data();
  const char* end = p + data.size();
  int32_t len;
  if (!ReadVarint32(p, end, &len)) return Bad("bad length varint");
  if (len < kMinRecordBody) return Bad(absl::StrCat("length ", len, " is too small"));
  if (len > end - p) {
    return Bad(absl::StrCat("length ", len, " runs past the end (", end - p, " bytes left)"));
  }
  const char* body_end = p + len;
  record->attributes = static_cast<int8_t>(*p++);
  if (!ReadVarint64(p, body_end, &record->timestamp_delta)) return Bad("bad timestamp delta");
  if (!ReadVarint32(p, body_end, &record->offset_delta)) return Bad("bad offset delta");
  if (!ReadNullableBytes(p, body_end, &record->key)) return Bad("bad key length");
  if (!ReadNullableBytes(p, body_end, &record->value)) return Bad("bad value length");
  int32_t header_count;
  if (!ReadVarint32(p, body_end, &header_count)) return Bad("bad header count");
  // Each header takes at least two bytes (two one-byte lengths).
  if (header_count < 0 || header_count > (body_end - p) / 2) {
    return Bad(absl::StrCat("header count ", header_count, " does not fit the record"));
  }
  const char* headers_begin = p;
  for (int32_t i = 0; i < header_count; ++i) {
    int32_t key_len;
    if (!ReadVarint32(p, body_end, &key_len)) return Bad("bad header key length");
    if (key_len < 0) return Bad("null header key");
    if (key_len > body_end - p) return Bad("header key runs past the record");
    p += key_len;
    std::optional<std::string_view> value;
    if (!ReadNullableBytes(p, body_end, &value)) return Bad("bad header value length");
  }
  if (p != body_end) {
    return Bad(absl::StrCat("fields end ", body_end - p, " bytes before the record's length"));
  }
  record->headers =
      RecordHeaders(std::string_view(headers_begin, static_cast<size_t>(p - headers_begin)),
                    header_count);
  *consumed = static_cast<size_t>(body_end - data.data());
  record->size_bytes = *consumed;
  return absl::OkStatus();
}

namespace {

size_t BodySize(int64_t timestamp_delta, int32_t offset_delta,
                std::optional<std::string_view> key, std::optional<std::string_view> value,
                std::span<const RecordHeader> headers) {
  size_t n = 1 + VarlongSize(timestamp_delta) + VarintSize(offset_delta) + BytesSize(key) +
             BytesSize(value) + VarintSize(static_cast<int32_t>(headers.size()));
  for (const RecordHeader& h : headers) {
    n += BytesSize(h.key) + BytesSize(h.value);
  }
  return n;
}

}  // namespace

size_t EncodedRecordSize(int64_t timestamp_delta, int32_t offset_delta,
                         std::optional<std::string_view> key,
                         std::optional<std::string_view> value,
                         std::span<const RecordHeader> headers) {
  size_t body = BodySize(timestamp_delta, offset_delta, key, value, headers);
  return VarintSize(static_cast<int32_t>(body)) + body;
}

void AppendRecord(int64_t timestamp_delta, int32_t offset_delta,
                  std::optional<std::string_view> key, std::optional<std::string_view> value,
                  std::span<const RecordHeader> headers, std::string* out) {
  size_t body = BodySize(timestamp_delta, offset_delta, key, value, headers);
  size_t total = VarintSize(static_cast<int32_t>(body)) + body;
  size_t start = out->size();
  out->resize(start + total);
  char* p = out->data() + start;
  p = WriteUnsigned(p, ZigZag32(static_cast<int32_t>(body)));
  *p++ = 0;  // attributes
  p = WriteUnsigned(p, ZigZag64(timestamp_delta));
  p = WriteUnsigned(p, ZigZag32(offset_delta));
  p = WriteBytes(p, key);
  p = WriteBytes(p, value);
  p = WriteUnsigned(p, ZigZag32(static_cast<int32_t>(headers.size())));
  for (const RecordHeader& h : headers) {
    p = WriteBytes(p, h.key);
    p = WriteBytes(p, h.value);
  }
}

}  // namespace gregor::kafka
