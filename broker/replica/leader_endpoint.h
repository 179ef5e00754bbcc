// A partition leader as a follower's fetcher sees it: one Fetch stream
// (carrying every partition this broker follows from that leader) and the
// EpochEndOffset call. The fetcher talks only to this interface, so tests
// drive it with a fake leader; GrpcLeaderEndpoint is the real one.
//
// Thread-safety: Fetch and EpochEndOffset are called from one thread (the
// fetcher's); Interrupt may be called from any thread.
#ifndef GREGOR_BROKER_REPLICA_LEADER_ENDPOINT_H_
#define GREGOR_BROKER_REPLICA_LEADER_ENDPOINT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/strong_int.h"
#include "proto/replica.pb.h"

namespace gregor::broker {

class LeaderEndpoint {
 public:
  virtual ~LeaderEndpoint() = default;

  // Sends one fetch on the stream (opening it when needed) and waits for the
  // answer, at most `timeout`. Errors: Unavailable (leader unreachable or
  // the stream broke), DeadlineExceeded (no answer in time; the stream is
  // reset), Cancelled (Interrupt() was called; retry at once).
  virtual absl::StatusOr<replicapb::FetchResponse> Fetch(const replicapb::FetchRequest& request,
                                                         std::chrono::milliseconds timeout) = 0;
  virtual absl::StatusOr<replicapb::EpochEndOffsetResponse> EpochEndOffset(
      const replicapb::EpochEndOffsetRequest& request, std::chrono::milliseconds timeout) = 0;
  // Makes the Fetch in progress (or the next one to start) return Cancelled
  // promptly: the fetcher has new partitions to ask for.
  virtual void Interrupt() = 0;
  virtual std::string address() const = 0;
};

using LeaderEndpointFactory =
    std::function<std::unique_ptr<LeaderEndpoint>(BrokerId leader, const std::string& address)>;

struct GrpcLeaderEndpointOptions {
  // Largest message accepted (a fetch response); above the fetch max bytes.
  int max_receive_message_bytes = 128 << 20;
  // gRPC's reconnect back-off to a leader that went away.
  std::chrono::milliseconds reconnect_backoff_min{100};
  std::chrono::milliseconds reconnect_backoff_max{1000};
};

// The real leader: a gRPC channel to its ReplicaService (address host:port)
// and a bidirectional Fetch stream driven through a completion queue, so
// every wait has a deadline and an interrupt. Thread-safety as above.
std::unique_ptr<LeaderEndpoint> NewGrpcLeaderEndpoint(const std::string& address,
                                                      const GrpcLeaderEndpointOptions& options);

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_REPLICA_LEADER_ENDPOINT_H_
