#include "proto/kafka/errors.h"

namespace gregor::kafka {

const ErrorInfo kErrors[] = {
#define GREGOR_KAFKA_ERROR_INFO_(code, name, cpp, message) {ErrorCode::k##cpp, #name, message},
    GREGOR_KAFKA_ERROR_CODES(GREGOR_KAFKA_ERROR_INFO_)
#undef GREGOR_KAFKA_ERROR_INFO_
};
const int kErrorCount = static_cast<int>(sizeof(kErrors) / sizeof(kErrors[0]));

const ErrorInfo* FindError(int16_t code) {
  // The codes are dense from -1 (errors_test checks it).
  int index = code + 1;
  if (index < 0 || index >= kErrorCount) return nullptr;
  return &kErrors[index];
}

std::string_view ErrorName(ErrorCode code) {
  const ErrorInfo* e = FindError(ToWire(code));
  return e == nullptr ? "UNKNOWN_ERROR_CODE" : e->name;
}

std::string_view ErrorMessage(ErrorCode code) {
  const ErrorInfo* e = FindError(ToWire(code));
  return e == nullptr ? "" : e->message;
}

}  // namespace gregor::kafka
