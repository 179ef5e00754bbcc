#include "broker/kafka/handlers/test_group_server.h"

#include "broker/kafka/handlers/api_versions.h"
#include "broker/kafka/handlers/registry.h"
#include "glog/logging.h"

namespace gregor::broker::testing {

KafkaTestClient::KafkaTestClient(uint16_t port, std::string client_id)
    : client_id_(std::move(client_id)) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  timeval tv{30, 0};  // a guard against hangs
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

KafkaTestClient::~KafkaTestClient() { ::close(fd_); }

void KafkaTestClient::SendBytes(const std::string& bytes) {
  ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(bytes.size()));
}

std::string KafkaTestClient::ReadN(size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
    if (r <= 0) return out.substr(0, got);
    got += static_cast<size_t>(r);
  }
  return out;
}

std::string KafkaTestClient::ReceiveFrame() {
  std::string size = ReadN(4);
  if (size.size() < 4) return "";
  return size + ReadN(LoadBE32(size.data()));
}

GroupTestServer::GroupTestServer(GroupTestServerOptions options) : options_(options) {
  broker_.RegisterBrokers(options_.brokers);
  if (options_.create_offsets_topic) {
    std::vector<int> replicas;
    for (int id = 1; id <= options_.brokers; ++id) replicas.push_back(id);
    broker_.CreateOffsetsTopic(options_.offsets_partitions, replicas, {group::testing::kLocalBroker});
  }
  broker_.CreateTopic("t", 3);

  config_.node_id = group::testing::kLocalBroker;
  config_.offsets_topic_num_partitions = options_.offsets_partitions;
  config_.offsets_topic_replication_factor = 1;
  config_.group_initial_rebalance_delay_ms = options_.initial_rebalance_delay_ms;
  ctx_.config = &config_;
  ctx_.clock = Clock::Real();
  ctx_.metrics = &metrics_;
  ctx_.replicas = broker_.replicas();
  service_ = group::MakeGroupService(&ctx_);
  CHECK(service_->Start().ok());

  dispatcher_ = std::make_unique<Dispatcher>(&metrics_);
  RegisterHandlers(dispatcher_.get(), &ctx_);
  loops_ = std::make_unique<EventLoops>(2);
  KafkaServerOptions so;
  so.host = "127.0.0.1";
  so.port = 0;
  server_ = std::make_unique<KafkaServer>(so, loops_.get(), dispatcher_.get());
  CHECK(server_->Start().ok());
  loops_->Start();
  if (options_.create_offsets_topic) {
    // Serve only once every partition led here is loaded.
    CHECK(group::testing::WaitFor([&] {
      return service_->loader_stats().loads_completed == options_.offsets_partitions;
    }));
  }
}

GroupTestServer::~GroupTestServer() {
  server_->Stop();
  service_->Stop();
  loops_->Stop();
}

void GroupTestServer::WaitActive(const std::string& group) {
  ASSERT_TRUE(group::testing::WaitFor(
      [&] { return service_->coordinator()->IsActive(PartitionFor(group)); }))
      << "the partition of " << group << " never loaded";
}

}  // namespace gregor::broker::testing
