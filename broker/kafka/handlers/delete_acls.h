// DeleteAcls (key 31), v0-3. Gregor has no authorizer: every filter gets
// Kafka's SECURITY_DISABLED "No Authorizer is configured." and matches
// nothing.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_DELETE_ACLS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_DELETE_ACLS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "proto/kafka/messages/delete_acls.h"

namespace gregor::broker {

class DeleteAclsHandler : public Handler<kafka::DeleteAclsRequest, kafka::DeleteAclsResponse> {
 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::DeleteAclsRequest req,
              Reply<kafka::DeleteAclsResponse> reply) override;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_DELETE_ACLS_H_
