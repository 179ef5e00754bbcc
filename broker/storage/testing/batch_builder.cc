#include "broker/storage/testing/batch_builder.h"

#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "common/crc32c.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::storage::testing {

std::string BuildBatch(const BatchSpec& spec) {
  ByteWriter records;
  int64_t max_ts = spec.base_timestamp;
  for (size_t i = 0; i < spec.records.size(); ++i) {
    const TestRecord& r = spec.records[i];
    ByteWriter body;
    body.WriteInt8(0);
    body.WriteVarlong(r.timestamp_delta);
    body.WriteVarint(static_cast<int32_t>(i));
    if (r.key) {
      body.WriteVarint(static_cast<int32_t>(r.key->size()));
      body.WriteBytes(*r.key);
    } else {
      body.WriteVarint(-1);
    }
    if (r.value) {
      body.WriteVarint(static_cast<int32_t>(r.value->size()));
      body.WriteBytes(*r.value);
    } else {
      body.WriteVarint(-1);
    }
    body.WriteVarint(0);  // headers
    records.WriteVarint(static_cast<int32_t>(body.size()));
    records.WriteBytes(body.data());
    max_ts = std::max(max_ts, spec.base_timestamp + r.timestamp_delta);
  }
  uint16_t attrs = 0;
  if (spec.transactional) attrs |= kafka::batch_attributes::kTransactional;
  if (spec.control) attrs |= kafka::batch_attributes::kControl;
  int32_t last_delta = static_cast<int32_t>(spec.records.empty() ? 0 : spec.records.size() - 1) +
                       spec.extra_offset_delta;
  ByteWriter w;
  w.WriteInt64(spec.base_offset);
  w.WriteInt32(0);  // length, patched
  w.WriteInt32(spec.leader_epoch);
  w.WriteInt8(2);
  w.WriteUint32(0);  // crc, patched
  w.WriteUint16(attrs);
  w.WriteInt32(last_delta);
  w.WriteInt64(spec.base_timestamp);
  w.WriteInt64(max_ts);
  w.WriteInt64(spec.producer_id);
  w.WriteInt16(spec.producer_epoch);
  w.WriteInt32(spec.base_sequence);
  w.WriteInt32(static_cast<int32_t>(spec.records.size()));
  w.WriteBytes(records.data());
  w.PatchInt32(kafka::batch_offsets::kBatchLength,
               static_cast<int32_t>(w.size() - kafka::kBatchLogOverhead));
  std::string out = w.Release();
  kafka::UpdateCrc(out.data(), out.size());
  return out;
}

std::string MakeBatch(int64_t base_offset, int n, size_t value_bytes, int64_t base_timestamp) {
  BatchSpec spec;
  spec.base_offset = base_offset;
  spec.base_timestamp = base_timestamp;
  for (int i = 0; i < n; ++i) {
    std::string value(value_bytes, static_cast<char>('a' + (base_offset + i) % 26));
    spec.records.push_back({absl::StrCat("k", i), std::move(value), i});
  }
  return BuildBatch(spec);
}

std::string MakeControlBatch(int64_t base_offset, int64_t producer_id, int16_t producer_epoch,
                             bool commit, int64_t timestamp) {
  BatchSpec spec;
  spec.base_offset = base_offset;
  spec.base_timestamp = timestamp;
  spec.producer_id = producer_id;
  spec.producer_epoch = producer_epoch;
  spec.transactional = true;
  spec.control = true;
  // Control record key: version int16 0, type int16 (0 abort, 1 commit).
  std::string key(4, '\0');
  key[3] = commit ? 1 : 0;
  // Value: version int16 0, coordinator epoch int32.
  std::string value(6, '\0');
  spec.records.push_back({key, value, 0});
  return BuildBatch(spec);
}

}  // namespace gregor::storage::testing
