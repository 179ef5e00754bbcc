// Test helpers for record batches: hand-made batches around arbitrary record
// bytes (for corruption tests) and a plain-struct record for comparisons.
// Test-only.
#ifndef GREGOR_PROTO_KAFKA_RECORDS_TESTING_H_
#define GREGOR_PROTO_KAFKA_RECORDS_TESTING_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/kafka/records/record.h"

namespace gregor::kafka::records_testing {

// An owned copy of a record, comparable in tests.
struct OwnedRecord {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;

  friend bool operator==(const OwnedRecord&, const OwnedRecord&) = default;
};

OwnedRecord Own(const Record& r);
std::ostream& operator<<(std::ostream& os, const OwnedRecord& r);

// A batch header (baseOffset 0, CreateTime, no producer) followed by
// `records_section` verbatim, with a correct CRC.
std::string RawBatch(std::string_view records_section, int32_t records_count,
                     int32_t last_offset_delta, uint16_t attributes = 0,
                     int64_t base_timestamp = 1000);

}  // namespace gregor::kafka::records_testing

#endif  // GREGOR_PROTO_KAFKA_RECORDS_TESTING_H_
