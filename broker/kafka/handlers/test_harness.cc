#include "broker/kafka/handlers/test_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "broker/kafka/handlers/registry.h"
#include "common/metadata/delta.h"
#include "controller/client/controller_client.h"
#include "controller/client/metadata_follower.h"
#include "controller/quorum_controller.h"
#include "controller/service/controller_service.h"
#include "controller/testing/in_memory_log.h"
#include "grpcpp/grpcpp.h"

namespace gregor::broker::testing {

// ---- KafkaSocket ----

KafkaSocket::KafkaSocket(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  timeval tv{5, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

KafkaSocket::~KafkaSocket() { ::close(fd_); }

void KafkaSocket::Send(const std::string& b) {
  ASSERT_EQ(::send(fd_, b.data(), b.size(), MSG_NOSIGNAL), static_cast<ssize_t>(b.size()));
}

std::string KafkaSocket::Recv() {
  std::string size = ReadN(4);
  if (size.size() < 4) return "";
  return size + ReadN(LoadBE32(size.data()));
}

std::string KafkaSocket::ReadN(size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
    if (r <= 0) return out.substr(0, got);
    got += static_cast<size_t>(r);
  }
  return out;
}

// ---- AdminHarness ----

namespace {

std::string FreshDir() {
  static std::atomic<int> counter{0};
  std::string path = ::testing::TempDir() + "/admin_" + std::to_string(::getpid()) + "_" +
                     std::to_string(counter++);
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

metadata::BrokerEndpoint Endpoint(const std::string& name, const std::string& host, int port) {
  metadata::BrokerEndpoint e;
  e.set_name(name);
  e.set_host(host);
  e.set_port(port);
  e.set_security_protocol("PLAINTEXT");
  return e;
}

}  // namespace

AdminHarness::AdminHarness(HarnessOptions options) : options_(std::move(options)) {
  dir_ = FreshDir();
  config_.node_id = kSelf;
  config_.cluster_id = "gregor-test-cluster-id";
  config_.listeners = {{"PLAINTEXT", "127.0.0.1", 0, "PLAINTEXT"},
                       {"EXTERNAL", "127.0.0.1", 0, "PLAINTEXT"}};
  config_.log_dirs = {dir_ + "/logs-a", dir_ + "/logs-b"};
  config_.num_partitions = 2;
  config_.default_replication_factor = 1;
  config_.offsets_topic_num_partitions = 4;
  config_.offsets_topic_replication_factor = 1;
  if (options_.configure) options_.configure(config_);

  storage::LogManagerOptions lo;
  lo.log_dirs = config_.log_dirs;
  lo.default_config = config_.default_log_config;
  lo.storage.sync_before_ack = false;
  lo.start_background_tasks = false;
  auto logs = storage::LogManager::Open(storage::Env::Default(), &clock_, lo);
  CHECK(logs.ok()) << logs.status();
  logs_ = *std::move(logs);
  ReplicaManagerOptions ro;
  ro.broker_id = BrokerId(kSelf);
  ro.default_log_config = config_.default_log_config;
  ro.min_insync_replicas = config_.min_insync_replicas;
  ro.sync_before_ack = false;
  replicas_ = std::make_unique<ReplicaManager>(ro, logs_.get(), &clock_, &metrics_);
  pool_ = std::make_unique<ThreadPool>(2, 64, "admin-test");

  ctx_.config = &config_;
  ctx_.clock = &clock_;
  ctx_.metrics = &metrics_;
  ctx_.replicas = replicas_.get();
  ctx_.blocking_pool = pool_.get();
  dispatcher_ = std::make_unique<Dispatcher>(&metrics_);
  loops_ = std::make_unique<EventLoops>(1, "admin-test-loop");

  KafkaServerOptions po;
  po.host = "127.0.0.1";
  po.port = 0;
  po.listener_name = "PLAINTEXT";
  plaintext_ = std::make_unique<KafkaServer>(po, loops_.get(), dispatcher_.get());
  KafkaServerOptions eo = po;
  eo.listener_name = "EXTERNAL";
  external_ = std::make_unique<KafkaServer>(eo, loops_.get(), dispatcher_.get());
}

AdminHarness::~AdminHarness() {
  if (follower_) follower_->Stop();
  plaintext_->Stop();
  external_->Stop();
  loops_->Stop();
  pool_.reset();  // runs what is queued, joins
  if (service_) service_->Shutdown();
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  if (quorum_) quorum_->Stop();
  log_.reset();
  follower_.reset();
  replicas_->Stop();
  replicas_.reset();
  (void)logs_->Shutdown();
  logs_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void AdminHarness::RegisterAll() { RegisterHandlers(dispatcher_.get(), &ctx_); }

uint16_t AdminHarness::port(const std::string& listener) const {
  return listener == "EXTERNAL" ? external_->port() : plaintext_->port();
}

void AdminHarness::Start() {
  ASSERT_TRUE(plaintext_->Start().ok());
  ASSERT_TRUE(external_->Start().ok());
  loops_->Start();
  config_.listeners[0].port = plaintext_->port();
  config_.listeners[1].port = external_->port();
  config_.advertised_listeners = config_.listeners;
  if (options_.with_controller) {
    StartController();
    RegisterBrokersWithController();
  } else {
    Apply(BrokerRecords());
  }
}

std::vector<metadata::MetadataRecord> AdminHarness::BrokerRecords() const {
  std::vector<metadata::MetadataRecord> out;
  for (int id = 1; id <= 3; ++id) {
    metadata::MetadataRecord rec;
    auto* r = rec.mutable_register_broker();
    r->set_broker_id(id);
    r->set_broker_epoch(0);
    r->set_fenced(false);
    r->mutable_incarnation_id()->set_hi(id);
    r->mutable_incarnation_id()->set_lo(id);
    *r->add_endpoints() = Endpoint("PLAINTEXT", "127.0.0.1", id == kSelf ? port("PLAINTEXT") : 19090 + id);
    if (id != 3) {
      *r->add_endpoints() =
          Endpoint("EXTERNAL", "ext-" + std::to_string(id) + ".example", 29090 + id);
    }
    r->set_replica_address("127.0.0.1:" + std::to_string(39090 + id));
    out.push_back(std::move(rec));
  }
  return out;
}

void AdminHarness::Apply(std::initializer_list<metadata::MetadataRecord> records) {
  Apply(std::vector<metadata::MetadataRecord>(records));
}

void AdminHarness::Apply(const std::vector<metadata::MetadataRecord>& records) {
  ASSERT_FALSE(options_.with_controller) << "metadata comes from the controller";
  std::shared_ptr<const metadata::MetadataImage> before = replicas_->image();
  metadata::MetadataDelta delta(before);
  metadata::MetadataBatch batch;
  for (const auto& r : records) *batch.add_records() = r;
  absl::Status s = delta.ReplayBatch(metadata::MetadataOffset(next_offset_++), batch);
  ASSERT_TRUE(s.ok()) << s;
  replicas_->ApplyMetadata(before, delta.Apply(), delta.LocalChanges(BrokerId(kSelf)));
}

gregor::Uuid AdminHarness::AddTopic(const std::string& name, int partitions,
                                    std::vector<int> replicas) {
  const gregor::Uuid id(0x1000 + std::hash<std::string>()(name) % 0xffff, partitions);
  std::vector<metadata::MetadataRecord> recs;
  metadata::MetadataRecord t;
  t.mutable_topic()->set_name(name);
  metadata::UuidToProto(id, t.mutable_topic()->mutable_topic_id());
  recs.push_back(t);
  for (int p = 0; p < partitions; ++p) {
    metadata::MetadataRecord rec;
    auto* r = rec.mutable_partition();
    metadata::UuidToProto(id, r->mutable_topic_id());
    r->set_partition_id(p);
    for (size_t i = 0; i < replicas.size(); ++i) {
      r->add_replicas(replicas[(i + p) % replicas.size()]);
      r->add_isr(replicas[(i + p) % replicas.size()]);
    }
    r->set_leader(replicas[p % replicas.size()]);
    recs.push_back(rec);
  }
  Apply(recs);
  return id;
}

bool AdminHarness::WaitFor(const std::function<bool(const metadata::MetadataImage&)>& ready,
                           std::chrono::milliseconds timeout) const {
  for (auto waited = std::chrono::milliseconds(0); waited <= timeout;
       waited += std::chrono::milliseconds(5)) {
    if (ready(*replicas_->image())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// ---- with a controller ----

void AdminHarness::StartController() {
  controller::QuorumControllerOptions o;
  o.node_id = NodeId(1);
  o.random_seed = 11;
  o.tick_interval = std::chrono::milliseconds(20);
  o.controller.default_num_partitions = 1;
  o.controller.default_replication_factor = 1;
  // The controller's clock never moves: brokers never miss a heartbeat.
  quorum_ = std::make_unique<controller::QuorumController>(o, &controller_clock_);
  log_ = std::make_unique<controller::testing::InMemoryLog>(quorum_.get());
  quorum_->Start(log_.get());
  controller::ControllerServiceOptions so;
  so.watch_keepalive = std::chrono::milliseconds(100);
  service_ = std::make_unique<controller::ControllerServiceImpl>(quorum_.get(), log_.get(), so);
  grpc::ServerBuilder b;
  int port = 0;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  b.RegisterService(service_.get());
  server_ = b.BuildAndStart();
  controller_address_ = "127.0.0.1:" + std::to_string(port);
  quorum_->OnLeaderChange(NodeId(1), Term(1));

  controller::client::ControllerClientOptions co;
  co.voters = {{NodeId(1), controller_address_}};
  co.total_timeout = std::chrono::seconds(10);
  client_ = std::make_unique<controller::client::ControllerClient>(co);
  ctx_.controller = client_.get();

  controller::client::MetadataFollowerOptions mo;
  mo.client = co;
  ReplicaManager* replicas = replicas_.get();
  follower_ = std::make_unique<controller::client::MetadataFollower>(
      mo, BrokerId(kSelf), [replicas](const controller::client::MetadataUpdateEvent& e) {
        replicas->ApplyMetadata(e.before, e.after, e.changes);
      });
  follower_->Start();
}

void AdminHarness::RegisterBrokersWithController() {
  for (const metadata::MetadataRecord& rec : BrokerRecords()) {
    const auto& r = rec.register_broker();
    controllerpb::RegisterBrokerRequest req;
    req.set_broker_id(r.broker_id());
    *req.mutable_incarnation_id() = r.incarnation_id();
    *req.mutable_endpoints() = r.endpoints();
    req.set_replica_address(r.replica_address());
    auto reg = client_->RegisterBroker(req);
    ASSERT_TRUE(reg.ok()) << reg.status();
    ASSERT_EQ(reg->error().code(), 0) << reg->ShortDebugString();
    broker_epochs_[r.broker_id()] = reg->broker_epoch();
    Heartbeat(r.broker_id(), /*fence=*/false);
  }
  ASSERT_TRUE(WaitFor([](const metadata::MetadataImage& image) {
    int unfenced = 0;
    for (const auto& [id, b] : image.brokers()) unfenced += b->fenced ? 0 : 1;
    return unfenced == 3;
  }));
}

void AdminHarness::Heartbeat(int32_t id, bool fence) {
  controllerpb::BrokerHeartbeatRequest hb;
  hb.set_broker_id(id);
  hb.set_broker_epoch(broker_epochs_.at(id));
  hb.set_current_metadata_offset(quorum_->committed_image()->offset().value());
  hb.set_want_fence(fence);
  auto beat = client_->BrokerHeartbeat(hb);
  ASSERT_TRUE(beat.ok()) << beat.status();
  ASSERT_EQ(beat->error().code(), 0) << beat->ShortDebugString();
  ASSERT_EQ(beat->is_fenced(), fence) << beat->ShortDebugString();
}

void AdminHarness::UseDeadController() {
  controller::client::ControllerClientOptions co;
  co.voters = {{NodeId(1), "127.0.0.1:1"}};
  co.rpc_timeout = std::chrono::milliseconds(50);
  co.total_timeout = std::chrono::milliseconds(300);
  dead_client_ = std::make_unique<controller::client::ControllerClient>(co);
  ctx_.controller = dead_client_.get();
}

}  // namespace gregor::broker::testing
