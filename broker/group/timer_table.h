// The coordinator's timers, kept inside the pure state machine: each timer
// has a key (what it is for), a deadline and a small payload. Scheduling a
// key again replaces its previous deadline, as Kafka's coordinator timer
// does. The driver only learns the earliest deadline and calls Tick then.
//
// Not thread-safe.
#ifndef GREGOR_BROKER_GROUP_TIMER_TABLE_H_
#define GREGOR_BROKER_GROUP_TIMER_TABLE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"

namespace gregor::broker::group {

using MonoTime = std::chrono::steady_clock::time_point;

enum class TimerKind : uint8_t {
  kHeartbeat,   // a member's session (or a pending member's) expires
  kJoin,        // the join phase of a rebalance ends
  kSync,        // members that did not SyncGroup in time are removed
  kExpiration,  // the periodic offset/group expiration sweep
};

struct TimerKey {
  TimerKind kind = TimerKind::kHeartbeat;
  std::string group_id;
  std::string member_id;

  friend bool operator==(const TimerKey&, const TimerKey&) = default;
  friend auto operator<=>(const TimerKey&, const TimerKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const TimerKey& k) {
    return H::combine(std::move(h), k.kind, k.group_id, k.member_id);
  }
};

struct TimerPayload {
  // kJoin: whether this is the delayed initial rebalance of a new group, and
  // its delay / remaining budget (Kafka's tryCompleteInitialRebalanceElseSchedule).
  bool initial_rebalance = false;
  int32_t delay_ms = 0;
  int32_t remaining_ms = 0;
  // kSync: the generation the sync deadline belongs to.
  int32_t generation_id = 0;
};

class TimerTable {
 public:
  // Arms `key` at `deadline`, replacing an earlier arming of the same key.
  void Schedule(const TimerKey& key, MonoTime deadline, TimerPayload payload = {});
  void Cancel(const TimerKey& key);
  bool Contains(const TimerKey& key) const { return entries_.contains(key); }
  std::optional<MonoTime> DeadlineOf(const TimerKey& key) const;

  std::optional<MonoTime> NextDeadline() const;
  // Removes and returns the earliest timer due at `now` that was scheduled
  // before sequence number `seq_limit` (so timers armed while firing wait for
  // the next Tick), or nullopt.
  std::optional<std::pair<TimerKey, TimerPayload>> PopDue(MonoTime now, uint64_t seq_limit);
  // Sequence number the next Schedule will get.
  uint64_t next_seq() const { return next_seq_; }

  size_t size() const { return entries_.size(); }
  void Clear();

 private:
  struct Entry {
    MonoTime deadline;
    uint64_t seq = 0;
    TimerPayload payload;
  };
  absl::flat_hash_map<TimerKey, Entry> entries_;
  std::set<std::tuple<MonoTime, uint64_t, TimerKey>> order_;
  uint64_t next_seq_ = 1;
};

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_TIMER_TABLE_H_
