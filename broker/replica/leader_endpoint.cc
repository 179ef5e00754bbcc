#include "broker/replica/leader_endpoint.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "glog/logging.h"
#include "proto/replica.grpc.pb.h"

namespace gregor::broker {
namespace {

using SystemTime = std::chrono::system_clock::time_point;

// Completion-queue tags: one operation of each kind is outstanding at most.
char kStartTag;
char kWriteTag;
char kReadTag;
char kFinishTag;

absl::Status FromGrpc(const grpc::Status& s, const std::string& what) {
  std::string msg = absl::StrCat(what, ": ", s.error_message());
  switch (s.error_code()) {
    case grpc::StatusCode::OK:
      return absl::OkStatus();
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::DeadlineExceededError(msg);
    case grpc::StatusCode::CANCELLED:
      return absl::CancelledError(msg);
    default:
      return absl::UnavailableError(absl::StrCat(msg, " (grpc code ", s.error_code(), ")"));
  }
}

class GrpcLeaderEndpoint final : public LeaderEndpoint {
 public:
  GrpcLeaderEndpoint(std::string address, const GrpcLeaderEndpointOptions& options)
      : address_(std::move(address)) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
                static_cast<int>(options.reconnect_backoff_min.count()));
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
                static_cast<int>(options.reconnect_backoff_min.count()));
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
                static_cast<int>(options.reconnect_backoff_max.count()));
    channel_ = grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args);
    stub_ = replicapb::ReplicaService::NewStub(channel_);
  }

  ~GrpcLeaderEndpoint() override {
    CloseStream(/*cancel=*/true);
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  absl::StatusOr<replicapb::FetchResponse> Fetch(const replicapb::FetchRequest& request,
                                                 std::chrono::milliseconds timeout) override {
    const SystemTime deadline = std::chrono::system_clock::now() + timeout;
    if (TakeInterrupt()) return absl::CancelledError("interrupted");
    if (stream_ == nullptr) {
      absl::Status s = OpenStream(deadline);
      if (!s.ok()) return s;
    }
    stream_->Write(request, &kWriteTag);
    Wait w = WaitTag(&kWriteTag, deadline);
    if (w != Wait::kOk) return FailStream(&kWriteTag, w);
    replicapb::FetchResponse response;
    stream_->Read(&response, &kReadTag);
    w = WaitTag(&kReadTag, deadline);
    if (w != Wait::kOk) return FailStream(&kReadTag, w);
    TakeInterrupt();  // whatever it wanted, the caller rebuilds its request now
    return response;
  }

  absl::StatusOr<replicapb::EpochEndOffsetResponse> EpochEndOffset(
      const replicapb::EpochEndOffsetRequest& request, std::chrono::milliseconds timeout) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    replicapb::EpochEndOffsetResponse response;
    grpc::Status s = stub_->EpochEndOffset(&ctx, request, &response);
    if (!s.ok()) return FromGrpc(s, absl::StrCat("EpochEndOffset to ", address_));
    return response;
  }

  void Interrupt() override {
    absl::MutexLock l(&mu_);
    interrupted_ = true;
    if (live_ctx_ != nullptr) live_ctx_->TryCancel();
  }

  std::string address() const override { return address_; }

 private:
  enum class Wait { kOk, kFailed, kTimeout };

  bool TakeInterrupt() {
    absl::MutexLock l(&mu_);
    bool was = interrupted_;
    interrupted_ = false;
    return was;
  }

  Wait WaitTag(void* tag, SystemTime deadline) {
    void* got = nullptr;
    bool ok = false;
    while (true) {
      grpc::CompletionQueue::NextStatus st = cq_.AsyncNext(&got, &ok, deadline);
      if (st == grpc::CompletionQueue::TIMEOUT) return Wait::kTimeout;
      if (st == grpc::CompletionQueue::SHUTDOWN) return Wait::kFailed;
      if (got == tag) return ok ? Wait::kOk : Wait::kFailed;
      LOG(DFATAL) << "unexpected completion-queue tag";
    }
  }

  absl::Status OpenStream(SystemTime deadline) {
    ctx_ = std::make_unique<grpc::ClientContext>();
    {
      absl::MutexLock l(&mu_);
      live_ctx_ = ctx_.get();
    }
    stream_ = stub_->PrepareAsyncFetch(ctx_.get(), &cq_);
    stream_->StartCall(&kStartTag);
    Wait w = WaitTag(&kStartTag, deadline);
    if (w != Wait::kOk) return FailStream(&kStartTag, w);
    return absl::OkStatus();
  }

  // The stream failed (or timed out with `pending` outstanding): tears it
  // down and says why.
  absl::Status FailStream(void* pending, Wait why) {
    if (why == Wait::kTimeout) {
      ctx_->TryCancel();
      WaitTag(pending, std::chrono::system_clock::time_point::max());
      CloseStream(/*cancel=*/false);
      return absl::DeadlineExceededError(absl::StrCat("no answer from ", address_, " in time"));
    }
    grpc::Status s = CloseStream(/*cancel=*/false);
    if (TakeInterrupt()) return absl::CancelledError("interrupted");
    if (s.ok()) return absl::UnavailableError(absl::StrCat("stream to ", address_, " ended"));
    absl::Status out = FromGrpc(s, absl::StrCat("Fetch stream to ", address_));
    if (absl::IsCancelled(out)) out = absl::UnavailableError(out.message());
    return out;
  }

  grpc::Status CloseStream(bool cancel) {
    grpc::Status status;
    if (stream_ != nullptr) {
      if (cancel) ctx_->TryCancel();
      stream_->Finish(&status, &kFinishTag);
      WaitTag(&kFinishTag, std::chrono::system_clock::time_point::max());
    }
    {
      absl::MutexLock l(&mu_);
      live_ctx_ = nullptr;
    }
    stream_.reset();
    ctx_.reset();
    return status;
  }

  const std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<replicapb::ReplicaService::Stub> stub_;
  grpc::CompletionQueue cq_;
  std::unique_ptr<grpc::ClientContext> ctx_;
  std::unique_ptr<grpc::ClientAsyncReaderWriter<replicapb::FetchRequest, replicapb::FetchResponse>>
      stream_;

  absl::Mutex mu_;
  bool interrupted_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* live_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace

std::unique_ptr<LeaderEndpoint> NewGrpcLeaderEndpoint(const std::string& address,
                                                      const GrpcLeaderEndpointOptions& options) {
  return std::make_unique<GrpcLeaderEndpoint>(address, options);
}

}  // namespace gregor::broker
