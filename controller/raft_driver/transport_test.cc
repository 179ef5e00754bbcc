// Transport: one bounded queue per peer, so a stuck or absent peer costs only
// its own messages; broken streams reconnect once the peer is back.
#include "controller/raft_driver/transport.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "controller/raft_driver/loopback_cluster.h"
#include "controller/raft_driver/raft_service.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace gregor::controller::raft_driver {
namespace {

using namespace std::chrono_literals;

// Counts what arrives.
class Recorder : public InboundHandler {
 public:
  absl::Status Deliver(raftpb::MessageBatch batch) override {
    absl::MutexLock l(&mu_);
    received_ += batch.messages_size();
    return absl::OkStatus();
  }
  int received() const {
    absl::MutexLock l(&mu_);
    return received_;
  }

 private:
  mutable absl::Mutex mu_;
  int received_ = 0;
};

// A peer that accepts the stream and then never reads from it, so the
// sender's flow-control window fills and its writes block.
class StuckService final : public raftpb::RaftService::Service {
 public:
  grpc::Status Stream(grpc::ServerContext* context, grpc::ServerReader<raftpb::MessageBatch>*,
                      raftpb::SendAck*) override {
    while (!context->IsCancelled() && !release_.load()) std::this_thread::sleep_for(5ms);
    return grpc::Status::OK;
  }
  std::atomic<bool> release_{false};
};

struct Server {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

Server Serve(grpc::Service* service, int port = 0) {
  grpc::ServerBuilder b;
  ConfigureRaftServer(&b);
  Server s;
  b.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(), &s.port);
  b.RegisterService(service);
  s.server = b.BuildAndStart();
  EXPECT_NE(s.server, nullptr);
  return s;
}

raftpb::Message To(int to, size_t bytes = 0) {
  raftpb::Message m;
  m.set_type(raftpb::MSG_APPEND);
  m.set_from(1);
  m.set_to(to);
  m.set_context(std::string(bytes, 'x'));
  return m;
}

// A port nothing listens on.
int FreePort() {
  RaftServiceImpl svc;
  Server s = Serve(&svc);
  int port = s.port;
  s.server->Shutdown(std::chrono::system_clock::now());
  return port;
}

TEST(TransportTest, StuckPeerDoesNotDelayTheOthers) {
  RaftServiceImpl good_service;
  Recorder good;
  good_service.Attach(&good);
  Server good_server = Serve(&good_service);
  StuckService stuck_service;
  Server stuck_server = Serve(&stuck_service);

  TransportOptions o;
  o.queue_messages = 16;
  Transport t({Peer{NodeId(2), "127.0.0.1:" + std::to_string(good_server.port)},
               Peer{NodeId(3), "127.0.0.1:" + std::to_string(stuck_server.port)}},
              o);
  t.Start();
  // Far more than the stuck peer's window and queue can hold.
  for (int round = 0; round < 200; ++round) {
    t.Send({To(3, 64 << 10), To(2)});
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_TRUE(WaitFor([&] { return good.received() == 200; }, 30s)) << good.received();
  uint64_t dropped_to_3 = 0;
  for (const PeerLinkStats& s : t.Stats()) {
    if (s.id == NodeId(3)) dropped_to_3 = s.dropped_messages;
    if (s.id == NodeId(2)) {
      EXPECT_EQ(s.dropped_messages, 0u);
    }
  }
  EXPECT_GT(dropped_to_3, 0u) << "the stuck peer's bounded queue must overflow";
  stuck_service.release_ = true;
  t.Stop();  // returns although a write to the stuck peer was blocked
  good_service.Detach();
}

TEST(TransportTest, PeerThatComesUpLaterIsReachedAfterReconnecting) {
  int port = FreePort();
  TransportOptions o;
  o.backoff_min = 10ms;
  o.backoff_max = 100ms;
  Transport t({Peer{NodeId(2), "127.0.0.1:" + std::to_string(port)}}, o);
  t.Start();
  for (int k = 0; k < 5; ++k) t.Send({To(2)});
  EXPECT_TRUE(WaitFor([&] { return t.Stats()[0].dropped_messages >= 1; }, 10s));

  RaftServiceImpl service;
  Recorder rec;
  service.Attach(&rec);
  Server server = Serve(&service, port);
  ASSERT_EQ(server.port, port);
  // Keep sending (as Raft's heartbeats would) until messages get through.
  EXPECT_TRUE(WaitFor(
      [&] {
        t.Send({To(2)});
        return rec.received() > 0;
      },
      30s));
  EXPECT_TRUE(t.Stats()[0].connected);
  t.Stop();
  service.Detach();
}

TEST(TransportTest, UnresolvableNameIsATransientFailure) {
  TransportOptions o;
  o.backoff_max = 50ms;
  Transport t({Peer{NodeId(2), "no-such-host.invalid:7"}}, o);
  t.Start();
  for (int k = 0; k < 20; ++k) {
    t.Send({To(2)});
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(WaitFor([&] { return t.Stats()[0].reconnects >= 2; }, 30s));
  EXPECT_FALSE(t.Stats()[0].connected);
  t.Stop();
}

TEST(TransportTest, MessagesToUnknownPeersAreIgnored) {
  Transport t({Peer{NodeId(2), "127.0.0.1:1"}}, TransportOptions{});
  t.Send({To(9)});
  EXPECT_EQ(t.Stats().size(), 1u);
  EXPECT_EQ(t.Stats()[0].queued_messages, 0u);
}

}  // namespace
}  // namespace gregor::controller::raft_driver
