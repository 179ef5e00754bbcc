#include "broker/storage/topic_partition.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gregor::storage {

std::string TopicPartition::DirName() const { return absl::StrCat(topic, "-", partition); }

std::optional<TopicPartition> TopicPartition::FromDirName(std::string_view name) {
  size_t dash = name.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size()) return std::nullopt;
  std::string_view num = name.substr(dash + 1);
  for (char c : num) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int32_t p;
  if (!absl::SimpleAtoi(absl::string_view(num.data(), num.size()), &p) || p < 0) {
    return std::nullopt;
  }
  std::string_view topic = name.substr(0, dash);
  if (!IsLegalTopicName(topic)) return std::nullopt;
  return TopicPartition{std::string(topic), p};
}

bool IsLegalTopicName(std::string_view topic) {
  if (topic.empty() || topic.size() > 249 || topic == "." || topic == "..") return false;
  for (char c : topic) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace gregor::storage
