// CreateAcls (key 30), v0-3. Gregor has no authorizer: every creation gets
// Kafka's SECURITY_DISABLED "No Authorizer is configured."
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_CREATE_ACLS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_CREATE_ACLS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "proto/kafka/messages/create_acls.h"

namespace gregor::broker {

class CreateAclsHandler : public Handler<kafka::CreateAclsRequest, kafka::CreateAclsResponse> {
 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::CreateAclsRequest req,
              Reply<kafka::CreateAclsResponse> reply) override;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_CREATE_ACLS_H_
