#include "broker/kafka/dispatcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "broker/kafka/handlers/api_versions.h"
#include "gtest/gtest.h"
#include "proto/kafka/messages/api_versions.h"
#include "proto/kafka/messages/metadata.h"

namespace gregor::broker {
namespace {

class Socket {
 public:
  explicit Socket(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~Socket() { ::close(fd_); }
  void Send(const std::string& b) { ASSERT_EQ(::send(fd_, b.data(), b.size(), MSG_NOSIGNAL), (ssize_t)b.size()); }
  // One whole response frame including its size prefix; empty on EOF.
  std::string Recv() {
    std::string size = ReadN(4);
    if (size.size() < 4) return "";
    return size + ReadN(LoadBE32(size.data()));
  }

 private:
  std::string ReadN(size_t n) {
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
      if (r <= 0) return out.substr(0, got);
      got += static_cast<size_t>(r);
    }
    return out;
  }
  int fd_;
};

template <typename Request>
std::string EncodeRequest(const Request& req, int16_t version, int32_t corr) {
  kafka::WireWriter w;
  w.WriteInt32(0);
  kafka::RequestHeader h;
  h.request_api_key = Request::kApiKey;
  h.request_api_version = version;
  h.correlation_id = corr;
  h.client_id = "test-client";
  bool flexible = Request::kFirstFlexibleVersion >= 0 && version >= Request::kFirstFlexibleVersion;
  h.Write(w, flexible ? 2 : 1);
  req.Encode(w, version);
  return *std::move(w).FinishFrame().Flatten();
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dispatcher_ = std::make_unique<Dispatcher>(&metrics_);
    dispatcher_->Add(std::make_unique<ApiVersionsHandler>(dispatcher_.get()));
    loops_ = std::make_unique<EventLoops>(1);
    KafkaServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    server_ = std::make_unique<KafkaServer>(o, loops_.get(), dispatcher_.get());
    ASSERT_TRUE(server_->Start().ok());
    loops_->Start();
  }
  void TearDown() override {
    server_->Stop();
    loops_->Stop();
  }

  metrics::Registry metrics_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<EventLoops> loops_;
  std::unique_ptr<KafkaServer> server_;
};

kafka::ApiVersionsResponse DecodeApiVersions(const std::string& frame, int16_t version,
                                             int32_t* corr) {
  ByteReader r(frame.data() + 4, frame.size() - 4);
  *corr = r.ReadInt32();  // header v0 always
  kafka::ApiVersionsResponse resp;
  EXPECT_TRUE(resp.Decode(r, version).ok());
  EXPECT_EQ(r.remaining(), 0u);
  return resp;
}

TEST_F(DispatcherTest, ApiVersionsAboveOurMaxGetsKafkasV0ErrorAnswer) {
  Socket s(server_->port());
  // franz-go's first request: ApiVersions v5 (flexible header v2).
  kafka::ApiVersionsRequest req;
  req.client_software_name = "kgo";
  req.client_software_version = "v1.22.3";
  kafka::WireWriter w;
  w.WriteInt32(0);
  kafka::RequestHeader h;
  h.request_api_key = 18;
  h.request_api_version = 5;
  h.correlation_id = 1;
  h.client_id = "kgo";
  h.Write(w, 2);
  req.Encode(w, 4);
  s.Send(*std::move(w).FinishFrame().Flatten());
  // Exactly what Kafka 4.1.1 answered (see CLIENTS.md).
  EXPECT_EQ(s.Recv(), std::string("\x00\x00\x00\x10\x00\x00\x00\x01\x00\x23\x00\x00\x00\x01"
                                   "\x00\x12\x00\x00\x00\x04", 20));
  // The client retries with v4 on the same connection.
  s.Send(EncodeRequest(req, 4, 2));
  int32_t corr;
  std::string frame = s.Recv();
  kafka::ApiVersionsResponse resp = DecodeApiVersions(frame, 4, &corr);
  EXPECT_EQ(corr, 2);
  EXPECT_EQ(resp.error_code, 0);
}

TEST_F(DispatcherTest, AdvertisesExactlyTheRegisteredHandlers) {
  Socket s(server_->port());
  for (int16_t v : {0, 1, 2, 3, 4}) {
    kafka::ApiVersionsRequest req;
    req.client_software_name = "apache-kafka-java";
    req.client_software_version = "4.1.1";
    s.Send(EncodeRequest(req, v, 10 + v));
    int32_t corr;
    kafka::ApiVersionsResponse resp = DecodeApiVersions(s.Recv(), v, &corr);
    EXPECT_EQ(corr, 10 + v);
    EXPECT_EQ(resp.error_code, 0);
    ASSERT_EQ(resp.api_keys.size(), 1u);
    EXPECT_EQ(resp.api_keys[0].api_key, 18);
    EXPECT_EQ(resp.api_keys[0].min_version, 0);
    EXPECT_EQ(resp.api_keys[0].max_version, 4);
  }
}

TEST_F(DispatcherTest, CountsRequestsByApiAndVersion) {
  Socket s(server_->port());
  kafka::ApiVersionsRequest req;
  req.client_software_name = "kgo";
  req.client_software_version = "v1.22.3";
  int32_t corr = 0;
  for (int16_t v : {3, 4, 4}) {
    s.Send(EncodeRequest(req, v, ++corr));
    EXPECT_FALSE(s.Recv().empty());
  }
  const std::string text = metrics_.Render();
  EXPECT_NE(text.find("kafka_network_requests_by_version_total{request=\"ApiVersions\","
                      "version=\"3\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kafka_network_requests_by_version_total{request=\"ApiVersions\","
                      "version=\"4\"} 2\n"),
            std::string::npos)
      << text;
  // Versions nobody used have no series.
  EXPECT_EQ(text.find("version=\"0\""), std::string::npos) << text;
  EXPECT_NE(text.find("kafka_network_requests_total{request=\"ApiVersions\"} 3\n"),
            std::string::npos)
      << text;
}

TEST_F(DispatcherTest, InvalidClientSoftwareNameIsInvalidRequest) {
  Socket s(server_->port());
  kafka::ApiVersionsRequest req;
  req.client_software_name = "-bad";
  req.client_software_version = "1";
  s.Send(EncodeRequest(req, 3, 7));
  int32_t corr;
  kafka::ApiVersionsResponse resp = DecodeApiVersions(s.Recv(), 3, &corr);
  EXPECT_EQ(resp.error_code, 42);
}

TEST_F(DispatcherTest, UnknownApiOrVersionClosesTheConnection) {
  {
    Socket s(server_->port());
    kafka::MetadataRequest req;  // no Metadata handler registered here
    s.Send(EncodeRequest(req, 12, 1));
    EXPECT_EQ(s.Recv(), "");
  }
  {
    Socket s(server_->port());
    std::string frame("\x00\x00\x00\x0a\x03\xe7\x00\x00\x00\x00\x00\x01\x00\x00", 14);  // key 999
    s.Send(frame);
    EXPECT_EQ(s.Recv(), "");
  }
  Socket ok(server_->port());
  kafka::ApiVersionsRequest req;
  ok.Send(EncodeRequest(req, 0, 3));
  EXPECT_FALSE(ok.Recv().empty());
  EXPECT_NE(metrics_.Render().find("kafka_network_rejected_requests_total 2"), std::string::npos);
}

TEST_F(DispatcherTest, MalformedBodyClosesTheConnection) {
  Socket s(server_->port());
  // ApiVersions v3 whose compact string length runs past the end.
  std::string frame("\x00\x00\x00\x0f\x00\x12\x00\x03\x00\x00\x00\x05\x00\x01x\x00\x7f", 17);
  frame[3] = static_cast<char>(frame.size() - 4);
  s.Send(frame);
  EXPECT_EQ(s.Recv(), "");
}

}  // namespace
}  // namespace gregor::broker
