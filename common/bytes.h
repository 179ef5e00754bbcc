// Bounded big-endian byte reader and growable writer, with Kafka's varints
// (zigzag-signed and unsigned LEB128). Used by the Kafka codec, the record
// batch parser and the on-disk formats.
//
// ByteReader never reads past its end: the first failed read makes the reader
// "failed" (sticky), every later read returns 0/empty, and status() says what
// went wrong and where. Callers check ok() at loop boundaries and at the end.
// Not thread-safe; cheap to copy (it is a view).
#ifndef GREGOR_COMMON_BYTES_H_
#define GREGOR_COMMON_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace gregor {

class ByteReader {
 public:
  ByteReader() = default;
  ByteReader(const void* data, size_t size)
      : begin_(static_cast<const uint8_t*>(data)), pos_(begin_), end_(begin_ + size) {}
  explicit ByteReader(std::string_view s) : ByteReader(s.data(), s.size()) {}

  bool ok() const { return error_ == nullptr; }
  absl::Status status() const;
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  size_t position() const { return static_cast<size_t>(pos_ - begin_); }
  const uint8_t* current() const { return pos_; }

  // Marks the reader failed with `what` (kept if an error is already set).
  void Fail(const char* what) {
    if (error_ == nullptr) {
      error_ = what;
      error_pos_ = position();
    }
    pos_ = end_;
  }

  int8_t ReadInt8() { return static_cast<int8_t>(ReadBE<uint8_t>()); }
  uint8_t ReadUint8() { return ReadBE<uint8_t>(); }
  int16_t ReadInt16() { return static_cast<int16_t>(ReadBE<uint16_t>()); }
  uint16_t ReadUint16() { return ReadBE<uint16_t>(); }
  int32_t ReadInt32() { return static_cast<int32_t>(ReadBE<uint32_t>()); }
  uint32_t ReadUint32() { return ReadBE<uint32_t>(); }
  int64_t ReadInt64() { return static_cast<int64_t>(ReadBE<uint64_t>()); }
  uint64_t ReadUint64() { return ReadBE<uint64_t>(); }
  double ReadFloat64();

  // Unsigned LEB128, at most 5 bytes for 32 bits / 10 for 64 bits.
  uint32_t ReadUnsignedVarint();
  uint64_t ReadUnsignedVarlong();
  // Zigzag-encoded signed varints (Kafka record fields).
  int32_t ReadVarint();
  int64_t ReadVarlong();

  // Returns a view of the next `n` bytes (empty and failed if fewer remain).
  std::string_view ReadBytes(size_t n);
  // Skips `n` bytes.
  void Skip(size_t n) { (void)ReadBytes(n); }

 private:
  template <typename T>
  T ReadBE() {
    if (remaining() < sizeof(T)) {
      Fail("unexpected end of data");
      return 0;
    }
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | pos_[i]);
    pos_ += sizeof(T);
    return v;
  }

  const uint8_t* begin_ = nullptr;
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  const char* error_ = nullptr;
  size_t error_pos_ = 0;
};

// Appends big-endian values to an owned std::string.
class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(size_t reserve) { buf_.reserve(reserve); }

  void WriteInt8(int8_t v) { buf_.push_back(static_cast<char>(v)); }
  void WriteUint8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void WriteInt16(int16_t v) { WriteBE<uint16_t>(static_cast<uint16_t>(v)); }
  void WriteUint16(uint16_t v) { WriteBE<uint16_t>(v); }
  void WriteInt32(int32_t v) { WriteBE<uint32_t>(static_cast<uint32_t>(v)); }
  void WriteUint32(uint32_t v) { WriteBE<uint32_t>(v); }
  void WriteInt64(int64_t v) { WriteBE<uint64_t>(static_cast<uint64_t>(v)); }
  void WriteUint64(uint64_t v) { WriteBE<uint64_t>(v); }
  void WriteFloat64(double v);
  void WriteUnsignedVarint(uint32_t v);
  void WriteUnsignedVarlong(uint64_t v);
  void WriteVarint(int32_t v);
  void WriteVarlong(int64_t v);
  void WriteBytes(std::string_view s) { buf_.append(s.data(), s.size()); }
  void WriteBytes(const void* p, size_t n) { buf_.append(static_cast<const char*>(p), n); }

  // Overwrites 4 bytes at `pos` (for length prefixes and CRCs written last).
  void PatchInt32(size_t pos, int32_t v);
  void PatchUint32(size_t pos, uint32_t v) { PatchInt32(pos, static_cast<int32_t>(v)); }

  size_t size() const { return buf_.size(); }
  const std::string& data() const { return buf_; }
  std::string& mutable_data() { return buf_; }
  std::string Release() { return std::move(buf_); }

 private:
  template <typename T>
  void WriteBE(T v) {
    char tmp[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i) {
      tmp[i] = static_cast<char>((v >> (8 * (sizeof(T) - 1 - i))) & 0xFF);
    }
    buf_.append(tmp, sizeof(T));
  }

  std::string buf_;
};

// Sizes of encodings, for pre-computing lengths without writing.
size_t UnsignedVarintSize(uint64_t v);
inline uint32_t ZigZag32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
inline uint64_t ZigZag64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int32_t UnZigZag32(uint32_t v) { return static_cast<int32_t>((v >> 1) ^ -(v & 1)); }
inline int64_t UnZigZag64(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ -(v & 1)); }
inline size_t VarintSize(int32_t v) { return UnsignedVarintSize(ZigZag32(v)); }
inline size_t VarlongSize(int64_t v) { return UnsignedVarintSize(ZigZag64(v)); }

// Big-endian loads/stores on raw memory (no bounds checks).
inline uint32_t LoadBE32(const void* p) {
  const auto* b = static_cast<const uint8_t*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}
inline uint16_t LoadBE16(const void* p) {
  const auto* b = static_cast<const uint8_t*>(p);
  return static_cast<uint16_t>((b[0] << 8) | b[1]);
}
inline uint64_t LoadBE64(const void* p) {
  const auto* b = static_cast<const uint8_t*>(p);
  return (uint64_t{LoadBE32(b)} << 32) | LoadBE32(b + 4);
}
inline void StoreBE32(void* p, uint32_t v) {
  auto* b = static_cast<uint8_t*>(p);
  b[0] = static_cast<uint8_t>(v >> 24);
  b[1] = static_cast<uint8_t>(v >> 16);
  b[2] = static_cast<uint8_t>(v >> 8);
  b[3] = static_cast<uint8_t>(v);
}
inline void StoreBE16(void* p, uint16_t v) {
  auto* b = static_cast<uint8_t*>(p);
  b[0] = static_cast<uint8_t>(v >> 8);
  b[1] = static_cast<uint8_t>(v);
}
inline void StoreBE64(void* p, uint64_t v) {
  auto* b = static_cast<uint8_t*>(p);
  StoreBE32(b, static_cast<uint32_t>(v >> 32));
  StoreBE32(b + 4, static_cast<uint32_t>(v));
}

}  // namespace gregor

#endif  // GREGOR_COMMON_BYTES_H_
