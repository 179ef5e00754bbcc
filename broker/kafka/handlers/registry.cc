#include "broker/kafka/handlers/registry.h"

#include <memory>

#include "broker/kafka/handlers/alter_configs.h"
#include "broker/kafka/handlers/alter_partition_reassignments.h"
#include "broker/kafka/handlers/api_versions.h"
#include "broker/kafka/handlers/consumer_group_describe.h"
#include "broker/kafka/handlers/create_acls.h"
#include "broker/kafka/handlers/create_partitions.h"
#include "broker/kafka/handlers/create_topics.h"
#include "broker/kafka/handlers/delete_acls.h"
#include "broker/kafka/handlers/delete_groups.h"
#include "broker/kafka/handlers/delete_records.h"
#include "broker/kafka/handlers/delete_topics.h"
#include "broker/kafka/handlers/describe_acls.h"
#include "broker/kafka/handlers/describe_cluster.h"
#include "broker/kafka/handlers/describe_configs.h"
#include "broker/kafka/handlers/describe_groups.h"
#include "broker/kafka/handlers/describe_log_dirs.h"
#include "broker/kafka/handlers/describe_producers.h"
#include "broker/kafka/handlers/describe_topic_partitions.h"
#include "broker/kafka/handlers/elect_leaders.h"
#include "broker/kafka/handlers/fetch.h"
#include "broker/kafka/handlers/find_coordinator.h"
#include "broker/kafka/handlers/heartbeat.h"
#include "broker/kafka/handlers/incremental_alter_configs.h"
#include "broker/kafka/handlers/init_producer_id.h"
#include "broker/kafka/handlers/join_group.h"
#include "broker/kafka/handlers/leave_group.h"
#include "broker/kafka/handlers/list_groups.h"
#include "broker/kafka/handlers/list_offsets.h"
#include "broker/kafka/handlers/list_partition_reassignments.h"
#include "broker/kafka/handlers/metadata.h"
#include "broker/kafka/handlers/offset_commit.h"
#include "broker/kafka/handlers/offset_delete.h"
#include "broker/kafka/handlers/offset_fetch.h"
#include "broker/kafka/handlers/offset_for_leader_epoch.h"
#include "broker/kafka/handlers/produce.h"
#include "broker/kafka/handlers/sasl_authenticate.h"
#include "broker/kafka/handlers/sasl_handshake.h"
#include "broker/kafka/handlers/sync_group.h"

namespace gregor::broker {

void RegisterHandlers(Dispatcher* d, BrokerContext* ctx) {
  // Keep sorted by API key.
  d->Add(std::make_unique<ProduceHandler>(ctx));                      // 0
  d->Add(std::make_unique<FetchHandler>(ctx));                        // 1
  d->Add(std::make_unique<ListOffsetsHandler>(ctx));                  // 2
  d->Add(std::make_unique<MetadataHandler>(ctx));                     // 3
  d->Add(std::make_unique<OffsetCommitHandler>(ctx));                 // 8
  d->Add(std::make_unique<OffsetFetchHandler>(ctx));                  // 9
  d->Add(std::make_unique<FindCoordinatorHandler>(ctx));              // 10
  d->Add(std::make_unique<JoinGroupHandler>(ctx));                    // 11
  d->Add(std::make_unique<HeartbeatHandler>(ctx));                    // 12
  d->Add(std::make_unique<LeaveGroupHandler>(ctx));                   // 13
  d->Add(std::make_unique<SyncGroupHandler>(ctx));                    // 14
  d->Add(std::make_unique<DescribeGroupsHandler>(ctx));               // 15
  d->Add(std::make_unique<ListGroupsHandler>(ctx));                   // 16
  d->Add(std::make_unique<SaslHandshakeHandler>(ctx));                // 17
  d->Add(std::make_unique<ApiVersionsHandler>(d));                    // 18
  d->Add(std::make_unique<CreateTopicsHandler>(ctx));                 // 19
  d->Add(std::make_unique<DeleteTopicsHandler>(ctx));                 // 20
  d->Add(std::make_unique<DeleteRecordsHandler>(ctx));                // 21
  d->Add(std::make_unique<InitProducerIdHandler>(ctx));               // 22
  d->Add(std::make_unique<OffsetForLeaderEpochHandler>(ctx));         // 23
  d->Add(std::make_unique<DescribeAclsHandler>());                    // 29
  d->Add(std::make_unique<CreateAclsHandler>());                      // 30
  d->Add(std::make_unique<DeleteAclsHandler>());                      // 31
  d->Add(std::make_unique<DescribeConfigsHandler>(ctx));              // 32
  d->Add(std::make_unique<AlterConfigsHandler>(ctx));                 // 33
  d->Add(std::make_unique<DescribeLogDirsHandler>(ctx));              // 35
  d->Add(std::make_unique<SaslAuthenticateHandler>(ctx));             // 36
  d->Add(std::make_unique<CreatePartitionsHandler>(ctx));             // 37
  d->Add(std::make_unique<DeleteGroupsHandler>(ctx));                 // 42
  d->Add(std::make_unique<ElectLeadersHandler>(ctx));                 // 43
  d->Add(std::make_unique<IncrementalAlterConfigsHandler>(ctx));      // 44
  d->Add(std::make_unique<AlterPartitionReassignmentsHandler>(ctx));  // 45
  d->Add(std::make_unique<ListPartitionReassignmentsHandler>(ctx));   // 46
  d->Add(std::make_unique<OffsetDeleteHandler>(ctx));                 // 47
  d->Add(std::make_unique<DescribeClusterHandler>(ctx));              // 60
  d->Add(std::make_unique<DescribeProducersHandler>(ctx));            // 61
  d->Add(std::make_unique<ConsumerGroupDescribeHandler>(ctx));        // 69
  d->Add(std::make_unique<DescribeTopicPartitionsHandler>(ctx));      // 75
}

}  // namespace gregor::broker
