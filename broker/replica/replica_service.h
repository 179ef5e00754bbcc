// The leader side of replication: the gRPC ReplicaService that followers
// fetch from.
//
// Fetch is a long-lived stream per follower broker. For each request the
// service reads every partition named in it (Partition::ReadForFollower
// records the follower's position, which may move the high watermark and
// complete acks=all produces) and answers with the records as bytes (one
// copy, from the segment file into the message), the HW, log start and end,
// or a diverging epoch when the follower must truncate first. When there is
// nothing new — no data past any fetch offset, no HW the follower has not
// seen, no error — the request parks in the replica-fetch purgatory until a
// leader append, a HW move or a leadership change on one of its partitions,
// or max_wait_ms, whichever comes first; the serving thread waits, no
// Kafka event loop does.
//
// Byte limits: the whole answer stays within the request's max_bytes and
// each partition within its partition_max_bytes, except that the first
// partition with data returns at least one whole batch (Kafka's rule).
//
// Thread-safety: thread-safe (gRPC calls the handlers from its threads; at
// most `max_streams` Fetch streams are served at once).
#ifndef GREGOR_BROKER_REPLICA_REPLICA_SERVICE_H_
#define GREGOR_BROKER_REPLICA_REPLICA_SERVICE_H_

#include <atomic>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "asio.hpp"
#include "broker/replica/replica_manager.h"
#include "common/metrics/metrics.h"
#include "proto/replica.grpc.pb.h"

namespace gregor::broker {

struct ReplicaServiceOptions {
  BrokerId broker_id{-1};  // this (leader) broker
  // Concurrent Fetch streams (one per follower broker is the normal case;
  // a follower that reconnects holds two for up to max_wait_ms).
  int max_streams = 256;
  // A follower's max_wait_ms and max_bytes are capped at these.
  int32_t max_wait_ms_cap = 10000;
  int32_t max_response_bytes_cap = 64 << 20;
  // Partitions in one request (bigger requests are refused).
  int max_partitions_per_request = 100000;
};

class ReplicaServiceImpl final : public replicapb::ReplicaService::Service {
 public:
  // REQUIRES: `replicas` outlives the service; `timer_loop` is run by the
  // caller for as long as the service serves (it fires long-poll timeouts).
  ReplicaServiceImpl(ReplicaManager* replicas, asio::io_context* timer_loop,
                     ReplicaServiceOptions options, metrics::Registry* metrics);
  ~ReplicaServiceImpl() override;

  grpc::Status Fetch(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<replicapb::FetchResponse, replicapb::FetchRequest>* stream) override;
  grpc::Status EpochEndOffset(grpc::ServerContext* context,
                              const replicapb::EpochEndOffsetRequest* request,
                              replicapb::EpochEndOffsetResponse* response) override;

  // Answers every parked fetch now and ends the streams after their next
  // answer (before the gRPC server shuts down).
  void Shutdown();

  // One request, answered in `response` (parks when there is nothing new).
  // `hw_sent` is the HW each partition's last answer on this stream carried.
  // Public for tests (no gRPC needed).
  struct StreamState {
    absl::flat_hash_map<std::pair<Uuid, int32_t>, int64_t> hw_sent;
  };
  void Serve(const replicapb::FetchRequest& request, StreamState* state,
             replicapb::FetchResponse* response);

 private:
  class ParkedFetch;
  // Reads every partition of `request` once into `response`; returns true
  // when the answer says something new.
  bool ReadPass(const replicapb::FetchRequest& request, bool update_state,
                const StreamState& state, replicapb::FetchResponse* response);
  bool shutting_down() const;

  ReplicaManager* const replicas_;
  asio::io_context* const timer_loop_;
  const ReplicaServiceOptions options_;
  metrics::Registry* const metrics_;
  metrics::Counter* requests_ = nullptr;
  metrics::Counter* parked_total_ = nullptr;
  metrics::Counter* bytes_out_ = nullptr;
  int metrics_collector_ = -1;

  std::atomic<int> streams_{0};
  mutable absl::Mutex mu_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<std::shared_ptr<ParkedFetch>> parked_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_REPLICA_REPLICA_SERVICE_H_
