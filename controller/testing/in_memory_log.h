// InMemoryLog: a MetadataLog for tests — one voter that commits every
// proposal at once on its own thread (Apply, then the proposer's callback,
// as RaftNode does). It can hold proposals back and fail them on demand.
#ifndef GREGOR_CONTROLLER_TESTING_IN_MEMORY_LOG_H_
#define GREGOR_CONTROLLER_TESTING_IN_MEMORY_LOG_H_

#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "controller/metadata_log.h"

namespace gregor::controller::testing {

class InMemoryLog final : public MetadataLog {
 public:
  explicit InMemoryLog(raft_driver::StateMachine* sm) : sm_(sm), thread_([this] { Loop(); }) {}
  ~InMemoryLog() override {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    thread_.join();
  }

  void Propose(std::string data, ProposeCallback done) override {
    absl::MutexLock lock(&mu_);
    queue_.push_back({std::move(data), std::move(done)});
  }
  NodeStatus Status() const override {
    absl::MutexLock lock(&mu_);
    NodeStatus s;
    s.role = raft_driver::Role::kLeader;
    s.commit_index = LogIndex(entries_.size());
    s.last_index = LogIndex(entries_.size());
    return s;
  }
  absl::StatusOr<std::vector<CommittedEntry>> ReadCommitted(LogIndex from, size_t) const override {
    absl::MutexLock lock(&mu_);
    std::vector<CommittedEntry> out;
    for (uint64_t i = from.value(); i <= entries_.size(); ++i) {
      out.push_back({LogIndex(i), Term(1), false, entries_[i - 1]});
    }
    return out;
  }
  absl::StatusOr<StoredSnapshot> LatestSnapshot() const override {
    return absl::NotFoundError("no snapshot");
  }
  void TransferLeadership(NodeId, raft_driver::DoneCallback done) override {
    done(absl::UnimplementedError("single node"));
  }

  // The next `n` proposals fail with `status` (nothing is appended).
  void FailNext(int n, absl::Status status) {
    absl::MutexLock lock(&mu_);
    fail_count_ = n;
    fail_status_ = status;
  }
  // Holds proposals back until Release().
  void Hold() {
    absl::MutexLock lock(&mu_);
    held_ = true;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    held_ = false;
  }
  // Appends an entry as if another leader had committed it.
  void AppendForeign(std::string data) {
    Propose(std::move(data), [](absl::StatusOr<LogIndex>) {});
  }

 private:
  struct Pending {
    std::string data;
    ProposeCallback done;
  };
  void Loop() {
    while (true) {
      Pending p;
      bool fail = false;
      absl::Status status;
      uint64_t index = 0;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](InMemoryLog* l) { return l->stop_ || (!l->held_ && !l->queue_.empty()); }, this));
        if (stop_) return;
        p = std::move(queue_.front());
        queue_.pop_front();
        if (fail_count_ > 0) {
          --fail_count_;
          fail = true;
          status = fail_status_;
        } else {
          entries_.push_back(p.data);
          index = entries_.size();
        }
      }
      if (fail) {
        p.done(status);
        continue;
      }
      sm_->Apply(LogIndex(index), p.data);
      p.done(LogIndex(index));
    }
  }

  raft_driver::StateMachine* sm_;
  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> entries_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  int fail_count_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status fail_status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace gregor::controller::testing

#endif  // GREGOR_CONTROLLER_TESTING_IN_MEMORY_LOG_H_
