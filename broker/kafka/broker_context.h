// What Kafka API handlers can reach: the broker's configuration and its
// components. Owned by the broker (broker/broker_server.h); handlers hold a
// pointer. Every component is thread-safe.
#ifndef GREGOR_BROKER_KAFKA_BROKER_CONTEXT_H_
#define GREGOR_BROKER_KAFKA_BROKER_CONTEXT_H_

#include <memory>
#include <string>

#include "broker/config/broker_config.h"
#include "common/clock.h"
#include "common/metadata/image.h"
#include "common/metrics/metrics.h"
#include "common/thread_pool.h"

namespace gregor::controller::client {
class ControllerClient;
}
namespace gregor::broker::group {
class GroupCoordinator;
}

namespace gregor::broker {

class ReplicaManager;
class FetchSessionCache;
class ProducerIdManager;

struct BrokerContext {
  const BrokerConfig* config = nullptr;
  Clock* clock = nullptr;
  metrics::Registry* metrics = nullptr;
  // Partitions hosted here and the current metadata image (image()).
  ReplicaManager* replicas = nullptr;
  // Blocking client of the controller quorum: call it only from
  // `blocking_pool`, never on an event loop.
  controller::client::ControllerClient* controller = nullptr;
  ThreadPool* blocking_pool = nullptr;
  group::GroupCoordinator* groups = nullptr;
  FetchSessionCache* fetch_sessions = nullptr;
  ProducerIdManager* producer_ids = nullptr;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_BROKER_CONTEXT_H_
