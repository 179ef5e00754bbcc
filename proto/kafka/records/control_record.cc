#include "proto/kafka/records/control_record.h"

#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "proto/kafka/records/record_batch_builder.h"

namespace gregor::kafka {
namespace {

constexpr size_t kControlKeySize = 4;
constexpr size_t kEndTxnMarkerValueSize = 6;

}  // namespace

std::string EncodeControlRecordKey(ControlRecordType type) {
  std::string key(kControlKeySize, '\0');
  StoreBE16(key.data(), 0);
  StoreBE16(key.data() + 2, static_cast<uint16_t>(type));
  return key;
}

absl::StatusOr<ControlRecordKey> ParseControlRecordKey(std::string_view key) {
  if (key.size() < kControlKeySize) {
    return absl::DataLossError(absl::StrCat("control record key of ", key.size(), " bytes"));
  }
  ControlRecordKey k;
  k.version = static_cast<int16_t>(LoadBE16(key.data()));
  k.type = static_cast<int16_t>(LoadBE16(key.data() + 2));
  if (k.version < 0) {
    return absl::DataLossError(absl::StrCat("control record key version ", k.version));
  }
  return k;
}

std::string EncodeEndTxnMarkerValue(int32_t coordinator_epoch) {
  std::string value(kEndTxnMarkerValueSize, '\0');
  StoreBE16(value.data(), 0);
  StoreBE32(value.data() + 2, static_cast<uint32_t>(coordinator_epoch));
  return value;
}

absl::StatusOr<EndTxnMarker> ParseEndTxnMarker(const Record& record) {
  if (!record.key.has_value()) return absl::DataLossError("control record without a key");
  absl::StatusOr<ControlRecordKey> key = ParseControlRecordKey(*record.key);
  if (!key.ok()) return key.status();
  if (key->type != static_cast<int16_t>(ControlRecordType::kAbort) &&
      key->type != static_cast<int16_t>(ControlRecordType::kCommit)) {
    return absl::InvalidArgumentError(
        absl::StrCat("control record type ", key->type, " is not a transaction marker"));
  }
  if (!record.value.has_value() || record.value->size() < kEndTxnMarkerValueSize) {
    return absl::DataLossError("end transaction marker value too short");
  }
  int16_t version = static_cast<int16_t>(LoadBE16(record.value->data()));
  if (version < 0) {
    return absl::DataLossError(absl::StrCat("end transaction marker version ", version));
  }
  EndTxnMarker m;
  m.commit = key->type == static_cast<int16_t>(ControlRecordType::kCommit);
  m.coordinator_epoch = static_cast<int32_t>(LoadBE32(record.value->data() + 2));
  return m;
}

absl::StatusOr<std::string> BuildEndTxnMarkerBatch(const EndTxnMarker& marker,
                                                   const EndTxnMarkerBatchOptions& options) {
  RecordBatchBuilderOptions b;
  b.base_offset = options.base_offset;
  b.partition_leader_epoch = options.partition_leader_epoch;
  b.producer_id = options.producer_id;
  b.producer_epoch = options.producer_epoch;
  b.base_sequence = -1;
  b.transactional = true;
  b.control = true;
  RecordBatchBuilder builder(b);
  std::string key =
      EncodeControlRecordKey(marker.commit ? ControlRecordType::kCommit : ControlRecordType::kAbort);
  std::string value = EncodeEndTxnMarkerValue(marker.coordinator_epoch);
  absl::Status s = builder.Append(options.timestamp_ms, key, value);
  if (!s.ok()) return s;
  return builder.Build();
}

}  // namespace gregor::kafka
