// A broker for handler tests, as real as it gets in one process: a real
// ReplicaManager over a real LogManager in a temporary directory, the real
// Dispatcher and KafkaServer on loopback (two listeners: PLAINTEXT and
// EXTERNAL), and a client socket that sends encoded requests at any version
// and decodes the responses.
//
// Metadata comes either from records the test replays (Apply), or — with
// `with_controller` — from a real QuorumController on an in-memory log,
// served by a real ControllerService over gRPC on loopback: the broker's
// ControllerClient talks to it and a MetadataFollower streams its records
// into the ReplicaManager, exactly as in the broker process.
//
// The cluster: brokers 1 (this one), 2 and 3, all unfenced. Broker 1 and 2
// have PLAINTEXT (127.0.0.1) and EXTERNAL (ext-<id>.example) endpoints;
// broker 3 has only PLAINTEXT.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_TEST_HARNESS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_TEST_HARNESS_H_

#include <chrono>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/config/broker_config.h"
#include "broker/kafka/broker_context.h"
#include "broker/kafka/dispatcher.h"
#include "broker/kafka/server/kafka_server.h"
#include "broker/replica/replica_manager.h"
#include "broker/storage/log_manager.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/metadata/image.h"
#include "common/metrics/metrics.h"
#include "common/thread_pool.h"
#include "gtest/gtest.h"
#include "proto/kafka/messages/headers.h"
#include "proto/kafka/wire_writer.h"
#include "proto/metadata.pb.h"

namespace grpc {
class Server;
}
namespace gregor::controller {
class QuorumController;
class ControllerServiceImpl;
namespace testing {
class InMemoryLog;
}
namespace client {
class ControllerClient;
class MetadataFollower;
}  // namespace client
}  // namespace gregor::controller

namespace gregor::broker::testing {

// A blocking client connection (5 s receive timeout).
class KafkaSocket {
 public:
  explicit KafkaSocket(uint16_t port);
  ~KafkaSocket();
  void Send(const std::string& bytes);
  // One whole response frame including its size prefix; "" on EOF/timeout.
  std::string Recv();

 private:
  std::string ReadN(size_t n);
  int fd_;
};

template <typename Request>
std::string EncodeRequest(const Request& req, int16_t version, int32_t correlation_id,
                          const std::string& client_id = "adminclient-1") {
  kafka::WireWriter w;
  w.WriteInt32(0);
  kafka::RequestHeader h;
  h.request_api_key = Request::kApiKey;
  h.request_api_version = version;
  h.correlation_id = correlation_id;
  h.client_id = client_id;
  const bool flexible =
      Request::kFirstFlexibleVersion >= 0 && version >= Request::kFirstFlexibleVersion;
  h.Write(w, flexible ? 2 : 1);
  req.Encode(w, version);
  EXPECT_TRUE(w.ok()) << w.status();
  return *std::move(w).FinishFrame().Flatten();
}

// Decodes a response frame (with its size prefix). Fails the test on a
// malformed frame or trailing bytes.
template <typename Response>
Response DecodeResponse(const std::string& frame, int16_t version, int32_t* correlation_id) {
  Response resp;
  EXPECT_GE(frame.size(), 8u);
  if (frame.size() < 8) return resp;
  ByteReader r(frame.data() + 4, frame.size() - 4);
  const bool flexible =
      Response::kFirstFlexibleVersion >= 0 && version >= Response::kFirstFlexibleVersion;
  kafka::ResponseHeader h;
  h.Read(r, (flexible && Response::kApiKey != 18) ? 1 : 0);
  if (correlation_id != nullptr) *correlation_id = h.correlation_id;
  absl::Status s = resp.Decode(r, version);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(r.remaining(), 0u);
  return resp;
}

struct HarnessOptions {
  bool with_controller = false;
  // Replaces the default config (applied before the servers start).
  std::function<void(BrokerConfig&)> configure;
};

class AdminHarness {
 public:
  static constexpr int32_t kSelf = 1;

  explicit AdminHarness(HarnessOptions options = {});
  ~AdminHarness();

  // Adds every handler of registry.cc.
  void RegisterAll();
  Dispatcher& dispatcher() { return *dispatcher_; }
  // Starts the listeners and (with a controller) registers and unfences the
  // brokers and waits until this broker's image shows them.
  void Start();

  // Replays records on the current image and applies it to the
  // ReplicaManager (record-driven mode only).
  void Apply(std::initializer_list<metadata::MetadataRecord> records);
  void Apply(const std::vector<metadata::MetadataRecord>& records);
  // The usual cluster's broker registrations (all unfenced).
  std::vector<metadata::MetadataRecord> BrokerRecords() const;
  // A topic with `partitions` partitions replicated on `replicas` (rotated
  // per partition; the first is the leader). Returns its id.
  gregor::Uuid AddTopic(const std::string& name, int partitions, std::vector<int> replicas);

  // Sends `req` at `version` on `listener` and returns the decoded answer.
  template <typename Response, typename Request>
  Response Call(const Request& req, int16_t version, const std::string& listener = "PLAINTEXT") {
    KafkaSocket s(port(listener));
    const int32_t corr = ++correlation_;
    s.Send(EncodeRequest(req, version, corr));
    std::string frame = s.Recv();
    EXPECT_FALSE(frame.empty()) << Request::kName << " v" << version << ": no answer";
    int32_t got = 0;
    Response resp = DecodeResponse<Response>(frame, version, &got);
    EXPECT_EQ(got, corr);
    return resp;
  }
  // Sends a request and expects the connection to be closed without answer.
  template <typename Request>
  bool ClosesConnection(const Request& req, int16_t version) {
    KafkaSocket s(port("PLAINTEXT"));
    s.Send(EncodeRequest(req, version, ++correlation_));
    return s.Recv().empty();
  }

  uint16_t port(const std::string& listener) const;
  BrokerConfig& config() { return config_; }
  BrokerContext& context() { return ctx_; }
  ReplicaManager& replicas() { return *replicas_; }
  std::shared_ptr<const metadata::MetadataImage> image() const { return replicas_->image(); }
  FakeClock& clock() { return clock_; }
  const std::string& dir() const { return dir_; }
  // Waits (polling) until `ready(image)`; false after `timeout`.
  bool WaitFor(const std::function<bool(const metadata::MetadataImage&)>& ready,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  // With a controller:
  controller::QuorumController* quorum() { return quorum_.get(); }
  controller::client::ControllerClient* controller_client() { return client_.get(); }
  // Sends a heartbeat for broker `id` (registered by Start()); `fence`
  // asks the controller to fence it, otherwise it is unfenced.
  void Heartbeat(int32_t id, bool fence);
  // Points ctx.controller at a client of an address nobody answers on
  // (calls fail after ~300 ms).
  void UseDeadController();

 private:
  void StartController();
  void RegisterBrokersWithController();

  HarnessOptions options_;
  std::string dir_;
  FakeClock clock_;
  metrics::Registry metrics_;
  BrokerConfig config_;
  std::unique_ptr<storage::LogManager> logs_;
  std::unique_ptr<ReplicaManager> replicas_;
  std::unique_ptr<ThreadPool> pool_;
  BrokerContext ctx_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<EventLoops> loops_;
  std::unique_ptr<KafkaServer> plaintext_;
  std::unique_ptr<KafkaServer> external_;
  int64_t next_offset_ = 1;
  int32_t correlation_ = 0;

  // Controller side.
  FakeClock controller_clock_;
  std::unique_ptr<controller::QuorumController> quorum_;
  std::unique_ptr<controller::testing::InMemoryLog> log_;
  std::unique_ptr<controller::ControllerServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string controller_address_;
  std::map<int32_t, int64_t> broker_epochs_;
  std::unique_ptr<controller::client::ControllerClient> client_;
  std::unique_ptr<controller::client::ControllerClient> dead_client_;
  std::unique_ptr<controller::client::MetadataFollower> follower_;
};

}  // namespace gregor::broker::testing

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_TEST_HARNESS_H_
