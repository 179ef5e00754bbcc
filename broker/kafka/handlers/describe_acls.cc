#include "broker/kafka/handlers/describe_acls.h"

#include "broker/kafka/handlers/admin_util.h"

namespace gregor::broker {

void DescribeAclsHandler::Handle(const std::shared_ptr<RequestContext>& ctx, kafka::DescribeAclsRequest req,
                           Reply<kafka::DescribeAclsResponse> reply) {
  (void)ctx;
  (void)req;
  kafka::DescribeAclsResponse resp;
  resp.error_code = Code(kafka::ErrorCode::kSecurityDisabled);
  resp.error_message = std::string(kNoAuthorizer);
  reply.Send(resp);
}

}  // namespace gregor::broker
