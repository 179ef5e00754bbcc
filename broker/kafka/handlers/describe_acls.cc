#include "broker/kafka/handlers/describe_acls.h"

#include "broker/kafka/handlers/admin_util.h"

namespace gregor::broker {
namespace {

// What Kafka 4.1.1 says to DescribeAcls without an authorizer (CreateAcls and
// DeleteAcls say kNoAuthorizer).
constexpr std::string_view kNoAuthorizerOnBroker = "No Authorizer is configured on the broker";

}  // namespace

void DescribeAclsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                 kafka::DescribeAclsRequest req,
                                 Reply<kafka::DescribeAclsResponse> reply) {
  (void)ctx;
  (void)req;
  kafka::DescribeAclsResponse resp;
  resp.error_code = Code(kafka::ErrorCode::kSecurityDisabled);
  resp.error_message = std::string(kNoAuthorizerOnBroker);
  reply.Send(resp);
}

}  // namespace gregor::broker
