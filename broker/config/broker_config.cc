#include "broker/config/broker_config.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace gregor::broker {
namespace {

bool IsProtocol(const std::string& s) {
  return s == "PLAINTEXT" || s == "SSL" || s == "SASL_PLAINTEXT" || s == "SASL_SSL";
}

}  // namespace

absl::StatusOr<std::vector<Listener>> ParseListeners(const std::string& spec,
                                                     const std::string& protocol_map) {
  std::map<std::string, std::string> protocols;
  for (absl::string_view entry : absl::StrSplit(protocol_map, ',', absl::SkipWhitespace())) {
    std::vector<std::string> kv = absl::StrSplit(entry, ':');
    if (kv.size() != 2 || !IsProtocol(kv[1])) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad listener.security.protocol.map entry '", std::string(entry), "'"));
    }
    protocols[kv[0]] = kv[1];
  }
  std::vector<Listener> out;
  for (absl::string_view item : absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
    std::string s(absl::StripAsciiWhitespace(item));
    size_t sep = s.find("://");
    if (sep == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("listener '", s, "' is not NAME://host:port"));
    }
    Listener l;
    l.name = s.substr(0, sep);
    std::string hostport = s.substr(sep + 3);
    size_t colon = hostport.rfind(':');
    if (colon == std::string::npos || !absl::SimpleAtoi(hostport.substr(colon + 1), &l.port) ||
        l.port < 0 || l.port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("listener '", s, "' has no valid port"));
    }
    l.host = hostport.substr(0, colon);
    if (l.host.size() >= 2 && l.host.front() == '[' && l.host.back() == ']') {
      l.host = l.host.substr(1, l.host.size() - 2);
    }
    auto it = protocols.find(l.name);
    if (it != protocols.end()) {
      l.security_protocol = it->second;
    } else if (IsProtocol(l.name)) {
      l.security_protocol = l.name;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "listener name '", l.name, "' has no entry in listener.security.protocol.map"));
    }
    for (const Listener& o : out) {
      if (o.name == l.name) {
        return absl::InvalidArgumentError(absl::StrCat("listener name '", l.name, "' used twice"));
      }
    }
    out.push_back(std::move(l));
  }
  return out;
}

const Listener* BrokerConfig::AdvertisedFor(const std::string& listener_name) const {
  for (const Listener& l : advertised_listeners) {
    if (l.name == listener_name) return &l;
  }
  return nullptr;
}

}  // namespace gregor::broker
