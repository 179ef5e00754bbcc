#include "proto/kafka/wire_codec.h"

#include "absl/strings/str_cat.h"

namespace gregor::kafka::wire {

int64_t ReadLength(ByteReader& r, bool compact, bool int16_length) {
  int64_t n;
  if (compact) {
    n = static_cast<int64_t>(r.ReadUnsignedVarint()) - 1;
  } else if (int16_length) {
    n = r.ReadInt16();
  } else {
    n = r.ReadInt32();
  }
  if (!r.ok()) return -1;
  if (n < -1) {
    r.Fail("negative length");
    return -1;
  }
  if (n > static_cast<int64_t>(r.remaining())) {
    r.Fail("length past the end of data");
    return -1;
  }
  return n;
}

void ReadString(ByteReader& r, bool compact, std::string* out) {
  int64_t n = ReadLength(r, compact, /*int16_length=*/true);
  if (n < 0) {
    if (r.ok()) r.Fail("null string in a non-nullable field");
    return;
  }
  std::string_view v = r.ReadBytes(static_cast<size_t>(n));
  out->assign(v.data(), v.size());
}

void ReadNullableString(ByteReader& r, bool compact, bool nullable, std::optional<std::string>* out) {
  int64_t n = ReadLength(r, compact, /*int16_length=*/true);
  if (!r.ok()) return;
  if (n < 0) {
    if (!nullable) {
      r.Fail("null string in a non-nullable field");
      return;
    }
    out->reset();
    return;
  }
  std::string_view v = r.ReadBytes(static_cast<size_t>(n));
  out->emplace(v.data(), v.size());
}

void ReadBytes(ByteReader& r, bool compact, std::string* out) {
  int64_t n = ReadLength(r, compact, /*int16_length=*/false);
  if (n < 0) {
    if (r.ok()) r.Fail("null bytes in a non-nullable field");
    return;
  }
  std::string_view v = r.ReadBytes(static_cast<size_t>(n));
  out->assign(v.data(), v.size());
}

void ReadNullableBytes(ByteReader& r, bool compact, bool nullable, std::optional<std::string>* out) {
  int64_t n = ReadLength(r, compact, /*int16_length=*/false);
  if (!r.ok()) return;
  if (n < 0) {
    if (!nullable) {
      r.Fail("null bytes in a non-nullable field");
      return;
    }
    out->reset();
    return;
  }
  std::string_view v = r.ReadBytes(static_cast<size_t>(n));
  out->emplace(v.data(), v.size());
}

void ReadRecords(ByteReader& r, bool compact, bool nullable, Records* out) {
  int64_t n = ReadLength(r, compact, /*int16_length=*/false);
  if (!r.ok()) return;
  if (n < 0) {
    if (!nullable) {
      r.Fail("null records in a non-nullable field");
      return;
    }
    *out = Records();
    return;
  }
  *out = Records::View(r.ReadBytes(static_cast<size_t>(n)));
}

int64_t ReadArrayCount(ByteReader& r, bool compact, size_t min_element_size) {
  int64_t n = compact ? static_cast<int64_t>(r.ReadUnsignedVarint()) - 1 : r.ReadInt32();
  if (!r.ok()) return -1;
  if (n < -1) {
    r.Fail("negative array count");
    return -1;
  }
  if (n > 0 && static_cast<uint64_t>(n) > r.remaining() / std::max<size_t>(min_element_size, 1)) {
    r.Fail("array count larger than the remaining bytes can hold");
    return -1;
  }
  return n;
}

absl::Status UnsupportedVersion(std::string_view message, int16_t version) {
  return absl::InvalidArgumentError(
      absl::StrCat(absl::string_view(message.data(), message.size()), ": unsupported version ", version));
}

void FailUnsupportedVersion(WireWriter& w, std::string_view message, int16_t version) {
  w.Fail(std::string(UnsupportedVersion(message, version).message()));
}

absl::Status DecodeStatus(const ByteReader& r, std::string_view message, int16_t version) {
  if (r.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(absl::string_view(message.data(), message.size()),
                                                 " v", version, ": ", r.status().message()));
}

namespace {

void WriteLength(WireWriter& w, bool compact, bool int16_length, int64_t n) {
  if (compact) {
    w.WriteUnsignedVarint(static_cast<uint32_t>(n + 1));
  } else if (int16_length) {
    w.WriteInt16(static_cast<int16_t>(n));
  } else {
    w.WriteInt32(static_cast<int32_t>(n));
  }
}

constexpr size_t kMaxInt16String = 0x7FFF;
constexpr size_t kMaxCompactLength = 0xFFFFFFFEu;
constexpr size_t kMaxInt32Length = 0x7FFFFFFF;

bool CheckLength(WireWriter& w, bool compact, bool int16_length, size_t n) {
  size_t max = compact ? kMaxCompactLength : (int16_length ? kMaxInt16String : kMaxInt32Length);
  if (n > max) {
    w.Fail(int16_length ? "string too long for its wire encoding" : "bytes too long for the wire");
    return false;
  }
  return true;
}

}  // namespace

void WriteString(WireWriter& w, bool compact, std::string_view s) {
  if (!CheckLength(w, compact, true, s.size())) {
    WriteLength(w, compact, true, 0);
    return;
  }
  WriteLength(w, compact, true, static_cast<int64_t>(s.size()));
  w.WriteRaw(s);
}

void WriteNullableString(WireWriter& w, bool compact, bool nullable,
                         const std::optional<std::string>& s) {
  if (!s.has_value()) {
    if (!nullable) w.Fail("null string in a non-nullable field");
    WriteLength(w, compact, true, -1);
    return;
  }
  WriteString(w, compact, *s);
}

void WriteBytes(WireWriter& w, bool compact, std::string_view b) {
  if (!CheckLength(w, compact, false, b.size())) {
    WriteLength(w, compact, false, 0);
    return;
  }
  WriteLength(w, compact, false, static_cast<int64_t>(b.size()));
  w.WriteRaw(b);
}

void WriteNullableBytes(WireWriter& w, bool compact, bool nullable,
                        const std::optional<std::string>& b) {
  if (!b.has_value()) {
    if (!nullable) w.Fail("null bytes in a non-nullable field");
    WriteLength(w, compact, false, -1);
    return;
  }
  WriteBytes(w, compact, *b);
}

void WriteRecords(WireWriter& w, bool compact, bool nullable, const Records& records) {
  if (records.is_null()) {
    if (!nullable) w.Fail("null records in a non-nullable field");
    WriteLength(w, compact, false, -1);
    return;
  }
  if (!CheckLength(w, compact, false, static_cast<size_t>(records.size()))) {
    WriteLength(w, compact, false, 0);
    return;
  }
  WriteLength(w, compact, false, records.size());
  w.AppendRecords(records);
}

void WriteArrayCount(WireWriter& w, bool compact, size_t n) {
  if (n > kMaxInt32Length) w.Fail("array too long for the wire");
  WriteLength(w, compact, false, static_cast<int64_t>(n));
}

void WriteNullArray(WireWriter& w, bool compact) { WriteLength(w, compact, false, -1); }

}  // namespace gregor::kafka::wire
