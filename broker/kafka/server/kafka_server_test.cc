#include "broker/kafka/server/kafka_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <thread>

#include "absl/synchronization/notification.h"
#include "common/bytes.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

// Test frames: correlation id (4 bytes) + payload. Requests whose payload
// starts with "hold" are parked until the test releases them; "close" asks
// for CloseConnection; "none" for NoResponse; "file:<path>" answers with the
// file's bytes through a file piece.
class TestHandler : public RequestHandler {
 public:
  void OnRequest(const ConnectionInfo& conn, std::string frame, Responder r) override {
    std::lock_guard<std::mutex> l(mu_);
    ++requests_;
    std::string corr = frame.substr(4, 4);
    std::string payload = frame.substr(8);
    if (payload.rfind("hold", 0) == 0) {
      held_.push_back({std::move(r), frame});
      return;
    }
    if (payload == "close") {
      r.CloseConnection("asked to");
      return;
    }
    if (payload == "none") {
      r.NoResponse();
      return;
    }
    if (payload.rfind("file:", 0) == 0) {
      r.Send(MakeFileFrame(corr, payload.substr(5)));
      return;
    }
    r.Send(Frame(frame.substr(4)));
  }

  static std::string Frame(const std::string& body) {
    ByteWriter w;
    w.WriteInt32(static_cast<int32_t>(body.size()));
    w.WriteBytes(body);
    return w.Release();
  }

  class FileFrame : public OutgoingFrame {
   public:
    FileFrame(std::string head, int fd, int64_t len) : head_(std::move(head)), fd_(fd) {
      pieces_.push_back(OutgoingPiece{.bytes = head_});
      pieces_.push_back(OutgoingPiece{.fd = fd_, .offset = 0, .length = len});
      pieces_.push_back(OutgoingPiece{.bytes = "!"});
    }
    ~FileFrame() override { ::close(fd_); }
    const std::vector<OutgoingPiece>& pieces() const override { return pieces_; }

   private:
    std::string head_;
    int fd_;
    std::vector<OutgoingPiece> pieces_;
  };

  static std::unique_ptr<OutgoingFrame> MakeFileFrame(const std::string& corr,
                                                      const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY);
    off_t len = ::lseek(fd, 0, SEEK_END);
    ByteWriter w;
    w.WriteInt32(static_cast<int32_t>(4 + len + 1));
    w.WriteBytes(corr);
    return std::make_unique<FileFrame>(w.Release(), fd, len);
  }

  // Completes held requests in the given order (indexes into held_).
  void Release(const std::vector<int>& order) {
    std::vector<std::pair<Responder, std::string>> held;
    {
      std::lock_guard<std::mutex> l(mu_);
      held = std::move(held_);
      held_.clear();
    }
    for (int i : order) {
      auto& [r, frame] = held[i];
      std::thread([r = std::move(r), frame]() mutable { r.Send(Frame(frame.substr(4))); }).join();
    }
  }
  int held() {
    std::lock_guard<std::mutex> l(mu_);
    return static_cast<int>(held_.size());
  }
  int requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  int requests_ = 0;
  std::vector<std::pair<Responder, std::string>> held_;
};

class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~Client() { ::close(fd_); }
  void SendRaw(const std::string& b) {
    ASSERT_EQ(::send(fd_, b.data(), b.size(), MSG_NOSIGNAL), static_cast<ssize_t>(b.size()));
  }
  void Send(int32_t corr, const std::string& payload) {
    ByteWriter w;
    w.WriteInt32(static_cast<int32_t>(8 + payload.size()));
    w.WriteBytes("HDR!");
    w.WriteInt32(corr);
    w.WriteBytes(payload);
    SendRaw(w.data());
  }
  // Reads one response; returns body (without size). Empty on EOF/timeout.
  std::string Recv() {
    std::string size = ReadN(4);
    if (size.size() < 4) return std::string(4, '\xff');
    return ReadN(LoadBE32(size.data()));
  }
  bool Closed() {
    char c;
    return ::recv(fd_, &c, 1, 0) <= 0;
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

class KafkaServerTest : public ::testing::Test {
 protected:
  void StartServer(KafkaServerOptions o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    loops_ = std::make_unique<EventLoops>(2);
    server_ = std::make_unique<KafkaServer>(o, loops_.get(), &handler_);
    ASSERT_TRUE(server_->Start().ok());
    loops_->Start();
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (loops_) loops_->Stop();
    server_.reset();
  }
  uint16_t port() { return server_->port(); }
  void WaitFor(const std::function<bool()>& cond) {
    for (int i = 0; i < 500 && !cond(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(cond());
  }

  TestHandler handler_;
  std::unique_ptr<EventLoops> loops_;
  std::unique_ptr<KafkaServer> server_;
};

int32_t Corr(const std::string& body) { return static_cast<int32_t>(LoadBE32(body.data())); }

TEST_F(KafkaServerTest, AnswersPipelinedRequestsInRequestOrder) {
  StartServer();
  Client c(port());
  c.Send(1, "hold-a");
  c.Send(2, "hold-b");
  c.Send(3, "hold-c");
  c.Send(4, "plain");
  WaitFor([&] { return handler_.held() == 3 && handler_.requests() == 4; });
  handler_.Release({2, 0, 1});  // complete out of order, from other threads
  for (int want = 1; want <= 4; ++want) EXPECT_EQ(Corr(c.Recv()), want);
}

TEST_F(KafkaServerTest, SkipsRequestsWithoutResponse) {
  StartServer();
  Client c(port());
  c.Send(1, "none");
  c.Send(2, "x");
  EXPECT_EQ(Corr(c.Recv()), 2);
}

TEST_F(KafkaServerTest, SendsFileRegionsIntact) {
  StartServer();
  std::string path = ::testing::TempDir() + "/region";
  std::string content(300000, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 7);
  FILE* f = fopen(path.c_str(), "w");
  fwrite(content.data(), 1, content.size(), f);
  fclose(f);
  Client c(port());
  c.Send(9, "file:" + path);
  c.Send(10, "after");
  std::string body = c.Recv();
  ASSERT_EQ(body.size(), 4 + content.size() + 1);
  EXPECT_EQ(Corr(body), 9);
  EXPECT_EQ(body.substr(4, content.size()), content);
  EXPECT_EQ(body.back(), '!');
  EXPECT_EQ(Corr(c.Recv()), 10);
}

TEST_F(KafkaServerTest, ReceivesFramesLargerThanTheReadBuffer) {
  StartServer();
  Client c(port());
  std::string big(3 << 20, 'z');
  c.Send(5, big);
  std::string body = c.Recv();
  EXPECT_EQ(body.size(), 4 + big.size());
  EXPECT_EQ(Corr(body), 5);
}

TEST_F(KafkaServerTest, ClosesOnOversizedOrNegativeSizeAndKeepsServingOthers) {
  KafkaServerOptions o;
  o.socket_request_max_bytes = 1024;
  StartServer(o);
  Client bad(port());
  bad.SendRaw(std::string("\x7f\xff\xff\xff", 4));  // 2 GiB claimed
  EXPECT_TRUE(bad.Closed());
  Client neg(port());
  neg.SendRaw(std::string("\xff\xff\xff\xfe", 4));
  EXPECT_TRUE(neg.Closed());
  Client shorty(port());
  shorty.SendRaw(std::string("\x00\x00\x00\x02zz", 6));
  EXPECT_TRUE(shorty.Closed());
  Client good(port());
  good.Send(7, "ok");
  EXPECT_EQ(Corr(good.Recv()), 7);
}

TEST_F(KafkaServerTest, CloseConnectionFlushesEarlierResponsesFirst) {
  StartServer();
  Client c(port());
  c.Send(1, "a");
  c.Send(2, "close");
  c.Send(3, "never");
  EXPECT_EQ(Corr(c.Recv()), 1);
  EXPECT_TRUE(c.Closed());
}

TEST_F(KafkaServerTest, PausesReadingAtTheInFlightLimit) {
  KafkaServerOptions o;
  o.max_in_flight_requests_per_connection = 2;
  StartServer(o);
  Client c(port());
  c.Send(1, "hold-1");
  c.Send(2, "hold-2");
  c.Send(3, "third");
  WaitFor([&] { return handler_.held() == 2; });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(handler_.requests(), 2);  // the third waits in the socket
  handler_.Release({0, 1});
  EXPECT_EQ(Corr(c.Recv()), 1);
  EXPECT_EQ(Corr(c.Recv()), 2);
  EXPECT_EQ(Corr(c.Recv()), 3);
}

TEST_F(KafkaServerTest, RefusesConnectionsBeyondTheLimit) {
  KafkaServerOptions o;
  o.max_connections = 2;
  StartServer(o);
  Client a(port()), b(port());
  a.Send(1, "x");
  b.Send(1, "x");
  a.Recv();
  b.Recv();
  Client c(port());
  EXPECT_TRUE(c.Closed());
  EXPECT_EQ(server_->connection_count(), 2);
}

TEST_F(KafkaServerTest, ClosesIdleConnections) {
  KafkaServerOptions o;
  o.connections_max_idle = std::chrono::milliseconds(200);
  StartServer(o);
  Client c(port());
  EXPECT_TRUE(c.Closed());
  WaitFor([&] { return server_->connection_count() == 0; });
}

}  // namespace
}  // namespace gregor::broker
