#include "broker/kafka/handlers/create_acls.h"

#include "broker/kafka/handlers/admin_util.h"

namespace gregor::broker {

void CreateAclsHandler::Handle(const std::shared_ptr<RequestContext>& ctx, kafka::CreateAclsRequest req,
                           Reply<kafka::CreateAclsResponse> reply) {
  (void)ctx;
  kafka::CreateAclsResponse resp;
  for (size_t i = 0; i < req.creations.size(); ++i) {
    kafka::CreateAclsResponse::AclCreationResult r;
    r.error_code = Code(kafka::ErrorCode::kSecurityDisabled);
    r.error_message = std::string(kNoAuthorizer);
    resp.results.push_back(std::move(r));
  }
  reply.Send(resp);
}

}  // namespace gregor::broker
