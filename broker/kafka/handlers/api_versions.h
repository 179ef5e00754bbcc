// ApiVersions (key 18): the API keys and version ranges this broker serves,
// derived from the handler list the dispatcher routes with.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_API_VERSIONS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_API_VERSIONS_H_

#include <functional>
#include <memory>
#include <vector>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/dispatcher.h"
#include "proto/kafka/messages/api_versions.h"

namespace gregor::broker {

class ApiVersionsHandler
    : public Handler<kafka::ApiVersionsRequest, kafka::ApiVersionsResponse> {
 public:
  // Advertises every handler of `dispatcher` (read on each request).
  explicit ApiVersionsHandler(const Dispatcher* dispatcher) : dispatcher_(dispatcher) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::ApiVersionsRequest req,
              Reply<kafka::ApiVersionsResponse> reply) override;

 private:
  const Dispatcher* dispatcher_;
};

// True when `s` is a valid client software name/version (KIP-511):
// [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
bool ValidClientSoftwareField(const std::string& s);

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_API_VERSIONS_H_
