#include "proto/kafka/records/testing.h"

#include "common/bytes.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::kafka::records_testing {

OwnedRecord Own(const Record& r) {
  OwnedRecord o;
  o.offset = r.offset;
  o.timestamp = r.timestamp;
  if (r.key) o.key = std::string(*r.key);
  if (r.value) o.value = std::string(*r.value);
  for (const RecordHeader& h : r.headers) {
    std::optional<std::string> v;
    if (h.value) v = std::string(*h.value);
    o.headers.emplace_back(std::string(h.key), v);
  }
  return o;
}

namespace {
void PrintBytes(std::ostream& os, const std::optional<std::string>& b) {
  if (!b) {
    os << "null";
  } else if (b->size() > 40) {
    os << '"' << b->substr(0, 40) << "...\"(" << b->size() << ")";
  } else {
    os << '"' << *b << '"';
  }
}
}  // namespace

std::ostream& operator<<(std::ostream& os, const OwnedRecord& r) {
  os << "{offset " << r.offset << ", ts " << r.timestamp << ", key ";
  PrintBytes(os, r.key);
  os << ", value ";
  PrintBytes(os, r.value);
  os << ", headers [";
  for (const auto& [k, v] : r.headers) {
    os << k << "=";
    PrintBytes(os, v);
    os << " ";
  }
  return os << "]}";
}

std::string RawBatch(std::string_view records_section, int32_t records_count,
                     int32_t last_offset_delta, uint16_t attributes, int64_t base_timestamp) {
  ByteWriter w;
  w.WriteInt64(0);
  w.WriteInt32(static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead + records_section.size()));
  w.WriteInt32(-1);
  w.WriteInt8(2);
  w.WriteUint32(0);
  w.WriteUint16(attributes);
  w.WriteInt32(last_offset_delta);
  w.WriteInt64(base_timestamp);
  w.WriteInt64(base_timestamp);
  w.WriteInt64(-1);
  w.WriteInt16(-1);
  w.WriteInt32(-1);
  w.WriteInt32(records_count);
  w.WriteBytes(records_section);
  std::string b = w.Release();
  UpdateCrc(b.data(), b.size());
  return b;
}

}  // namespace gregor::kafka::records_testing
