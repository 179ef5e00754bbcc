#include "broker/kafka/handlers/registry.h"

#include <memory>

#include "broker/kafka/handlers/api_versions.h"

namespace gregor::broker {

void RegisterHandlers(Dispatcher* d, BrokerContext* ctx) {
  (void)ctx;
  // Keep sorted by API key.
  d->Add(std::make_unique<ApiVersionsHandler>(d));  // 18
}

}  // namespace gregor::broker
