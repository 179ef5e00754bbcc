// Test harness for GroupCoordinatorState: a fake clock, request ids, an
// in-memory __consumer_offsets log that acknowledges appends (automatically
// or by hand), and helpers to build requests. Test-only.
#ifndef GREGOR_BROKER_GROUP_COORDINATOR_TEST_UTIL_H_
#define GREGOR_BROKER_GROUP_COORDINATOR_TEST_UTIL_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "broker/group/coordinator_state.h"
#include "glog/logging.h"

namespace gregor::broker::group::testing {

inline constexpr int64_t kStartWallMs = 1'700'000'000'000;

// A "consumer" protocol subscription to `topics` (version 0 layout).
std::string Subscription(const std::vector<std::string>& topics);

JoinGroupRequest JoinReq(const std::string& group, const std::string& member_id,
                         std::vector<JoinGroupProtocol> protocols = {},
                         int32_t session_timeout_ms = 45000, int32_t rebalance_timeout_ms = 300000,
                         std::optional<std::string> instance_id = std::nullopt);

RequestContext Ctx(int16_t api_version, const std::string& client_id = "client");

class Harness {
 public:
  explicit Harness(CoordinatorOptions options = {}, uint64_t seed = 42);

  GroupCoordinatorState& state() { return *state_; }
  Now now() const { return now_; }

  // Moves time forward by `ms`, firing timers at their deadlines on the way.
  void Advance(int64_t ms);

  // When on (the default), every append is acknowledged with OK right after
  // the call that made it.
  void set_auto_ack(bool on) { auto_ack_ = on; }
  // Appends not yet acknowledged, oldest first.
  const std::vector<AppendRequest>& unacked() const { return unacked_; }
  // Acknowledges one append / all of them, oldest first.
  void Ack(AppendId id, absl::Status status = absl::OkStatus());
  void AckAll(absl::Status status = absl::OkStatus());
  // Every record acknowledged OK, in log order.
  const std::vector<CoordinatorRecord>& log() const { return log_; }

  RequestId Join(const JoinGroupRequest& req, const RequestContext& ctx = Ctx(9));
  RequestId Sync(const SyncGroupRequest& req, const RequestContext& ctx = Ctx(5));
  RequestId Heartbeat(const HeartbeatRequest& req, const RequestContext& ctx = Ctx(4));
  RequestId Leave(const LeaveGroupRequest& req, const RequestContext& ctx = Ctx(5));
  RequestId Commit(const OffsetCommitRequest& req, const RequestContext& ctx = Ctx(9));
  RequestId Fetch(const OffsetFetchRequest& req);
  RequestId DeleteOffsets(const OffsetDeleteRequest& req);
  RequestId DeleteGroups(const std::vector<std::string>& groups);

  // The reply to `id`, if it arrived (and removes it).
  template <typename T>
  std::optional<T> Take(RequestId id) {
    auto it = replies_.find(id);
    if (it == replies_.end()) return std::nullopt;
    CHECK(std::holds_alternative<T>(it->second)) << "reply " << id << " has another type";
    T r = std::get<T>(std::move(it->second));
    replies_.erase(it);
    return r;
  }
  bool Answered(RequestId id) const { return replies_.count(id) > 0; }
  size_t num_unclaimed_replies() const { return replies_.size(); }

  // KIP-394 two-step join (v4+): returns the member id the broker made and
  // the id of the parked second JoinGroup.
  std::pair<std::string, RequestId> JoinTwoStep(JoinGroupRequest req,
                                                const RequestContext& ctx = Ctx(9));

  // Drives `members` (each: member request without id) through a complete
  // first rebalance and sync of `group`; returns their member ids in join
  // order (the first is the leader).
  std::vector<std::string> FormGroup(const std::string& group, int n,
                                     const std::vector<std::string>& topics = {"t"});

  void Absorb(Output& out);

 private:
  std::unique_ptr<GroupCoordinatorState> state_;
  Now now_;
  RequestId next_id_ = 1;
  bool auto_ack_ = true;
  std::vector<AppendRequest> unacked_;
  std::vector<CoordinatorRecord> log_;
  std::map<RequestId, Response> replies_;
};

}  // namespace gregor::broker::group::testing

#endif  // GREGOR_BROKER_GROUP_COORDINATOR_TEST_UTIL_H_
