#include "broker/kafka/server/event_loops.h"

#include <pthread.h>

#include "glog/logging.h"

namespace gregor::broker {

EventLoops::EventLoops(int n, std::string thread_name_prefix)
    : prefix_(std::move(thread_name_prefix)) {
  CHECK_GE(n, 1);
  for (int i = 0; i < n; ++i) loops_.push_back(std::make_unique<Loop>());
}

EventLoops::~EventLoops() { Stop(); }

asio::io_context& EventLoops::Next() {
  return loops_[next_.fetch_add(1, std::memory_order_relaxed) % loops_.size()]->context;
}

void EventLoops::Start() {
  CHECK(!started_);
  started_ = true;
  for (size_t i = 0; i < loops_.size(); ++i) {
    Loop* l = loops_[i].get();
    l->guard.emplace(l->context.get_executor());
    std::string name = prefix_ + "-" + std::to_string(i);
    l->thread = std::thread([l, name] {
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      l->context.run();
    });
  }
}

void EventLoops::Stop() {
  for (auto& l : loops_) {
    l->guard.reset();
    l->context.stop();
  }
  for (auto& l : loops_) {
    if (l->thread.joinable()) l->thread.join();
  }
}

}  // namespace gregor::broker
