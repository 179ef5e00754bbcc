#include "broker/group/batch_codec.h"

#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::broker::group {

absl::StatusOr<std::string> UncompressedBatchEncoder::Encode(
    const std::vector<CoordinatorRecord>& records, int64_t timestamp_ms) const {
  if (records.empty()) return absl::InvalidArgumentError("empty batch");
  ByteWriter w(kafka::kBatchHeaderSize + 64 * records.size());
  w.WriteInt64(0);   // baseOffset
  w.WriteInt32(0);   // batchLength, patched below
  w.WriteInt32(-1);  // partitionLeaderEpoch
  w.WriteInt8(2);    // magic
  w.WriteUint32(0);  // crc, computed below
  w.WriteInt16(0);   // attributes: no compression, CreateTime
  w.WriteInt32(static_cast<int32_t>(records.size() - 1));  // lastOffsetDelta
  w.WriteInt64(timestamp_ms);  // baseTimestamp
  w.WriteInt64(timestamp_ms);  // maxTimestamp
  w.WriteInt64(-1);  // producerId
  w.WriteInt16(-1);  // producerEpoch
  w.WriteInt32(-1);  // baseSequence
  w.WriteInt32(static_cast<int32_t>(records.size()));
  for (size_t i = 0; i < records.size(); ++i) {
    const CoordinatorRecord& r = records[i];
    ByteWriter body;
    body.WriteInt8(0);     // attributes
    body.WriteVarlong(0);  // timestampDelta
    body.WriteVarint(static_cast<int32_t>(i));  // offsetDelta
    body.WriteVarint(static_cast<int32_t>(r.key.size()));
    body.WriteBytes(r.key);
    if (r.value) {
      body.WriteVarint(static_cast<int32_t>(r.value->size()));
      body.WriteBytes(*r.value);
    } else {
      body.WriteVarint(-1);
    }
    body.WriteVarint(0);  // headers
    w.WriteVarint(static_cast<int32_t>(body.size()));
    w.WriteBytes(body.data());
    if (w.size() > max_batch_bytes_) {
      return absl::InvalidArgumentError(
          absl::StrCat("coordinator batch over ", max_batch_bytes_, " bytes"));
    }
  }
  std::string batch = w.Release();
  StoreBE32(batch.data() + kafka::batch_offsets::kBatchLength,
            static_cast<uint32_t>(batch.size() - kafka::kBatchLogOverhead));
  kafka::UpdateCrc(batch.data(), batch.size());
  return batch;
}

absl::StatusOr<std::vector<CoordinatorRecord>> DecodeUncompressedBatch(std::string_view batch) {
  if (absl::Status s = kafka::ValidateBatch(batch); !s.ok()) {
    return absl::DataLossError(absl::StrCat("coordinator batch: ", s.message()));
  }
  kafka::BatchHeader h = kafka::ParseBatchHeader(batch.data());
  if (h.compression() != kafka::Compression::kNone) {
    return absl::UnimplementedError("compressed coordinator batches are not supported yet");
  }
  ByteReader r(batch.substr(kafka::kBatchHeaderSize));
  std::vector<CoordinatorRecord> out;
  for (int32_t i = 0; i < h.records_count && r.ok(); ++i) {
    int32_t len = r.ReadVarint();
    if (len < 0 || static_cast<size_t>(len) > r.remaining()) {
      return absl::DataLossError("coordinator batch: bad record length");
    }
    ByteReader rec(r.ReadBytes(static_cast<size_t>(len)));
    (void)rec.ReadInt8();     // attributes
    (void)rec.ReadVarlong();  // timestampDelta
    (void)rec.ReadVarint();   // offsetDelta
    int32_t key_len = rec.ReadVarint();
    if (key_len < 0 || static_cast<size_t>(key_len) > rec.remaining()) {
      return absl::DataLossError("coordinator batch: record without a key");
    }
    CoordinatorRecord cr;
    cr.key = std::string(rec.ReadBytes(static_cast<size_t>(key_len)));
    int32_t value_len = rec.ReadVarint();
    if (value_len >= 0) {
      if (static_cast<size_t>(value_len) > rec.remaining()) {
        return absl::DataLossError("coordinator batch: bad value length");
      }
      cr.value = std::string(rec.ReadBytes(static_cast<size_t>(value_len)));
    }
    (void)rec.ReadVarint();  // headers (the coordinator writes none)
    if (!rec.ok()) return absl::DataLossError("coordinator batch: truncated record");
    out.push_back(std::move(cr));
  }
  if (!r.ok() || r.remaining() != 0) return absl::DataLossError("coordinator batch: bad records");
  return out;
}

}  // namespace gregor::broker::group
