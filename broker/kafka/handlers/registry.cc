#include "broker/kafka/handlers/registry.h"

#include <memory>

#include "broker/kafka/handlers/api_versions.h"
#include "broker/kafka/handlers/consumer_group_describe.h"
#include "broker/kafka/handlers/delete_groups.h"
#include "broker/kafka/handlers/describe_groups.h"
#include "broker/kafka/handlers/find_coordinator.h"
#include "broker/kafka/handlers/heartbeat.h"
#include "broker/kafka/handlers/join_group.h"
#include "broker/kafka/handlers/leave_group.h"
#include "broker/kafka/handlers/list_groups.h"
#include "broker/kafka/handlers/offset_commit.h"
#include "broker/kafka/handlers/offset_delete.h"
#include "broker/kafka/handlers/offset_fetch.h"
#include "broker/kafka/handlers/sync_group.h"

namespace gregor::broker {

void RegisterHandlers(Dispatcher* d, BrokerContext* ctx) {
  // Keep sorted by API key. ConsumerGroupHeartbeat (68, KIP-848) is not
  // implemented and so not registered: clients keep the classic protocol.
  d->Add(std::make_unique<OffsetCommitHandler>(ctx));           // 8
  d->Add(std::make_unique<OffsetFetchHandler>(ctx));            // 9
  d->Add(std::make_unique<FindCoordinatorHandler>(ctx));        // 10
  d->Add(std::make_unique<JoinGroupHandler>(ctx));              // 11
  d->Add(std::make_unique<HeartbeatHandler>(ctx));              // 12
  d->Add(std::make_unique<LeaveGroupHandler>(ctx));             // 13
  d->Add(std::make_unique<SyncGroupHandler>(ctx));              // 14
  d->Add(std::make_unique<DescribeGroupsHandler>(ctx));         // 15
  d->Add(std::make_unique<ListGroupsHandler>(ctx));             // 16
  d->Add(std::make_unique<ApiVersionsHandler>(d));              // 18
  d->Add(std::make_unique<DeleteGroupsHandler>(ctx));           // 42
  d->Add(std::make_unique<OffsetDeleteHandler>(ctx));           // 47
  d->Add(std::make_unique<ConsumerGroupDescribeHandler>(ctx));  // 69
}

}  // namespace gregor::broker
