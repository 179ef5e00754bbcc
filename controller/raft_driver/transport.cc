#include "controller/raft_driver/transport.h"

#include <algorithm>
#include <deque>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "glog/logging.h"
#include "grpcpp/grpcpp.h"
#include "proto/raft.grpc.pb.h"

namespace gregor::controller::raft_driver {

namespace {

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address,
                                          const TransportOptions& o) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, static_cast<int>(o.backoff_min.count()));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, static_cast<int>(o.backoff_min.count()));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(o.backoff_max.count()));
  // Detect a peer that vanished without closing its connection. Servers
  // must accept these pings: see ConfigureRaftServer().
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5'000);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetMaxSendMessageSize(static_cast<int>(o.max_batch_bytes + (1u << 20)));
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

}  // namespace

class Transport::PeerSender {
 public:
  PeerSender(Peer peer, TransportOptions options)
      : peer_(std::move(peer)), options_(options) {}

  ~PeerSender() { Stop(); }

  void Start() { thread_ = std::thread([this] { Run(); }); }

  void Stop() {
    {
      absl::MutexLock l(&mu_);
      if (stop_) return;
      stop_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    if (thread_.joinable()) thread_.join();
  }

  void Enqueue(raftpb::Message m) {
    size_t bytes = m.ByteSizeLong();
    absl::MutexLock l(&mu_);
    if (stop_ || queue_.size() >= options_.queue_messages ||
        queued_bytes_ + bytes > options_.queue_bytes) {
      ++stats_.dropped_messages;
      return;
    }
    queued_bytes_ += bytes;
    queue_.push_back({std::move(m), bytes});
  }

  PeerLinkStats Stats() const {
    absl::MutexLock l(&mu_);
    PeerLinkStats s = stats_;
    s.id = peer_.id;
    s.address = peer_.address;
    s.queued_messages = queue_.size();
    return s;
  }

 private:
  struct Queued {
    raftpb::Message message;
    size_t bytes;
  };

  // Waits for messages and moves up to max_batch_bytes of them into `batch`.
  // False when stopping.
  bool TakeBatch(raftpb::MessageBatch* batch) {
    absl::MutexLock l(&mu_);
    mu_.Await(absl::Condition(
        +[](PeerSender* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
          return s->stop_ || !s->queue_.empty();
        },
        this));
    if (stop_) return false;
    size_t bytes = 0;
    while (!queue_.empty() &&
           (batch->messages_size() == 0 || bytes + queue_.front().bytes <= options_.max_batch_bytes)) {
      bytes += queue_.front().bytes;
      queued_bytes_ -= queue_.front().bytes;
      *batch->add_messages() = std::move(queue_.front().message);
      queue_.pop_front();
    }
    return true;
  }

  void Run() {
    std::shared_ptr<grpc::Channel> channel = NewChannel(peer_.address, options_);
    std::unique_ptr<raftpb::RaftService::Stub> stub = raftpb::RaftService::NewStub(channel);
    std::chrono::milliseconds backoff = options_.backoff_min;
    while (true) {
      raftpb::MessageBatch batch;
      if (!TakeBatch(&batch)) return;
      grpc::ClientContext context;
      {
        absl::MutexLock l(&mu_);
        if (stop_) return;
        context_ = &context;
      }
      raftpb::SendAck ack;
      std::unique_ptr<grpc::ClientWriter<raftpb::MessageBatch>> writer =
          stub->Stream(&context, &ack);
      // Stream batches until a write fails.
      bool ok = true;
      while (ok) {
        size_t n = batch.messages_size();
        ok = writer->Write(batch);
        {
          absl::MutexLock l(&mu_);
          if (ok) {
            stats_.connected = true;
            stats_.sent_messages += n;
            backoff = options_.backoff_min;
          } else {
            stats_.dropped_messages += n;
          }
          if (!ok || stop_) break;
        }
        batch.Clear();
        if (!TakeBatch(&batch)) break;
      }
      grpc::Status status = ok ? (writer->WritesDone(), writer->Finish()) : writer->Finish();
      absl::MutexLock l(&mu_);
      context_ = nullptr;
      if (stop_) return;
      // Broken stream: what is queued is stale by the time we reconnect.
      stats_.connected = false;
      stats_.dropped_messages += queue_.size();
      queue_.clear();
      queued_bytes_ = 0;
      ++stats_.reconnects;
      stats_.last_error = status.error_message();
      mu_.AwaitWithTimeout(absl::Condition(&stop_), absl::FromChrono(backoff));
      if (stop_) return;
      backoff = std::min(backoff * 2, options_.backoff_max);
    }
  }

  const Peer peer_;
  const TransportOptions options_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::deque<Queued> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  PeerLinkStats stats_ ABSL_GUARDED_BY(mu_);
};

Transport::Transport(std::vector<Peer> peers, TransportOptions options) {
  for (Peer& p : peers) {
    NodeId id = p.id;
    senders_.emplace(id, std::make_unique<PeerSender>(std::move(p), options));
  }
}

Transport::~Transport() { Stop(); }

void Transport::Start() {
  for (auto& [id, s] : senders_) s->Start();
}

void Transport::Stop() {
  for (auto& [id, s] : senders_) s->Stop();
}

void Transport::Send(std::vector<raftpb::Message> messages) {
  for (raftpb::Message& m : messages) {
    auto it = senders_.find(NodeId(static_cast<int32_t>(m.to())));
    if (it == senders_.end()) continue;
    it->second->Enqueue(std::move(m));
  }
}

std::vector<PeerLinkStats> Transport::Stats() const {
  std::vector<PeerLinkStats> out;
  for (const auto& [id, s] : senders_) out.push_back(s->Stats());
  return out;
}

}  // namespace gregor::controller::raft_driver
