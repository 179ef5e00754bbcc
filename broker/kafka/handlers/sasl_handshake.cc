#include "broker/kafka/handlers/sasl_handshake.h"

#include "absl/strings/match.h"
#include "broker/kafka/handlers/admin_util.h"

namespace gregor::broker {

void SaslHandshakeHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                  kafka::SaslHandshakeRequest req,
                                  Reply<kafka::SaslHandshakeResponse> reply) {
  (void)req;
  kafka::SaslHandshakeResponse resp;
  const std::string protocol = SecurityProtocolOf(*ctx_->config, ctx->conn.listener_name);
  resp.error_code = absl::StartsWith(protocol, "SASL_")
                        ? Code(kafka::ErrorCode::kUnsupportedSaslMechanism)
                        : Code(kafka::ErrorCode::kIllegalSaslState);
  reply.Send(resp);
}

}  // namespace gregor::broker
