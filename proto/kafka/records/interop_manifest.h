// The text manifest used by the interop tests with kafka-python and the Java
// client (testdata/README.md): one line per batch and per record, byte
// strings in hex with "=" before them ("-" = null). Test-only.
//
//   batch <baseOffset> <codec> <count> <producerId> <producerEpoch>
//         <baseSequence> <transactional> <control> <partitionLeaderEpoch>
//         <timestampType>
//   record <offset> <timestamp> <key> <value> <headerCount> [<hkey> <hvalue>]...
//   control <offset> <timestamp> COMMIT|ABORT <coordinatorEpoch>
#ifndef GREGOR_PROTO_KAFKA_RECORDS_INTEROP_MANIFEST_H_
#define GREGOR_PROTO_KAFKA_RECORDS_INTEROP_MANIFEST_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/records/record.h"
#include "proto/kafka/records/testing.h"

namespace gregor::kafka::records_testing {

// The manifest of a buffer of batches as Gregor reads it (BatchIterator with
// CRC checks, then RecordBatchReader on each batch).
absl::StatusOr<std::string> DescribeBatches(std::string_view data);

std::string BatchLine(const BatchHeader& h);
std::string RecordLine(const OwnedRecord& r);

// The record set shared with records_interop.py and RecordsInterop.java:
// record i of a batch (offset relative to the batch's base).
OwnedRecord InteropRecord(int i);

}  // namespace gregor::kafka::records_testing

#endif  // GREGOR_PROTO_KAFKA_RECORDS_INTEROP_MANIFEST_H_
