// QuorumController: runs the Controller logic on top of the Raft metadata log.
//
//  - As the Raft StateMachine it replays every committed MetadataBatch into
//    the committed MetadataImage (Apply), and snapshots/restores that image
//    as its records (Snapshot/Restore). Every controller, leader or not,
//    keeps a current committed image.
//  - On the leader it runs operations one at a time on its own thread, with
//    pipelining: an operation is validated against the committed image plus
//    the records of every operation proposed and not yet committed, its
//    records are proposed, and the next operation may start at once. Replies
//    go out when the records commit. An operation without records replies
//    once everything proposed before it has committed, so a caller never
//    sees state that may still be lost. RegisterBroker is a barrier (its
//    record's epoch is the offset it commits at, unknown until then): it
//    waits for the pipeline to drain and nothing starts until it commits.
//    When a proposal fails (leadership lost, outcome unknown) the
//    speculative state is dropped once the pipeline drains.
//  - A leader-only timer fences brokers whose session expired, runs
//    preferred-leader rebalancing and elects leaders for offline partitions.
//    A new leader activates only after the Raft no-op of its term is applied
//    (its image is complete) and gives every broker a full session timeout
//    of grace; a pause of its own timer longer than half a session extends
//    every session by the pause.
//
// Thread-safety: thread-safe. Submit may be called from any thread; the
// StateMachine methods are called by the Raft node's thread.
#ifndef GREGOR_CONTROLLER_QUORUM_CONTROLLER_H_
#define GREGOR_CONTROLLER_QUORUM_CONTROLLER_H_

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/metadata/image.h"
#include "controller/controller.h"
#include "controller/metadata_log.h"
#include "controller/raft_driver/raft_node.h"
#include "proto/controller.pb.h"

namespace gregor::controller {

struct QuorumControllerOptions {
  ControllerOptions controller;
  NodeId node_id{1};
  // Voter id -> ControllerService address (host:port), for NOT_CONTROLLER
  // hints.
  std::map<NodeId, std::string> voter_addresses;
  // How often the leader's timer runs (liveness, offline elections).
  std::chrono::milliseconds tick_interval{100};
  // Offline-partition elections at most this often.
  std::chrono::milliseconds offline_election_interval{1000};
  // Operations queued behind a barrier or waiting for a reply, at most.
  size_t max_pending_operations = 10'000;
  // A caller waits this long for its reply before REQUEST_TIMED_OUT.
  std::chrono::milliseconds request_timeout{30'000};
  uint64_t random_seed = 0;  // 0: from the OS
};

// Counters and gauges for /metrics and /status.
struct QuorumControllerStats {
  bool active = false;
  std::optional<NodeId> leader;
  Term term;
  metadata::MetadataOffset applied_offset{0};
  int64_t brokers = 0;
  int64_t fenced_brokers = 0;
  int64_t topics = 0;
  int64_t partitions = 0;
  int64_t offline_partitions = 0;
  int64_t preferred_replica_imbalance = 0;
  int64_t reassigning_partitions = 0;
  int64_t operations_committed = 0;
  int64_t operations_failed = 0;
  int64_t records_committed = 0;
  int64_t inflight = 0;
  int64_t fenced_by_liveness = 0;
};

class QuorumController final : public raft_driver::StateMachine {
 public:
  QuorumController(QuorumControllerOptions options, Clock* clock);
  ~QuorumController() override;

  // Starts the controller thread. REQUIRES: `log` outlives the controller.
  void Start(MetadataLog* log);
  // Stops the controller thread; pending operations get NOT_CONTROLLER.
  void Stop();

  // --- operations ------------------------------------------------------------
  // Runs `op` on the active controller and calls `done` with its response
  // (error NOT_CONTROLLER + leader hint when this node is not the leader or
  // lost leadership; REQUEST_TIMED_OUT when the controller is overloaded)
  // and the offset its records committed at (0 without records). `done` runs
  // on an internal thread and must not block.
  template <typename Response>
  void Submit(bool barrier, std::function<ControllerResult<Response>(Controller&, TimePoint)> op,
              std::function<void(Response, int64_t)> done);
  // Blocking form for gRPC handlers (waits at most request_timeout).
  template <typename Response>
  std::pair<Response, int64_t> Call(bool barrier,
                                    std::function<ControllerResult<Response>(Controller&, TimePoint)> op);

  // --- reads (any controller) -----------------------------------------------------
  std::shared_ptr<const metadata::MetadataImage> committed_image() const;
  // Waits until a batch after `offset` is applied or `timeout` passes;
  // returns the applied offset.
  metadata::MetadataOffset WaitForApplied(metadata::MetadataOffset offset,
                                          std::chrono::milliseconds timeout) const;
  controllerpb::LeaderHint LeaderHint() const;
  QuorumControllerStats Stats() const;
  const QuorumControllerOptions& options() const { return options_; }

  // --- raft_driver::StateMachine ------------------------------------------------
  void Apply(LogIndex index, std::string_view data) override;
  std::string Snapshot() override;
  absl::Status Restore(std::string_view data, LogIndex index) override;
  void OnLeaderChange(std::optional<NodeId> leader, Term term) override;

 private:
  // A type-erased operation.
  struct Op {
    bool barrier = false;
    bool internal = false;  // timer work: no caller
    // Computes records; `reply(offset)` answers the caller once they commit
    // (offset 0: failed; `error` then says why).
    std::function<std::vector<metadata::MetadataRecord>(Controller&, TimePoint)> compute;
    std::function<void(int64_t offset, const ApiError& error)> reply;
  };
  struct InFlight {
    uint64_t id;
    bool barrier;
    size_t records;
    std::vector<std::function<void(int64_t, const ApiError&)>> replies;
  };
  struct Event {
    enum Kind { kOp, kProposeDone, kLeader, kStop } kind;
    Op op;
    uint64_t id = 0;
    absl::StatusOr<LogIndex> result = LogIndex(0);
    std::optional<NodeId> leader;
    Term term;
  };

  void Post(Event e);
  void Run();
  void HandleOp(Op op, TimePoint now);
  void HandleProposeDone(uint64_t id, absl::StatusOr<LogIndex> result);
  void HandleLeader(std::optional<NodeId> leader, Term term, TimePoint now);
  void Tick(TimePoint now);
  void DrainWaiting(TimePoint now);
  void FailAll(const ApiError& error);
  ApiError NotController() const;

  const QuorumControllerOptions options_;
  Clock* const clock_;
  MetadataLog* log_ = nullptr;

  // Committed state, written by Apply/Restore on the Raft thread.
  mutable absl::Mutex image_mu_;
  mutable absl::CondVar applied_cv_;
  std::shared_ptr<const metadata::MetadataImage> committed_ ABSL_GUARDED_BY(image_mu_);
  std::optional<NodeId> leader_ ABSL_GUARDED_BY(image_mu_);
  Term term_ ABSL_GUARDED_BY(image_mu_);
  int64_t records_committed_ ABSL_GUARDED_BY(image_mu_) = 0;

  // Event queue.
  absl::Mutex queue_mu_;
  std::deque<Event> queue_ ABSL_GUARDED_BY(queue_mu_);
  std::thread thread_;

  // Owned by the controller thread.
  Controller controller_;
  bool active_ = false;
  uint64_t next_id_ = 1;
  std::deque<InFlight> inflight_;
  std::deque<Op> waiting_;
  bool speculative_dirty_ = false;
  bool barrier_inflight_ = false;
  TimePoint last_tick_{};
  TimePoint last_rebalance_{};
  TimePoint last_offline_election_{};

  // Stats written by the controller thread.
  mutable absl::Mutex stats_mu_;
  bool stats_active_ ABSL_GUARDED_BY(stats_mu_) = false;
  int64_t ops_committed_ ABSL_GUARDED_BY(stats_mu_) = 0;
  int64_t ops_failed_ ABSL_GUARDED_BY(stats_mu_) = 0;
  int64_t inflight_count_ ABSL_GUARDED_BY(stats_mu_) = 0;
  int64_t fenced_by_liveness_ ABSL_GUARDED_BY(stats_mu_) = 0;
};

// ---- template implementation ----

template <typename Response>
void QuorumController::Submit(bool barrier,
                              std::function<ControllerResult<Response>(Controller&, TimePoint)> op,
                              std::function<void(Response, int64_t)> done) {
  auto response = std::make_shared<Response>();
  Op o;
  o.barrier = barrier;
  o.compute = [op = std::move(op), response](Controller& c, TimePoint now) {
    ControllerResult<Response> r = op(c, now);
    *response = std::move(r.response);
    return std::move(r.records);
  };
  o.reply = [this, response, done = std::move(done)](int64_t offset, const ApiError& error) {
    if (!error.ok()) {
      Response failed;
      error.ToProto(failed.mutable_error());
      *failed.mutable_leader() = LeaderHint();
      done(std::move(failed), 0);
      return;
    }
    *response->mutable_leader() = LeaderHint();
    done(std::move(*response), offset);
  };
  Event e{Event::kOp};
  e.op = std::move(o);
  Post(std::move(e));
}

template <typename Response>
std::pair<Response, int64_t> QuorumController::Call(
    bool barrier, std::function<ControllerResult<Response>(Controller&, TimePoint)> op) {
  struct State {
    absl::Mutex mu;
    bool done = false;
    Response response;
    int64_t offset = 0;
  };
  auto state = std::make_shared<State>();
  Submit<Response>(barrier, std::move(op), [state](Response r, int64_t offset) {
    absl::MutexLock lock(&state->mu);
    state->response = std::move(r);
    state->offset = offset;
    state->done = true;
  });
  absl::MutexLock lock(&state->mu);
  if (!state->mu.AwaitWithTimeout(absl::Condition(&state->done),
                                  absl::Milliseconds(options_.request_timeout.count()))) {
    Response timed_out;
    MakeError(KafkaError::kRequestTimedOut).ToProto(timed_out.mutable_error());
    *timed_out.mutable_leader() = LeaderHint();
    return {std::move(timed_out), 0};
  }
  return {std::move(state->response), state->offset};
}

}  // namespace gregor::controller

#endif  // GREGOR_CONTROLLER_QUORUM_CONTROLLER_H_
