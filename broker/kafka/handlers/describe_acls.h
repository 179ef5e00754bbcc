// DescribeAcls (key 29), v0-3. Gregor has no authorizer (every client may
// do everything, as a Kafka broker without authorizer.class.name): the answer
// is Kafka's SECURITY_DISABLED "No Authorizer is configured on the broker"
// (CreateAcls and DeleteAcls: "No Authorizer is configured.")
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_ACLS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_ACLS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "proto/kafka/messages/describe_acls.h"

namespace gregor::broker {

class DescribeAclsHandler : public Handler<kafka::DescribeAclsRequest, kafka::DescribeAclsResponse> {
 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::DescribeAclsRequest req,
              Reply<kafka::DescribeAclsResponse> reply) override;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_ACLS_H_
