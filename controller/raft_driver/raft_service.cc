#include "controller/raft_driver/raft_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace gregor::controller::raft_driver {

void RaftServiceImpl::Attach(InboundHandler* handler) {
  absl::MutexLock l(&mu_);
  CHECK(handler_ == nullptr) << "a node is already attached to this RaftService";
  handler_ = handler;
}

void RaftServiceImpl::Detach() {
  absl::MutexLock l(&mu_);  // waits for deliveries holding the reader lock
  handler_ = nullptr;
}

grpc::Status RaftServiceImpl::DeliverBatch(raftpb::MessageBatch batch) {
  if (batch.ByteSizeLong() > kMaxBatchBytes) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "message batch too large");
  }
  absl::ReaderMutexLock l(&mu_);
  if (handler_ == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "raft node not running");
  }
  absl::Status s = handler_->Deliver(std::move(batch));
  if (!s.ok() && s.code() != absl::StatusCode::kResourceExhausted) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(s.message()));
  }
  return grpc::Status::OK;  // a full inbound queue drops the batch; Raft copes
}

grpc::Status RaftServiceImpl::Stream(grpc::ServerContext* context,
                                     grpc::ServerReader<raftpb::MessageBatch>* reader,
                                     raftpb::SendAck* ack) {
  raftpb::MessageBatch batch;
  while (reader->Read(&batch)) {
    grpc::Status s = DeliverBatch(std::move(batch));
    if (!s.ok()) return s;
    batch.Clear();
  }
  return grpc::Status::OK;
}

grpc::Status RaftServiceImpl::Send(grpc::ServerContext* context, const raftpb::MessageBatch* batch,
                                   raftpb::SendAck* ack) {
  return DeliverBatch(*batch);
}

void ConfigureRaftServer(grpc::ServerBuilder* builder) {
  builder->SetMaxReceiveMessageSize(static_cast<int>(RaftServiceImpl::kMaxBatchBytes));
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5'000);
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
}

}  // namespace gregor::controller::raft_driver
