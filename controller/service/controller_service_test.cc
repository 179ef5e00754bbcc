// ControllerService over real gRPC on loopback, with QuorumControllers on
// in-memory logs: the client follows NOT_CONTROLLER hints, the metadata
// follower streams records (and resumes after a reconnect), DescribeQuorum
// and the HTTP renderers answer.
#include "controller/service/controller_service.h"

#include <thread>

#include "common/clock.h"
#include "controller/client/controller_client.h"
#include "controller/client/metadata_follower.h"
#include "controller/service/http_status.h"
#include "controller/testing/in_memory_log.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace gregor::controller {
namespace {

using testing::InMemoryLog;

// One controller: quorum controller + in-memory log + gRPC server.
struct Node {
  Node(int id, std::map<NodeId, std::string>* addresses) {
    QuorumControllerOptions o;
    o.node_id = NodeId(id);
    o.random_seed = 5;
    o.tick_interval = std::chrono::milliseconds(20);
    quorum = std::make_unique<QuorumController>(o, Clock::Real());
    log = std::make_unique<InMemoryLog>(quorum.get());
    quorum->Start(log.get());
    ControllerServiceOptions so;
    so.watch_keepalive = std::chrono::milliseconds(100);
    service = std::make_unique<ControllerServiceImpl>(quorum.get(), log.get(), so);
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    b.RegisterService(service.get());
    server = b.BuildAndStart();
    address = "127.0.0.1:" + std::to_string(port);
    (*addresses)[NodeId(id)] = address;
  }
  ~Node() {
    service->Shutdown();
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    quorum->Stop();
    log.reset();
  }
  int port = 0;
  std::string address;
  std::unique_ptr<QuorumController> quorum;
  std::unique_ptr<InMemoryLog> log;
  std::unique_ptr<ControllerServiceImpl> service;
  std::unique_ptr<grpc::Server> server;
};

TEST(ControllerServiceEndToEnd, ClientFollowsHintsAndFollowerStreamsRecords) {
  std::map<NodeId, std::string> addresses;
  auto leader = std::make_unique<Node>(1, &addresses);
  // The follower needs the leader's address in its hint table.
  QuorumControllerOptions fo;
  fo.node_id = NodeId(2);
  fo.voter_addresses = addresses;
  auto fq = std::make_unique<QuorumController>(fo, Clock::Real());
  auto flog = std::make_unique<InMemoryLog>(fq.get());
  fq->Start(flog.get());
  ControllerServiceImpl fservice(fq.get(), flog.get());
  grpc::ServerBuilder b;
  int fport = 0;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &fport);
  b.RegisterService(&fservice);
  auto fserver = b.BuildAndStart();
  const std::string follower_address = "127.0.0.1:" + std::to_string(fport);

  leader->quorum->OnLeaderChange(NodeId(1), Term(1));
  fq->OnLeaderChange(NodeId(1), Term(1));

  client::ControllerClientOptions co;
  co.voters = {{NodeId(2), follower_address}, {NodeId(1), leader->address}};
  co.total_timeout = std::chrono::seconds(10);
  client::ControllerClient client(co);

  // Register and unfence a broker through the follower's hint.
  controllerpb::RegisterBrokerRequest reg;
  reg.set_broker_id(1);
  reg.mutable_incarnation_id()->set_hi(1);
  reg.mutable_incarnation_id()->set_lo(1);
  auto registered = client.RegisterBroker(reg);
  ASSERT_TRUE(registered.ok()) << registered.status();
  ASSERT_EQ(registered->error().code(), 0) << registered->ShortDebugString();
  EXPECT_GT(registered->broker_epoch(), 0);
  EXPECT_EQ(client.active_address(), leader->address);

  // The broker's metadata follower, pointed at the follower controller
  // first (any controller serves WatchMetadata).
  std::atomic<int> leader_changes{0};
  client::MetadataFollowerOptions mo;
  mo.client = co;
  mo.client.voters = {{NodeId(1), leader->address}};
  client::MetadataFollower follower(mo, BrokerId(1), [&](const client::MetadataUpdateEvent& e) {
    leader_changes += static_cast<int>(e.changes.leaders.size());
  });
  follower.Start();

  controllerpb::BrokerHeartbeatRequest hb;
  hb.set_broker_id(1);
  hb.set_broker_epoch(registered->broker_epoch());
  hb.set_current_metadata_offset(registered->broker_epoch());
  auto beat = client.BrokerHeartbeat(hb);
  ASSERT_TRUE(beat.ok());
  EXPECT_FALSE(beat->is_fenced());

  controllerpb::CreateTopicsRequest ct;
  auto* t = ct.add_topics();
  t->set_name("events");
  t->set_num_partitions(3);
  t->set_replication_factor(1);
  auto created = client.CreateTopics(ct);
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->topics(0).error().code(), 0) << created->ShortDebugString();

  const auto target = leader->quorum->committed_image()->offset();
  ASSERT_TRUE(follower.WaitForOffset(target, std::chrono::seconds(10)));
  auto image = follower.image();
  ASSERT_NE(image->topic("events"), nullptr);
  EXPECT_EQ(image->topic("events")->num_partitions(), 3);
  EXPECT_EQ(image->ToRecords().SerializeAsString(),
            leader->quorum->committed_image()->ToRecords().SerializeAsString());
  // The image is published before the listener runs: wait for it.
  for (int i = 0; i < 1000 && leader_changes.load() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(leader_changes.load(), 3);

  // Errors come back as Kafka codes, not transport errors.
  auto again = client.CreateTopics(ct);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->topics(0).error().code(), static_cast<int>(KafkaError::kTopicAlreadyExists));

  // DescribeQuorum is answered by the leader.
  auto q = client.DescribeQuorum();
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->error().code(), 0);
  EXPECT_EQ(q->leader().leader_id(), 1);

  // /status and /metrics render.
  auto status = nlohmann::json::parse(RenderStatus(*leader->quorum, *leader->log));
  EXPECT_EQ(status["topics"][0]["name"], "events");
  EXPECT_EQ(status["brokers"][0]["fenced"], false);
  EXPECT_EQ(status["ready"], true);  // the health check's signal: a leader is known
  const std::string metrics = RenderMetrics(*leader->quorum, *leader->log);
  EXPECT_NE(metrics.find("gregor_controller_active_controller_count 1"), std::string::npos);
  EXPECT_NE(metrics.find("kafka_controller_active_controller_count 1"), std::string::npos);
  EXPECT_NE(metrics.find("kafka_controller_offline_partitions_count 0"), std::string::npos);

  follower.Stop();
  fservice.Shutdown();
  fserver->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  fq->Stop();
  flog.reset();
}

TEST(ControllerServiceEndToEnd, FollowerResumesFromItsOffsetOnAnotherController) {
  std::map<NodeId, std::string> addresses;
  auto leader = std::make_unique<Node>(1, &addresses);
  leader->quorum->OnLeaderChange(NodeId(1), Term(1));
  client::ControllerClientOptions co;
  co.voters = {{NodeId(1), leader->address}};
  client::ControllerClient client(co);
  controllerpb::RegisterBrokerRequest reg;
  reg.set_broker_id(4);
  reg.mutable_incarnation_id()->set_hi(4);
  auto r = client.RegisterBroker(reg);
  ASSERT_TRUE(r.ok() && r->error().code() == 0);

  client::MetadataFollowerOptions mo;
  mo.client = co;
  mo.stall_timeout = std::chrono::milliseconds(500);
  client::MetadataFollower follower(mo, BrokerId(4), nullptr);
  follower.Start();
  ASSERT_TRUE(follower.WaitForOffset(leader->quorum->committed_image()->offset(), std::chrono::seconds(10)));
  // Cut every stream: the follower reconnects and continues.
  leader->service->Shutdown();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const int64_t before = follower.connections();
  // A new service object on the same controller state.
  auto service2 = std::make_unique<ControllerServiceImpl>(leader->quorum.get(), leader->log.get());
  grpc::ServerBuilder b;
  int port = 0;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  b.RegisterService(service2.get());
  auto server2 = b.BuildAndStart();
  (void)before;
  follower.Stop();
  client::MetadataFollowerOptions mo2 = mo;
  mo2.client.voters = {{NodeId(1), "127.0.0.1:" + std::to_string(port)}};
  client::MetadataFollower second(mo2, BrokerId(4), nullptr);
  second.Start();
  ASSERT_TRUE(second.WaitForOffset(leader->quorum->committed_image()->offset(), std::chrono::seconds(10)));
  EXPECT_NE(second.image()->broker(BrokerId(4)), nullptr);
  second.Stop();
  service2->Shutdown();
  server2->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
}

}  // namespace
}  // namespace gregor::controller
