#include "broker/kafka/handlers/admin_util.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "broker/replica/replica_manager.h"

namespace gregor::broker {

bool IsInternalTopic(std::string_view topic) {
  return topic == kConsumerOffsetsTopic || topic == kTransactionStateTopic;
}

std::optional<std::string> InvalidTopicNameReason(std::string_view topic) {
  if (topic.empty()) return "Topic name is illegal: it is empty.";
  if (topic == "." || topic == "..") return "Topic name cannot be \".\" or \"..\".";
  if (topic.size() > kMaxTopicNameLength) {
    return absl::StrCat("Topic name is illegal: it is longer than ", kMaxTopicNameLength,
                        " characters, topic name: ", std::string(topic));
  }
  for (char c : topic) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return absl::StrCat("Topic name \"", std::string(topic),
                          "\" is illegal: it contains a character other than ASCII "
                          "alphanumerics, '.', '_' and '-'.");
    }
  }
  return std::nullopt;
}

std::string SecurityProtocolOf(const BrokerConfig& config, const std::string& listener) {
  for (const Listener& l : config.listeners) {
    if (l.name == listener) return l.security_protocol;
  }
  return "PLAINTEXT";
}

std::string ControllerUnavailableMessage(const absl::Status& status) {
  return absl::StrCat("No controller answered in time: ", status.message());
}

ErrorFields FromController(const controllerpb::Error& error) {
  ErrorFields out;
  out.code = static_cast<int16_t>(error.code());
  if (error.code() != 0 && !error.message().empty()) out.message = error.message();
  return out;
}

bool WaitForImage(const ReplicaManager& replicas, std::chrono::milliseconds timeout,
                  const std::function<bool(const metadata::MetadataImage&)>& ready) {
  timeout = std::clamp(timeout, std::chrono::milliseconds(0), kMaxMetadataWait);
  const int64_t polls = timeout / kMetadataPollInterval;
  for (int64_t i = 0;; ++i) {
    if (ready(*replicas.image())) return true;
    if (i >= polls) return false;
    std::this_thread::sleep_for(kMetadataPollInterval);
  }
}

}  // namespace gregor::broker
