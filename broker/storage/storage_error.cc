#include "broker/storage/storage_error.h"

#include "absl/strings/cord.h"

namespace gregor::storage {
namespace {

constexpr char kPayloadUrl[] = "gregor.storage.StorageError";

absl::StatusCode CodeFor(StorageError e) {
  switch (e) {
    case StorageError::kOffsetOutOfRange:
      return absl::StatusCode::kOutOfRange;
    case StorageError::kCorruptMessage:
      return absl::StatusCode::kDataLoss;
    case StorageError::kMessageTooLarge:
    case StorageError::kRecordListTooLarge:
    case StorageError::kInvalidRecord:
      return absl::StatusCode::kInvalidArgument;
    case StorageError::kUnexpectedAppendOffset:
      return absl::StatusCode::kFailedPrecondition;
    case StorageError::kLogClosed:
    case StorageError::kLogFailed:
      return absl::StatusCode::kUnavailable;
    case StorageError::kTruncated:
      return absl::StatusCode::kAborted;
  }
  return absl::StatusCode::kInternal;
}

}  // namespace

const char* StorageErrorName(StorageError e) {
  switch (e) {
    case StorageError::kOffsetOutOfRange:
      return "OFFSET_OUT_OF_RANGE";
    case StorageError::kCorruptMessage:
      return "CORRUPT_MESSAGE";
    case StorageError::kMessageTooLarge:
      return "MESSAGE_TOO_LARGE";
    case StorageError::kRecordListTooLarge:
      return "RECORD_LIST_TOO_LARGE";
    case StorageError::kInvalidRecord:
      return "INVALID_RECORD";
    case StorageError::kUnexpectedAppendOffset:
      return "UNEXPECTED_APPEND_OFFSET";
    case StorageError::kLogClosed:
      return "LOG_CLOSED";
    case StorageError::kLogFailed:
      return "KAFKA_STORAGE_ERROR";
    case StorageError::kTruncated:
      return "TRUNCATED";
  }
  return "UNKNOWN";
}

absl::Status MakeStorageError(StorageError error, absl::string_view message) {
  absl::Status s(CodeFor(error), message);
  s.SetPayload(kPayloadUrl, absl::Cord(StorageErrorName(error)));
  return s;
}

std::optional<StorageError> GetStorageError(const absl::Status& status) {
  absl::optional<absl::Cord> p = status.GetPayload(kPayloadUrl);
  if (!p.has_value()) return std::nullopt;
  std::string name(*p);
  for (StorageError e :
       {StorageError::kOffsetOutOfRange, StorageError::kCorruptMessage,
        StorageError::kMessageTooLarge, StorageError::kRecordListTooLarge,
        StorageError::kInvalidRecord, StorageError::kUnexpectedAppendOffset,
        StorageError::kLogClosed, StorageError::kLogFailed, StorageError::kTruncated}) {
    if (name == StorageErrorName(e)) return e;
  }
  return std::nullopt;
}

}  // namespace gregor::storage
