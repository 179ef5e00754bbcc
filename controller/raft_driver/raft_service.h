// RaftServiceImpl: the server side of the gRPC RaftService (proto/raft.proto).
// It receives message batches from peer controllers and hands them to the
// RaftNode attached to it. It is separate from RaftNode so that it can be
// registered on the same grpc::Server as ControllerService before the server
// starts (and before the node exists); until a node attaches, and after it
// detaches, calls fail with UNAVAILABLE and peers retry.
//
// Thread-safety: thread-safe; gRPC calls it from its own threads.
#ifndef GREGOR_CONTROLLER_RAFT_DRIVER_RAFT_SERVICE_H_
#define GREGOR_CONTROLLER_RAFT_DRIVER_RAFT_SERVICE_H_

#include <cstddef>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_builder.h"
#include "proto/raft.grpc.pb.h"

namespace gregor::controller::raft_driver {

// Receives inbound batches. Implemented by the node.
class InboundHandler {
 public:
  virtual ~InboundHandler() = default;
  // Queues the messages for the node thread. Must not block for long.
  // ResourceExhausted when the node's inbound queue is full (the batch is
  // dropped; Raft recovers from lost messages).
  virtual absl::Status Deliver(raftpb::MessageBatch batch) = 0;
};

class RaftServiceImpl final : public raftpb::RaftService::Service {
 public:
  // Largest accepted batch; larger ones get INVALID_ARGUMENT (the sender caps
  // its batches well below). Also set the server's max receive size at least
  // this high (grpc::ServerBuilder::SetMaxReceiveMessageSize).
  static constexpr size_t kMaxBatchBytes = 64u << 20;

  RaftServiceImpl() = default;

  // Routes inbound batches to `handler` from now on. REQUIRES: none attached.
  void Attach(InboundHandler* handler);
  // Stops routing; returns once no call is inside `handler` any more.
  void Detach();

  grpc::Status Stream(grpc::ServerContext* context,
                      grpc::ServerReader<raftpb::MessageBatch>* reader,
                      raftpb::SendAck* ack) override;
  grpc::Status Send(grpc::ServerContext* context, const raftpb::MessageBatch* batch,
                    raftpb::SendAck* ack) override;

 private:
  // Delivers under the reader lock so that Detach can wait for callers.
  grpc::Status DeliverBatch(raftpb::MessageBatch batch);

  absl::Mutex mu_;
  InboundHandler* handler_ ABSL_GUARDED_BY(mu_) = nullptr;
};

// Sets what RaftService needs on the grpc::ServerBuilder that hosts it: a
// receive limit of kMaxBatchBytes, and acceptance of the keepalive pings the
// peers send every 10 s to detect dead connections (gRPC servers otherwise
// answer frequent pings on client streams with GOAWAY).
void ConfigureRaftServer(grpc::ServerBuilder* builder);

}  // namespace gregor::controller::raft_driver

#endif  // GREGOR_CONTROLLER_RAFT_DRIVER_RAFT_SERVICE_H_
