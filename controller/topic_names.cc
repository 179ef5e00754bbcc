#include "controller/topic_names.h"

#include "absl/strings/str_cat.h"

namespace gregor::controller {
namespace {

bool IsLegalChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

ApiError ValidateTopicName(std::string_view name) {
  const std::string n(name);
  if (name.empty()) {
    return MakeError(KafkaError::kInvalidTopicException, "Topic name is illegal, it can't be empty");
  }
  if (name == "." || name == "..") {
    return MakeError(KafkaError::kInvalidTopicException, "Topic name cannot be \".\" or \"..\"");
  }
  if (name.size() > kMaxTopicNameLength) {
    return MakeError(KafkaError::kInvalidTopicException,
                     absl::StrCat("Topic name is illegal, it can't be longer than ", kMaxTopicNameLength,
                                  " characters, topic name: ", n));
  }
  for (char c : name) {
    if (!IsLegalChar(c)) {
      return MakeError(KafkaError::kInvalidTopicException,
                       absl::StrCat("Topic name \"", n,
                                    "\" is illegal, it contains a character other than ASCII "
                                    "alphanumerics, '.', '_' and '-'"));
    }
  }
  return ApiError::None();
}

}  // namespace gregor::controller
