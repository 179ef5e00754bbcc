#include "broker/kafka/handlers/registry.h"

#include <memory>

#include "broker/kafka/handlers/api_versions.h"
#include "broker/kafka/handlers/create_partitions.h"
#include "broker/kafka/handlers/create_topics.h"
#include "broker/kafka/handlers/delete_topics.h"
#include "broker/kafka/handlers/describe_cluster.h"
#include "broker/kafka/handlers/describe_topic_partitions.h"
#include "broker/kafka/handlers/fetch.h"
#include "broker/kafka/handlers/init_producer_id.h"
#include "broker/kafka/handlers/list_offsets.h"
#include "broker/kafka/handlers/metadata.h"
#include "broker/kafka/handlers/offset_for_leader_epoch.h"
#include "broker/kafka/handlers/produce.h"

namespace gregor::broker {

void RegisterHandlers(Dispatcher* d, BrokerContext* ctx) {
  // Keep sorted by API key.
  d->Add(std::make_unique<ProduceHandler>(ctx));                  // 0
  d->Add(std::make_unique<FetchHandler>(ctx));                    // 1
  d->Add(std::make_unique<ListOffsetsHandler>(ctx));              // 2
  d->Add(std::make_unique<MetadataHandler>(ctx));                 // 3
  d->Add(std::make_unique<ApiVersionsHandler>(d));                // 18
  d->Add(std::make_unique<CreateTopicsHandler>(ctx));             // 19
  d->Add(std::make_unique<DeleteTopicsHandler>(ctx));             // 20
  d->Add(std::make_unique<InitProducerIdHandler>(ctx));           // 22
  d->Add(std::make_unique<OffsetForLeaderEpochHandler>(ctx));     // 23
  d->Add(std::make_unique<CreatePartitionsHandler>(ctx));         // 37
  d->Add(std::make_unique<DescribeClusterHandler>(ctx));          // 60
  d->Add(std::make_unique<DescribeTopicPartitionsHandler>(ctx));  // 75
}

}  // namespace gregor::broker
