// Building blocks of the generated Kafka message codec: how strings, bytes,
// records, arrays, UUIDs and tagged fields look on the wire in classic and
// flexible ("compact") versions. The generated code (proto/kafka/messages/)
// calls these; nothing here knows about any particular message.
//
// Readers follow ByteReader's sticky-error model: on bad input they mark the
// reader failed and return; nothing reads past the end, and no allocation is
// sized by a claimed length or count larger than the bytes that remain.
#ifndef GREGOR_PROTO_KAFKA_WIRE_CODEC_H_
#define GREGOR_PROTO_KAFKA_WIRE_CODEC_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/uuid.h"
#include "proto/kafka/record_set.h"
#include "proto/kafka/wire_writer.h"

namespace gregor::kafka {

// A tagged field the codec does not know (kept so it survives a decode and
// re-encode unchanged).
struct TaggedField {
  uint32_t tag = 0;
  std::string data;
  friend bool operator==(const TaggedField&, const TaggedField&) = default;
};
using TaggedFields = std::vector<TaggedField>;

namespace wire {

// ---- Reading ---------------------------------------------------------------

inline bool ReadBool(ByteReader& r) { return r.ReadUint8() != 0; }

inline Uuid ReadUuid(ByteReader& r) {
  uint64_t hi = r.ReadUint64();
  uint64_t lo = r.ReadUint64();
  return Uuid(hi, lo);
}

// Length of a string (int16 or compact) or bytes (int32 or compact) field:
// -1 for null, otherwise a length that fits in what remains. Marks the reader
// failed on a negative length other than -1 or a length past the end.
int64_t ReadLength(ByteReader& r, bool compact, bool int16_length);

// Non-nullable string: null is an error.
void ReadString(ByteReader& r, bool compact, std::string* out);
// String that is nullable when `nullable` (the field's nullability in this
// version); null in a non-nullable version is an error.
void ReadNullableString(ByteReader& r, bool compact, bool nullable, std::optional<std::string>* out);
void ReadBytes(ByteReader& r, bool compact, std::string* out);
void ReadNullableBytes(ByteReader& r, bool compact, bool nullable, std::optional<std::string>* out);
// Records: a view into the reader's buffer (no copy).
void ReadRecords(ByteReader& r, bool compact, bool nullable, Records* out);

// Element count of an array: -1 for null, else a count that can fit in what
// remains given that every element takes at least `min_element_size` (>= 1)
// bytes. Marks the reader failed otherwise.
int64_t ReadArrayCount(ByteReader& r, bool compact, size_t min_element_size);

// Memory reserved for an array ahead of decoding its elements; beyond this
// the vector grows with the elements actually decoded, so a count that the
// bytes could back in theory but do not (garbage after it) costs no more.
inline constexpr size_t kMaxArrayReserveBytes = 64 * 1024;

// Reads `n` elements with `read_one(T&)`. Memory grows only with elements
// actually decoded (n was checked against the remaining bytes).
template <typename T, typename ReadOne>
void ReadElements(ByteReader& r, int64_t n, std::vector<T>* out, ReadOne&& read_one) {
  out->clear();
  constexpr int64_t kMaxReserve = std::max<int64_t>(1, kMaxArrayReserveBytes / sizeof(T));
  out->reserve(static_cast<size_t>(std::min(n, kMaxReserve)));
  for (int64_t i = 0; i < n && r.ok(); ++i) read_one(out->emplace_back());
}

template <typename T, typename ReadOne>
void ReadArray(ByteReader& r, bool compact, size_t min_element_size, std::vector<T>* out,
               ReadOne&& read_one) {
  int64_t n = ReadArrayCount(r, compact, min_element_size);
  if (n < 0) {
    if (r.ok()) r.Fail("null array in a non-nullable field");
    return;
  }
  ReadElements(r, n, out, read_one);
}

template <typename T, typename ReadOne>
void ReadNullableArray(ByteReader& r, bool compact, bool nullable, size_t min_element_size,
                       std::optional<std::vector<T>>* out, ReadOne&& read_one) {
  int64_t n = ReadArrayCount(r, compact, min_element_size);
  if (!r.ok()) return;
  if (n < 0) {
    if (!nullable) {
      r.Fail("null array in a non-nullable field");
      return;
    }
    out->reset();
    return;
  }
  ReadElements(r, n, &out->emplace(), read_one);
}

// Nullable struct marker: int8, negative for null.
inline bool ReadStructPresent(ByteReader& r) { return r.ReadInt8() >= 0; }
// Inside a tagged field the marker is an unsigned varint, 0 for null.
inline bool ReadTaggedStructPresent(ByteReader& r) { return r.ReadUnsignedVarint() > 0; }

// Reads the tagged-field section of a flexible struct. `known(tag, sub)`
// decodes a tag it knows from `sub` (exactly the field's bytes) and returns
// true, or returns false to keep the field in `unknown`.
template <typename Known>
void ReadTaggedFields(ByteReader& r, TaggedFields* unknown, Known&& known) {
  uint32_t n = r.ReadUnsignedVarint();
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    uint32_t tag = r.ReadUnsignedVarint();
    uint32_t size = r.ReadUnsignedVarint();
    std::string_view data = r.ReadBytes(size);
    if (!r.ok()) return;
    ByteReader sub(data);
    if (known(tag, sub)) {
      if (!sub.ok()) {
        r.Fail("malformed tagged field");
      } else if (sub.remaining() != 0) {
        r.Fail("tagged field longer than its value");
      }
    } else {
      unknown->push_back(TaggedField{tag, std::string(data)});
    }
  }
}

// The error for a version outside a message's range.
absl::Status UnsupportedVersion(std::string_view message, int16_t version);
void FailUnsupportedVersion(WireWriter& w, std::string_view message, int16_t version);
// OK, or `r`'s error prefixed with the message name and version.
absl::Status DecodeStatus(const ByteReader& r, std::string_view message, int16_t version);

// ---- Writing ---------------------------------------------------------------

// Non-nullable string. Fails the writer when a non-compact string exceeds
// 32767 bytes.
void WriteString(WireWriter& w, bool compact, std::string_view s);
// Nullable-typed string; a null value in a version where the field is not
// nullable fails the writer.
void WriteNullableString(WireWriter& w, bool compact, bool nullable,
                         const std::optional<std::string>& s);
void WriteBytes(WireWriter& w, bool compact, std::string_view b);
void WriteNullableBytes(WireWriter& w, bool compact, bool nullable,
                        const std::optional<std::string>& b);
void WriteRecords(WireWriter& w, bool compact, bool nullable, const Records& records);
void WriteArrayCount(WireWriter& w, bool compact, size_t n);
void WriteNullArray(WireWriter& w, bool compact);

template <typename T, typename WriteOne>
void WriteArray(WireWriter& w, bool compact, const std::vector<T>& v, WriteOne&& write_one) {
  WriteArrayCount(w, compact, v.size());
  for (const T& e : v) write_one(e);
}

template <typename T, typename WriteOne>
void WriteNullableArray(WireWriter& w, bool compact, bool nullable,
                        const std::optional<std::vector<T>>& v, WriteOne&& write_one) {
  if (!v.has_value()) {
    if (!nullable) w.Fail("null array in a non-nullable field");
    WriteNullArray(w, compact);
    return;
  }
  WriteArray(w, compact, *v, write_one);
}

// Writes a tagged-field section: known fields (in ascending tag order, as
// the generated code calls Write) merged with the unknown ones kept from a
// decode, which are written in their stored order around the known ones.
class TaggedFieldsWriter {
 public:
  // `known_count`: how many known fields the caller will Write().
  TaggedFieldsWriter(WireWriter& w, const TaggedFields& unknown, size_t known_count)
      : w_(w), unknown_(unknown) {
    w_.WriteUnsignedVarint(static_cast<uint32_t>(known_count + unknown.size()));
  }
  // Writes one known field whose value was encoded into `value`.
  void Write(uint32_t tag, WireWriter&& value) {
    FlushUnknownBelow(tag);
    w_.WriteUnsignedVarint(tag);
    w_.WriteUnsignedVarint(static_cast<uint32_t>(value.size()));
    w_.Append(std::move(value));
  }
  // Writes the unknown fields not written yet.
  void Finish() { FlushUnknownBelow(UINT32_MAX, /*inclusive=*/true); }

 private:
  void FlushUnknownBelow(uint32_t tag, bool inclusive = false) {
    while (next_ < unknown_.size() &&
           (unknown_[next_].tag < tag || (inclusive && unknown_[next_].tag == tag))) {
      const TaggedField& f = unknown_[next_++];
      w_.WriteUnsignedVarint(f.tag);
      w_.WriteUnsignedVarint(static_cast<uint32_t>(f.data.size()));
      w_.WriteRaw(f.data);
    }
  }

  WireWriter& w_;
  const TaggedFields& unknown_;
  size_t next_ = 0;
};

}  // namespace wire
}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_WIRE_CODEC_H_
