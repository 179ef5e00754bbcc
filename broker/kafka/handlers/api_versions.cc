#include "broker/kafka/handlers/api_versions.h"

#include <algorithm>
#include <cctype>

namespace gregor::broker {
namespace {
constexpr int16_t kInvalidRequest = 42;
}  // namespace

bool ValidClientSoftwareField(const std::string& s) {
  if (s.empty()) return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || c == '-' || c == '.'; });
}

void ApiVersionsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                kafka::ApiVersionsRequest req,
                                Reply<kafka::ApiVersionsResponse> reply) {
  kafka::ApiVersionsResponse resp;
  if (reply.version() >= 3 && (!ValidClientSoftwareField(req.client_software_name) ||
                               !ValidClientSoftwareField(req.client_software_version))) {
    resp.error_code = kInvalidRequest;
    reply.Send(resp);
    return;
  }
  for (const auto& h : dispatcher_->handlers()) {
    kafka::ApiVersionsResponse::ApiVersion v;
    v.api_key = h->api_key();
    v.min_version = h->min_version();
    v.max_version = h->max_version();
    resp.api_keys.push_back(v);
  }
  std::sort(resp.api_keys.begin(), resp.api_keys.end(),
            [](const auto& a, const auto& b) { return a.api_key < b.api_key; });
  reply.Send(resp);
}

}  // namespace gregor::broker
