// The broker's shared flusher: a small, bounded pool of threads that runs
// the group-commit fdatasync of every partition log. A log asks for a flush
// (Schedule) when a durability waiter arrives, a segment rolls, or
// flush.messages/flush.ms say so; while one sync of a log runs, further
// requests for it collapse into one follow-up sync that covers everything
// appended meanwhile. The queue holds each log at most once, so its length
// is bounded by the number of logs.
//
// Thread-safe. The destructor drains nothing: it stops the threads after the
// flush each is running.
#ifndef GREGOR_BROKER_STORAGE_FLUSHER_H_
#define GREGOR_BROKER_STORAGE_FLUSHER_H_

#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace gregor::storage {

// Something the flusher can sync (a Log).
class FlushTarget {
 public:
  virtual ~FlushTarget() = default;
  // Runs on a flusher thread; must not block on anything but its own I/O.
  virtual void RunScheduledFlush() = 0;
};

class Flusher {
 public:
  // REQUIRES: threads >= 1.
  explicit Flusher(int threads);
  ~Flusher();
  Flusher(const Flusher&) = delete;
  Flusher& operator=(const Flusher&) = delete;

  // Queues `target`. REQUIRES: the caller's dedup state (FlushTarget's) says
  // it is not queued already.
  void Schedule(std::weak_ptr<FlushTarget> target);

  size_t queued() const;

 private:
  void Loop();

  mutable absl::Mutex mu_;
  std::deque<std::weak_ptr<FlushTarget>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_FLUSHER_H_
