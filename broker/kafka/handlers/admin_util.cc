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
  const std::string name(topic);
  if (topic.empty()) return "Topic name is invalid: the empty string is not allowed";
  if (topic == "." || topic == "..") {
    return absl::StrCat("Topic name is invalid: '", name, "' is not allowed");
  }
  if (topic.size() > kMaxTopicNameLength) {
    return absl::StrCat("Topic name is invalid: the length of '", name,
                        "' is longer than the max allowed length ", kMaxTopicNameLength);
  }
  for (char c : topic) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return absl::StrCat("Topic name is invalid: '", name,
                          "' contains one or more characters other than ASCII alphanumerics, "
                          "'.', '_' and '-'");
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
