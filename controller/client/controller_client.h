// The broker's side of ControllerService.
//
// ControllerClient finds the active controller among the voters, follows
// NOT_CONTROLLER hints, and retries with exponential back-off (transport
// errors, NOT_CONTROLLER, REQUEST_TIMED_OUT) until total_timeout. Any other
// answer — success or a Kafka error such as TOPIC_ALREADY_EXISTS — is
// returned as the response; an absl::Status error means no controller
// answered in time (Unavailable / DeadlineExceeded).
//
//   ASSIGN_OR_RETURN(auto voters, ParseQuorumVoters("1@c1:9093,2@c2:9093,3@c3:9093"));
//   ControllerClient client({.voters = voters});
//   ASSIGN_OR_RETURN(auto resp, client.RegisterBroker(request));
//   if (resp.error().code() != 0) ...
//
// Thread-safety: thread-safe; calls may run concurrently.
#ifndef GREGOR_CONTROLLER_CLIENT_CONTROLLER_CLIENT_H_
#define GREGOR_CONTROLLER_CLIENT_CONTROLLER_CLIENT_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/strong_int.h"
#include "proto/controller.grpc.pb.h"

namespace gregor::controller::client {

struct Voter {
  NodeId id;
  std::string address;  // host:port (ControllerService and RaftService)
};

// Parses Kafka's controller.quorum.voters form "1@host:port,2@host:port".
absl::StatusOr<std::vector<Voter>> ParseQuorumVoters(std::string_view voters);

struct ControllerClientOptions {
  std::vector<Voter> voters;
  std::chrono::milliseconds rpc_timeout{3000};     // one attempt
  std::chrono::milliseconds total_timeout{30000};  // all attempts of one call
  std::chrono::milliseconds backoff_min{20};
  std::chrono::milliseconds backoff_max{500};
};

class ControllerClient {
 public:
  explicit ControllerClient(ControllerClientOptions options);

  absl::StatusOr<controllerpb::RegisterBrokerResponse> RegisterBroker(
      const controllerpb::RegisterBrokerRequest& request);
  absl::StatusOr<controllerpb::BrokerHeartbeatResponse> BrokerHeartbeat(
      const controllerpb::BrokerHeartbeatRequest& request);
  absl::StatusOr<controllerpb::CreateTopicsResponse> CreateTopics(
      const controllerpb::CreateTopicsRequest& request);
  absl::StatusOr<controllerpb::DeleteTopicsResponse> DeleteTopics(
      const controllerpb::DeleteTopicsRequest& request);
  absl::StatusOr<controllerpb::CreatePartitionsResponse> CreatePartitions(
      const controllerpb::CreatePartitionsRequest& request);
  absl::StatusOr<controllerpb::AlterConfigsResponse> AlterConfigs(
      const controllerpb::AlterConfigsRequest& request);
  absl::StatusOr<controllerpb::AlterPartitionResponse> AlterPartition(
      const controllerpb::AlterPartitionRequest& request);
  absl::StatusOr<controllerpb::ElectLeadersResponse> ElectLeaders(
      const controllerpb::ElectLeadersRequest& request);
  absl::StatusOr<controllerpb::AlterPartitionReassignmentsResponse> AlterPartitionReassignments(
      const controllerpb::AlterPartitionReassignmentsRequest& request);
  absl::StatusOr<controllerpb::ListPartitionReassignmentsResponse> ListPartitionReassignments(
      const controllerpb::ListPartitionReassignmentsRequest& request);
  absl::StatusOr<controllerpb::AllocateProducerIdsResponse> AllocateProducerIds(
      const controllerpb::AllocateProducerIdsRequest& request);
  absl::StatusOr<controllerpb::DescribeQuorumResponse> DescribeQuorum();

  // The stub of one controller (for WatchMetadata, which is not retried
  // here; see MetadataFollower).
  controllerpb::ControllerService::Stub* StubFor(const std::string& address);
  const ControllerClientOptions& options() const { return options_; }
  // The address last seen answering as the active controller ("" unknown).
  std::string active_address() const;

 private:
  template <typename Request, typename Response>
  using Method = grpc::Status (controllerpb::ControllerService::Stub::*)(grpc::ClientContext*,
                                                                          const Request&, Response*);
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(Method<Request, Response> method, const Request& request);

  const ControllerClientOptions options_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<controllerpb::ControllerService::Stub>> stubs_
      ABSL_GUARDED_BY(mu_);
  std::string active_ ABSL_GUARDED_BY(mu_);
  size_t next_voter_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gregor::controller::client

#endif  // GREGOR_CONTROLLER_CLIENT_CONTROLLER_CLIENT_H_
