#include "common/ui/peer_fetch.h"

#include <future>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace gregor::ui {

absl::StatusOr<PeerFacts> FetchPeerFacts(const std::string& address,
                                         std::chrono::milliseconds timeout) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(absl::string_view(address).substr(colon + 1), &port) || port <= 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("peer address \"", address, "\" is not host:port"));
  }
  httplib::Client client(address.substr(0, colon), port);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
  client.set_connection_timeout(seconds.count(), micros.count());
  client.set_read_timeout(seconds.count(), micros.count());
  client.set_write_timeout(seconds.count(), micros.count());
  httplib::Result res = client.Get(kPeerFactsPath);
  if (!res) {
    return absl::UnavailableError(
        absl::StrCat("GET http://", address, kPeerFactsPath, ": ", httplib::to_string(res.error())));
  }
  if (res->status != 200) {
    return absl::UnavailableError(
        absl::StrCat("GET http://", address, kPeerFactsPath, ": HTTP ", res->status));
  }
  return PeerFactsFromJson(res->body);
}

int MergeFactsFromPeers(ClusterView* view, std::chrono::milliseconds timeout) {
  std::vector<std::future<absl::StatusOr<PeerFacts>>> asks;
  for (const BrokerView& b : view->brokers) {
    if (asks.size() >= kMaxPeersAsked) break;
    if (b.fenced || b.http_address.empty() || b.id.value() == view->served_by) continue;
    asks.push_back(std::async(std::launch::async, [address = b.http_address, timeout] {
      return FetchPeerFacts(address, timeout);
    }));
  }
  int answered = 0;
  for (auto& f : asks) {
    absl::StatusOr<PeerFacts> facts = f.get();
    if (!facts.ok()) continue;
    ++answered;
    MergePeerFacts(*facts, view);
  }
  FillGroupLogEnds(view);
  return answered;
}

}  // namespace gregor::ui
