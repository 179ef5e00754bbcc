// Test harness for the consumer-group handlers: a one-broker "cluster" with
// real storage and replication state (broker/group/testing/test_broker.h), the
// real GroupService, and the real Dispatcher + KafkaServer on loopback with
// the group handlers registered; clients speak the wire protocol at the
// versions real clients use.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_TEST_GROUP_SERVER_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_TEST_GROUP_SERVER_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "broker/config/broker_config.h"
#include "broker/group/group_service.h"
#include "broker/group/testing/test_broker.h"
#include "broker/kafka/broker_context.h"
#include "broker/kafka/dispatcher.h"
#include "broker/kafka/server/event_loops.h"
#include "broker/kafka/server/kafka_server.h"
#include "common/bytes.h"
#include "common/metrics/metrics.h"
#include "gtest/gtest.h"
#include "proto/kafka/messages/headers.h"
#include "proto/kafka/wire_writer.h"

namespace gregor::broker::testing {

// A client connection speaking Kafka frames.
class KafkaTestClient {
 public:
  KafkaTestClient(uint16_t port, std::string client_id);
  ~KafkaTestClient();

  // Sends `req` at `version`; returns its correlation id.
  template <typename Request>
  int32_t Send(const Request& req, int16_t version) {
    kafka::WireWriter w;
    w.WriteInt32(0);
    kafka::RequestHeader h;
    h.request_api_key = Request::kApiKey;
    h.request_api_version = version;
    h.correlation_id = ++correlation_;
    h.client_id = client_id_;
    h.Write(w, Flexible<Request>(version) ? 2 : 1);
    req.Encode(w, version);
    std::string bytes = *std::move(w).FinishFrame().Flatten();
    SendBytes(bytes);
    return correlation_;
  }
  // Receives the next response and decodes it as `Response` at `version`;
  // fails the test when the connection closed or the bytes do not decode.
  template <typename Response>
  Response Receive(int16_t version, int32_t expected_correlation) {
    Response resp;
    std::string frame = ReceiveFrame();
    EXPECT_FALSE(frame.empty()) << "connection closed";
    if (frame.empty()) return resp;
    ByteReader r(frame.data() + 4, frame.size() - 4);
    kafka::ResponseHeader h;
    h.Read(r, Flexible<Response>(version) && Response::kApiKey != 18 ? 1 : 0);
    EXPECT_EQ(h.correlation_id, expected_correlation);
    absl::Status s = resp.Decode(r, version);
    EXPECT_TRUE(s.ok()) << s;
    EXPECT_EQ(r.remaining(), 0u);
    return resp;
  }
  // Send then Receive.
  template <typename Response, typename Request>
  Response Call(const Request& req, int16_t version) {
    int32_t corr = Send(req, version);
    return Receive<Response>(version, corr);
  }

 private:
  template <typename M>
  static bool Flexible(int16_t version) {
    return M::kFirstFlexibleVersion >= 0 && version >= M::kFirstFlexibleVersion;
  }
  void SendBytes(const std::string& bytes);
  std::string ReceiveFrame();
  std::string ReadN(size_t n);

  int fd_ = -1;
  std::string client_id_;
  int32_t correlation_ = 0;
};

struct GroupTestServerOptions {
  int offsets_partitions = 4;
  // Brokers registered; broker 1 (this one) leads everything unless moved.
  int brokers = 1;
  bool create_offsets_topic = true;
  int32_t initial_rebalance_delay_ms = 0;
};

class GroupTestServer {
 public:
  explicit GroupTestServer(GroupTestServerOptions options = {});
  ~GroupTestServer();

  uint16_t port() const { return server_->port(); }
  group::testing::TestBroker& broker() { return broker_; }
  group::GroupService& service() { return *service_; }
  int32_t PartitionFor(const std::string& group) {
    return service_->coordinator()->PartitionFor(group);
  }
  // Waits until the partition of `group` serves it.
  void WaitActive(const std::string& group);
  std::unique_ptr<KafkaTestClient> Connect(const std::string& client_id = "test-client") {
    return std::make_unique<KafkaTestClient>(port(), client_id);
  }

 private:
  GroupTestServerOptions options_;
  group::testing::TestBroker broker_;
  BrokerConfig config_;
  metrics::Registry metrics_;
  BrokerContext ctx_;
  std::unique_ptr<group::GroupService> service_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<EventLoops> loops_;
  std::unique_ptr<KafkaServer> server_;
};

}  // namespace gregor::broker::testing

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_TEST_GROUP_SERVER_H_
