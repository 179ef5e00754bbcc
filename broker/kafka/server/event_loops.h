// A fixed group of event loops (one asio::io_context and one thread each,
// normally one per core). Connections are pinned to one loop; work for a
// connection is posted to its loop, so a connection's state is only touched
// by one thread.
#ifndef GREGOR_BROKER_KAFKA_SERVER_EVENT_LOOPS_H_
#define GREGOR_BROKER_KAFKA_SERVER_EVENT_LOOPS_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "asio.hpp"

namespace gregor::broker {

class EventLoops {
 public:
  // REQUIRES: n >= 1.
  explicit EventLoops(int n, std::string thread_name_prefix = "kafka-loop");
  ~EventLoops();  // Stops and joins.

  EventLoops(const EventLoops&) = delete;
  EventLoops& operator=(const EventLoops&) = delete;

  int size() const { return static_cast<int>(loops_.size()); }
  asio::io_context& loop(int i) { return loops_[i]->context; }
  // Round-robin choice for a new connection. Thread-safe.
  asio::io_context& Next();

  void Start();
  void Stop();  // Idempotent.

 private:
  struct Loop {
    asio::io_context context{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Loop>> loops_;
  std::string prefix_;
  std::atomic<uint32_t> next_{0};
  bool started_ = false;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_SERVER_EVENT_LOOPS_H_
