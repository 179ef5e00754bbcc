// Vocabulary of the pure Raft core: ids, roles, hard state and the Ready
// batch the core hands to its driver. See docs/raft.md for the design.
#ifndef GREGOR_CONTROLLER_RAFT_TYPES_H_
#define GREGOR_CONTROLLER_RAFT_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/strong_int.h"
#include "proto/raft.pb.h"

namespace gregor::controller::raft {

// "No node" on the wire (votes, leader hints). Real node ids are >= 1.
inline constexpr NodeId kNoNode{0};

enum class Role { kFollower, kPreCandidate, kCandidate, kLeader };
std::string_view RoleName(Role role);
inline std::ostream& operator<<(std::ostream& os, Role r) { return os << RoleName(r); }

// What must be durable before the node answers anyone: the current term and
// the vote cast in it (so a node never votes twice in a term), and the commit
// index (so a restarted node can re-apply what it knows is committed without
// waiting for a leader).
struct HardState {
  Term term;
  NodeId vote = kNoNode;
  LogIndex commit;

  bool operator==(const HardState&) const = default;
};

// Volatile state worth reporting; changes are surfaced in Ready.
struct SoftState {
  NodeId leader = kNoNode;
  Role role = Role::kFollower;

  bool operator==(const SoftState&) const = default;
};

// A confirmed read-index request: once the local state machine has applied
// `index`, a read for `context` is linearizable.
struct ReadState {
  LogIndex index;
  std::string context;
};

// Where a proposal landed. It is committed once an entry with this index
// *and this term* is applied; a different term at that index means it was
// lost.
struct Proposal {
  LogIndex index;
  Term term;
};

// One batch of work for the driver. The driver must, in this order:
//   1. persist `snapshot` (if any), then `entries` (replacing any stored
//      entries at and after entries[0].index), then `hard_state` — durably
//      (fsync) when any of them is set;
//   2. send `messages` (only now: a vote or an append acknowledgement
//      promises that the state above is on disk);
//   3. install `snapshot` into the state machine, then apply
//      `committed_entries` in order; serve `read_states` once applied far
//      enough;
//   4. call Raft::Advance(ready).
struct Ready {
  std::optional<SoftState> soft_state;        // set when changed
  std::optional<HardState> hard_state;        // set when changed
  std::optional<raftpb::Snapshot> snapshot;   // received from the leader
  std::vector<raftpb::Entry> entries;         // to append to stable storage
  std::vector<raftpb::Entry> committed_entries;
  std::vector<raftpb::Message> messages;
  std::vector<ReadState> read_states;

  bool MustSync() const { return hard_state.has_value() || snapshot.has_value() || !entries.empty(); }
};

// Typed views of the proto's raw integers.
inline LogIndex IndexOf(const raftpb::Entry& e) { return LogIndex(e.index()); }
inline Term TermOf(const raftpb::Entry& e) { return Term(e.term()); }
// Bytes an entry counts for in size limits (data plus a fixed overhead).
inline size_t EntryBytes(const raftpb::Entry& e) { return e.data().size() + 24; }

std::string_view MessageTypeName(raftpb::MessageType t);
// One-line description of a message, for test output and CHECK messages.
std::string DescribeMessage(const raftpb::Message& m);

}  // namespace gregor::controller::raft

#endif  // GREGOR_CONTROLLER_RAFT_TYPES_H_
