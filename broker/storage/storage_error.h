// Storage errors the Kafka gateway maps to Kafka error codes. Each is an
// absl::Status with a canonical code and a payload naming the storage error,
// so callers can tell OFFSET_OUT_OF_RANGE from a CRC failure without
// parsing messages. Every other status from the storage engine (I/O errors)
// maps to KAFKA_STORAGE_ERROR.
#ifndef GREGOR_BROKER_STORAGE_STORAGE_ERROR_H_
#define GREGOR_BROKER_STORAGE_STORAGE_ERROR_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace gregor::storage {

enum class StorageError {
  kOffsetOutOfRange,        // OFFSET_OUT_OF_RANGE (1): read/delete outside the log
  kCorruptMessage,          // CORRUPT_MESSAGE (2): bad CRC, length or magic in a batch
  kMessageTooLarge,         // MESSAGE_TOO_LARGE (10): batch above max.message.bytes
  kRecordListTooLarge,      // RECORD_LIST_TOO_LARGE (18): append larger than a segment
  kInvalidRecord,           // INVALID_RECORD (87): header fields inconsistent
  kUnexpectedAppendOffset,  // follower batches do not continue the log
  kLogClosed,               // the log was closed or deleted
  kLogFailed,               // an earlier I/O error took the log offline (KAFKA_STORAGE_ERROR)
  kTruncated,               // a durability wait was cut off by a truncation
};

absl::Status MakeStorageError(StorageError error, absl::string_view message);
// The storage error carried by `status`, if any.
std::optional<StorageError> GetStorageError(const absl::Status& status);
const char* StorageErrorName(StorageError error);

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_STORAGE_ERROR_H_
