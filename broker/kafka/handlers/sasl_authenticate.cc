#include "broker/kafka/handlers/sasl_authenticate.h"

#include "absl/strings/match.h"
#include "broker/kafka/handlers/admin_util.h"

namespace gregor::broker {

void SaslAuthenticateHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                     kafka::SaslAuthenticateRequest req,
                                     Reply<kafka::SaslAuthenticateResponse> reply) {
  (void)req;
  kafka::SaslAuthenticateResponse resp;
  resp.error_code = Code(kafka::ErrorCode::kIllegalSaslState);
  const std::string protocol = SecurityProtocolOf(*ctx_->config, ctx->conn.listener_name);
  resp.error_message = absl::StartsWith(protocol, "SASL_")
                           ? "SaslAuthenticate request received without a successful "
                             "SaslHandshake: no SASL mechanism is enabled"
                           : "SaslAuthenticate request received after successful authentication";
  reply.Send(resp);
}

}  // namespace gregor::broker
