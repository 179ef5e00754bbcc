// The Kafka listener's transport: accepts TCP connections, splits the byte
// stream into size-prefixed request frames, hands each frame to a
// RequestHandler, and writes the responses back in request order (clients
// pipeline requests; Kafka answers each connection in order).
//
// Threading: connections are spread over an EventLoops group; everything
// about one connection runs on its loop's thread. A handler may complete a
// request later from any thread through its Responder.
//
// Limits (KafkaServerOptions): request size (`socket.request.max.bytes`),
// requests in flight per connection and queued response bytes per
// connection (reading pauses beyond them: back-pressure), total
// connections, idle time (`connections.max.idle.ms`).
#ifndef GREGOR_BROKER_KAFKA_SERVER_KAFKA_SERVER_H_
#define GREGOR_BROKER_KAFKA_SERVER_KAFKA_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "asio.hpp"
#include "broker/kafka/server/event_loops.h"
#include "broker/kafka/server/outgoing_frame.h"

namespace gregor::broker {

struct KafkaServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 9092;  // 0: pick a free port (see KafkaServer::port())
  std::string listener_name = "PLAINTEXT";
  int32_t socket_request_max_bytes = 100 * 1024 * 1024;  // Kafka's default
  int max_in_flight_requests_per_connection = 128;
  int64_t max_queued_response_bytes_per_connection = 64 * 1024 * 1024;
  int max_connections = 50000;
  std::chrono::milliseconds connections_max_idle{600000};  // Kafka's default
  int listen_backlog = 1024;
};

class Connection;

// Identifies a connection to handlers. Valid while the connection is open;
// handlers may copy `id`, `peer` and `loop` and use them later.
struct ConnectionInfo {
  uint64_t id = 0;
  std::string peer;           // "ip:port"
  std::string listener_name;
  asio::io_context* loop = nullptr;  // the connection's event loop
};

// Completes one request. Exactly one of Send/NoResponse/CloseConnection must
// be called, from any thread; later calls are ignored. Dropping an
// uncompleted Responder closes the connection (a handler bug) and logs it.
class Responder {
 public:
  Responder() = default;
  Responder(std::weak_ptr<Connection> conn, uint64_t seq)
      : conn_(std::move(conn)), seq_(seq), done_(false) {}
  Responder(Responder&& o) noexcept { *this = std::move(o); }
  Responder& operator=(Responder&& o) noexcept;
  ~Responder();

  void Send(std::unique_ptr<OutgoingFrame> frame);
  void Send(std::string bytes) { Send(std::make_unique<BytesFrame>(std::move(bytes))); }
  // For requests that get no response (Produce with acks=0).
  void NoResponse();
  // Sends nothing for this request, flushes earlier responses, then closes.
  void CloseConnection(std::string reason);
  bool completed() const { return done_; }

 private:
  void Complete(std::unique_ptr<OutgoingFrame> frame, bool close, std::string reason);
  std::weak_ptr<Connection> conn_;
  uint64_t seq_ = 0;
  bool done_ = true;
  friend class Connection;
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Called on the connection's loop thread with one complete request frame
  // (api key, version, correlation id, ... without the 4-byte size prefix).
  // The handler owns `frame` and may modify it in place.
  virtual void OnRequest(const ConnectionInfo& conn, std::string frame, Responder responder) = 0;
  // Called on the loop thread once a connection is gone.
  virtual void OnConnectionClosed(const ConnectionInfo& /*conn*/) {}
};

class KafkaServer {
 public:
  // `loops` and `handler` must outlive the server.
  KafkaServer(KafkaServerOptions options, EventLoops* loops, RequestHandler* handler);
  ~KafkaServer();

  // Binds and starts accepting. The loops must be running (or be started
  // right after).
  absl::Status Start();
  // Stops accepting and closes every connection. Idempotent.
  // REQUIRES: destroy the server only after Stop() and after the event loops
  // have stopped (pending completions refer to it).
  void Stop();

  uint16_t port() const { return port_; }
  int connection_count() const { return connection_count_.load(); }
  int64_t bytes_received() const { return bytes_in_.load(); }
  int64_t bytes_sent() const { return bytes_out_.load(); }

 private:
  friend class Connection;
  void Accept();
  void Register(const std::shared_ptr<Connection>& c);
  void Unregister(uint64_t id);

  KafkaServerOptions options_;
  EventLoops* loops_;
  RequestHandler* handler_;
  asio::io_context& accept_loop_;
  asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<uint64_t> next_id_{1};
  std::atomic<int> connection_count_{0};
  std::atomic<int64_t> bytes_in_{0};
  std::atomic<int64_t> bytes_out_{0};
  std::atomic<bool> stopped_{false};
  absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, std::weak_ptr<Connection>> connections_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_SERVER_KAFKA_SERVER_H_
