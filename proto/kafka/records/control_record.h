// Control records: the records of control batches (attribute bit 5), which
// clients never see as data. Transactions end with one control batch per
// partition holding a single end-transaction marker record:
//
//   key   = ControlRecordKey   { version int16 (0), type int16 }
//           type 0 = ABORT, 1 = COMMIT (KRaft also uses 2.. for its own
//           control records: leader change, snapshot header/footer, ...)
//   value = EndTxnMarker       { version int16 (0), coordinatorEpoch int32 }
//
// A control batch is transactional, carries the producer id and epoch of the
// transaction, baseSequence -1, and is written uncompressed, as Kafka's
// MemoryRecords.withEndTransactionMarker does.
//
// Parsing accepts newer key/value versions (their extra bytes are ignored),
// as Kafka does; a negative version or too few bytes is an error.
#ifndef GREGOR_PROTO_KAFKA_RECORDS_CONTROL_RECORD_H_
#define GREGOR_PROTO_KAFKA_RECORDS_CONTROL_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/kafka/records/record.h"

namespace gregor::kafka {

enum class ControlRecordType : int16_t {
  kAbort = 0,
  kCommit = 1,
  kLeaderChange = 2,
  kSnapshotHeader = 3,
  kSnapshotFooter = 4,
  kKraftVersion = 5,
  kKraftVoters = 6,
};

struct ControlRecordKey {
  int16_t version = 0;
  int16_t type = 0;  // a ControlRecordType value; unknown types are kept as is
};

// The 4-byte key of a control record.
std::string EncodeControlRecordKey(ControlRecordType type);
// Errors (kDataLoss): fewer than 4 bytes, negative version.
absl::StatusOr<ControlRecordKey> ParseControlRecordKey(std::string_view key);

struct EndTxnMarker {
  bool commit = false;  // false = abort
  int32_t coordinator_epoch = 0;

  friend bool operator==(const EndTxnMarker&, const EndTxnMarker&) = default;
};

// The 6-byte value of an end-transaction marker.
std::string EncodeEndTxnMarkerValue(int32_t coordinator_epoch);

// Parses the end-transaction marker held by `record` (a record of a control
// batch). Errors (kDataLoss): a null key or value, a bad key, a key whose type
// is neither ABORT nor COMMIT (kInvalidArgument), a value shorter than 6
// bytes or with a negative version.
absl::StatusOr<EndTxnMarker> ParseEndTxnMarker(const Record& record);

struct EndTxnMarkerBatchOptions {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int64_t base_offset = 0;
  int32_t partition_leader_epoch = -1;
  int64_t timestamp_ms = -1;
};

// A whole control batch holding one end-transaction marker.
absl::StatusOr<std::string> BuildEndTxnMarkerBatch(const EndTxnMarker& marker,
                                                   const EndTxnMarkerBatchOptions& options);

}  // namespace gregor::kafka

#endif  // GREGOR_PROTO_KAFKA_RECORDS_CONTROL_RECORD_H_
