#include "broker/kafka/handlers/registry.h"

#include <memory>

#include "broker/kafka/handlers/api_versions.h"
#include "broker/kafka/handlers/fetch.h"
#include "broker/kafka/handlers/init_producer_id.h"
#include "broker/kafka/handlers/list_offsets.h"
#include "broker/kafka/handlers/offset_for_leader_epoch.h"
#include "broker/kafka/handlers/produce.h"

namespace gregor::broker {

void RegisterHandlers(Dispatcher* d, BrokerContext* ctx) {
  // Keep sorted by API key.
  d->Add(std::make_unique<ProduceHandler>(ctx));               // 0
  d->Add(std::make_unique<FetchHandler>(ctx));                 // 1
  d->Add(std::make_unique<ListOffsetsHandler>(ctx));           // 2
  d->Add(std::make_unique<ApiVersionsHandler>(d));             // 18
  d->Add(std::make_unique<InitProducerIdHandler>(ctx));        // 22
  d->Add(std::make_unique<OffsetForLeaderEpochHandler>(ctx));  // 23
}

}  // namespace gregor::broker
