// ControllerServiceImpl: the gRPC ControllerService (proto/controller.proto)
// served by every controller. Operations run on the QuorumController; a
// controller that is not the active one answers NOT_CONTROLLER with the
// leader's id and address. WatchMetadata streams committed metadata records
// (a snapshot first when the requested offset is no longer in the log) and
// stays open, pushing new records as they commit.
//
// Thread-safety: thread-safe (gRPC's sync server calls it from its threads).
#ifndef GREGOR_CONTROLLER_SERVICE_CONTROLLER_SERVICE_H_
#define GREGOR_CONTROLLER_SERVICE_CONTROLLER_SERVICE_H_

#include <atomic>
#include <chrono>
#include <cstddef>

#include "controller/metadata_log.h"
#include "controller/quorum_controller.h"
#include "proto/controller.grpc.pb.h"

namespace gregor::controller {

struct ControllerServiceOptions {
  // WatchMetadata streams at once; more get RESOURCE_EXHAUSTED.
  int max_watchers = 1024;
  // Bytes of records per MetadataUpdate (a batch is never split).
  size_t max_update_bytes = 1 << 20;
  // Records per snapshot update.
  int max_snapshot_records_per_update = 10'000;
  // An idle stream gets an update carrying only high_watermark this often,
  // so a broker can tell a quiet stream from a dead one.
  std::chrono::milliseconds watch_keepalive{1000};
};

class ControllerServiceImpl final : public controllerpb::ControllerService::Service {
 public:
  ControllerServiceImpl(QuorumController* quorum, MetadataLog* log,
                        ControllerServiceOptions options = {});

  // Ends every WatchMetadata stream (for shutdown).
  void Shutdown() { stopping_ = true; }

  grpc::Status RegisterBroker(grpc::ServerContext*, const controllerpb::RegisterBrokerRequest*,
                              controllerpb::RegisterBrokerResponse*) override;
  grpc::Status BrokerHeartbeat(grpc::ServerContext*, const controllerpb::BrokerHeartbeatRequest*,
                               controllerpb::BrokerHeartbeatResponse*) override;
  grpc::Status WatchMetadata(grpc::ServerContext*, const controllerpb::WatchMetadataRequest*,
                             grpc::ServerWriter<controllerpb::MetadataUpdate>*) override;
  grpc::Status CreateTopics(grpc::ServerContext*, const controllerpb::CreateTopicsRequest*,
                            controllerpb::CreateTopicsResponse*) override;
  grpc::Status DeleteTopics(grpc::ServerContext*, const controllerpb::DeleteTopicsRequest*,
                            controllerpb::DeleteTopicsResponse*) override;
  grpc::Status CreatePartitions(grpc::ServerContext*, const controllerpb::CreatePartitionsRequest*,
                                controllerpb::CreatePartitionsResponse*) override;
  grpc::Status AlterConfigs(grpc::ServerContext*, const controllerpb::AlterConfigsRequest*,
                            controllerpb::AlterConfigsResponse*) override;
  grpc::Status AlterPartition(grpc::ServerContext*, const controllerpb::AlterPartitionRequest*,
                              controllerpb::AlterPartitionResponse*) override;
  grpc::Status ElectLeaders(grpc::ServerContext*, const controllerpb::ElectLeadersRequest*,
                            controllerpb::ElectLeadersResponse*) override;
  grpc::Status AlterPartitionReassignments(grpc::ServerContext*,
                                           const controllerpb::AlterPartitionReassignmentsRequest*,
                                           controllerpb::AlterPartitionReassignmentsResponse*) override;
  grpc::Status ListPartitionReassignments(grpc::ServerContext*,
                                          const controllerpb::ListPartitionReassignmentsRequest*,
                                          controllerpb::ListPartitionReassignmentsResponse*) override;
  grpc::Status AllocateProducerIds(grpc::ServerContext*, const controllerpb::AllocateProducerIdsRequest*,
                                   controllerpb::AllocateProducerIdsResponse*) override;
  grpc::Status DescribeQuorum(grpc::ServerContext*, const controllerpb::DescribeQuorumRequest*,
                              controllerpb::DescribeQuorumResponse*) override;

 private:
  // Sends the latest snapshot; returns the offset after it, or an error.
  absl::StatusOr<int64_t> SendSnapshot(grpc::ServerWriter<controllerpb::MetadataUpdate>* writer);

  QuorumController* const quorum_;
  MetadataLog* const log_;
  const ControllerServiceOptions options_;
  std::atomic<int> watchers_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace gregor::controller

#endif  // GREGOR_CONTROLLER_SERVICE_CONTROLLER_SERVICE_H_
