#include "common/bytes.h"

#include "absl/strings/str_cat.h"

namespace gregor {

absl::Status ByteReader::status() const {
  if (error_ == nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(error_, " at byte ", error_pos_));
}

double ByteReader::ReadFloat64() {
  uint64_t bits = ReadUint64();
  double v;
  std::memcpy(&v, &bits, sizeof(v));
  return v;
}

uint64_t ByteReader::ReadUnsignedVarlong() {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= end_) {
      Fail("unexpected end of data in varint");
      return 0;
    }
    uint8_t b = *pos_++;
    if (shift == 63 && (b & 0xFE) != 0) {
      Fail("varint overflows 64 bits");
      return 0;
    }
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return v;
  }
  Fail("varint longer than 10 bytes");
  return 0;
}

uint32_t ByteReader::ReadUnsignedVarint() {
  uint32_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (pos_ >= end_) {
      Fail("unexpected end of data in varint");
      return 0;
    }
    uint8_t b = *pos_++;
    if (shift == 28 && (b & 0xF0) != 0) {
      Fail("varint overflows 32 bits");
      return 0;
    }
    v |= static_cast<uint32_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return v;
  }
  Fail("varint longer than 5 bytes");
  return 0;
}

int32_t ByteReader::ReadVarint() { return UnZigZag32(ReadUnsignedVarint()); }
int64_t ByteReader::ReadVarlong() { return UnZigZag64(ReadUnsignedVarlong()); }

std::string_view ByteReader::ReadBytes(size_t n) {
  if (remaining() < n) {
    Fail("length past the end of data");
    return {};
  }
  std::string_view v(reinterpret_cast<const char*>(pos_), n);
  pos_ += n;
  return v;
}

void ByteWriter::WriteFloat64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(v));
  WriteUint64(bits);
}

void ByteWriter::WriteUnsignedVarlong(uint64_t v) {
  char tmp[10];
  size_t n = 0;
  while (v >= 0x80) {
    tmp[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  tmp[n++] = static_cast<char>(v);
  buf_.append(tmp, n);
}

void ByteWriter::WriteUnsignedVarint(uint32_t v) { WriteUnsignedVarlong(v); }
void ByteWriter::WriteVarint(int32_t v) { WriteUnsignedVarlong(ZigZag32(v)); }
void ByteWriter::WriteVarlong(int64_t v) { WriteUnsignedVarlong(ZigZag64(v)); }

void ByteWriter::PatchInt32(size_t pos, int32_t v) {
  StoreBE32(&buf_[pos], static_cast<uint32_t>(v));
}

size_t UnsignedVarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace gregor
