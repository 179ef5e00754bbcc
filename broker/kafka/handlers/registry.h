// The one list of Kafka APIs this broker serves. ApiVersions advertises
// exactly these handlers with their version ranges.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_REGISTRY_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_REGISTRY_H_

#include "broker/kafka/broker_context.h"
#include "broker/kafka/dispatcher.h"

namespace gregor::broker {

// Adds every handler to `dispatcher`. `ctx` must outlive the dispatcher.
void RegisterHandlers(Dispatcher* dispatcher, BrokerContext* ctx);

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_REGISTRY_H_
