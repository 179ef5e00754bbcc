#include "broker/kafka/handlers/delete_acls.h"

#include "broker/kafka/handlers/admin_util.h"

namespace gregor::broker {

void DeleteAclsHandler::Handle(const std::shared_ptr<RequestContext>& ctx, kafka::DeleteAclsRequest req,
                           Reply<kafka::DeleteAclsResponse> reply) {
  (void)ctx;
  kafka::DeleteAclsResponse resp;
  for (size_t i = 0; i < req.filters.size(); ++i) {
    kafka::DeleteAclsResponse::DeleteAclsFilterResult r;
    r.error_code = Code(kafka::ErrorCode::kSecurityDisabled);
    r.error_message = std::string(kNoAuthorizer);
    resp.filter_results.push_back(std::move(r));
  }
  reply.Send(resp);
}

}  // namespace gregor::broker
