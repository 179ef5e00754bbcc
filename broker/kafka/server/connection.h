// One client connection of the Kafka listener. Internal to the server:
// handlers see ConnectionInfo and Responder only. All members are used on
// the connection's loop thread.
#ifndef GREGOR_BROKER_KAFKA_SERVER_CONNECTION_H_
#define GREGOR_BROKER_KAFKA_SERVER_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "asio.hpp"
#include "broker/kafka/server/kafka_server.h"

namespace gregor::broker {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::ip::tcp::socket socket, uint64_t id, KafkaServer* server);

  const ConnectionInfo& info() const { return info_; }
  void Start();
  // Closes at once (pending responses are dropped). Safe to call twice.
  void Close(const std::string& reason);
  // Completes request `seq` (on the loop thread).
  void Complete(uint64_t seq, std::unique_ptr<OutgoingFrame> frame, bool close,
                std::string reason);

 private:
  struct Slot {
    bool done = false;
    bool close_after = false;
    std::string close_reason;
    std::unique_ptr<OutgoingFrame> frame;
    int64_t bytes = 0;
  };

  void ReadMore();
  void OnRead(size_t n);
  // Dispatches every complete frame in the read buffer; returns false when
  // the connection was closed or reading must pause.
  bool ParseFrames();
  void ReadLargeFrameBody();
  void Dispatch(std::string frame);
  bool ShouldPause() const;
  void MaybeResume();
  void Flush();
  // Writes from the head of the queue; returns bytes written, 0 on EAGAIN,
  // -1 on error (connection closed).
  int64_t WriteSome();
  void Advance(int64_t n);
  void ArmIdleTimer();

  asio::ip::tcp::socket socket_;
  KafkaServer* server_;
  const KafkaServerOptions& options_;
  ConnectionInfo info_;
  bool closed_ = false;

  // Read side.
  std::vector<char> read_buf_;
  size_t rpos_ = 0;  // first unparsed byte
  size_t wpos_ = 0;  // end of valid data
  bool reading_ = false;
  bool paused_ = false;
  std::string large_frame_;  // a frame bigger than the buffer, being filled
  size_t large_filled_ = 0;

  // Responses, in request order.
  std::deque<Slot> slots_;
  uint64_t first_seq_ = 0;   // seq of slots_.front()
  uint64_t next_seq_ = 0;    // seq for the next request
  int64_t queued_bytes_ = 0; // bytes of completed, unsent responses
  size_t piece_idx_ = 0;     // write position in slots_.front()
  int64_t piece_off_ = 0;
  bool waiting_writable_ = false;

  asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point last_activity_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_SERVER_CONNECTION_H_
