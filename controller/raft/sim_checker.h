// SimChecker: the safety properties of Raft, checked by the simulation after
// every step against global knowledge no real node has.
//
//   election safety       at most one leader per term, ever;
//   log matching          an (index, term) pair always names the same entry,
//                         with the same predecessor term (by induction: logs
//                         that agree on an entry agree on everything before);
//                         plus a periodic pairwise comparison of whole logs;
//   leader completeness   a new leader's log holds every committed entry;
//   state machine safety  no two nodes consider different entries committed
//                         or apply different entries at one index, and every
//                         node applies each index once, in order;
//   durability            the highest committed entry is on the disks of a
//                         quorum (so no crash can lose it);
//   persisted hard state  a node's term and commit never go back on disk and
//                         it never records two votes in one term;
//   snapshots             every snapshot matches the state machine hash at
//                         its index and the committed term there;
//   linearizable reads    a read-index result is at least the highest commit
//                         index anyone knew when the read was issued.
//
// The first violation is kept (later ones are usually consequences).
// Not thread-safe.
#ifndef GREGOR_CONTROLLER_RAFT_SIM_CHECKER_H_
#define GREGOR_CONTROLLER_RAFT_SIM_CHECKER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "controller/raft/raft.h"
#include "controller/raft/storage.h"

namespace gregor::controller::raft::sim {

uint64_t ContentHash(const raftpb::Entry& e);

class SimChecker {
 public:
  explicit SimChecker(int nodes);

  bool ok() const { return failure_.empty(); }
  const std::string& failure() const { return failure_; }

  // After any event that touched `id` (nullptr raft: the node is down).
  void CheckNode(int id, const Raft* raft);
  // The node restarted from disk.
  void OnRestart(int id);
  // The node persisted a Ready.
  void OnPersisted(int id, const Ready& rd, const MemoryStorage& disk);
  // The node applied `e`; its state machine hash is now `hash_after`.
  void OnApplied(int id, const raftpb::Entry& e, LogIndex applied_before, uint64_t hash_after);
  // A snapshot was created (or installed) at `index` with `term` and state
  // hash `hash`.
  void OnSnapshot(int id, LogIndex index, Term term, uint64_t hash, const char* what);
  // The highest committed entry must be on a quorum of disks.
  void CheckDurability(const std::vector<const MemoryStorage*>& disks);
  // Pairwise comparison of the logs of the running nodes.
  void CheckLogMatching(const std::vector<const Raft*>& rafts);
  // Read-index linearizability.
  void OnReadIssued(const std::string& context);
  void OnReadServed(int id, const std::string& context, LogIndex index);

  LogIndex max_committed() const { return max_committed_; }
  uint64_t max_term() const { return max_term_; }
  size_t leaders_elected() const { return leaders_.size(); }

  void Fail(std::string what);

 private:
  struct EntryRecord {
    uint64_t content;
    uint64_t prev_term;  // 0 when unknown (compacted)
  };
  struct NodeView {
    Role role = Role::kFollower;
    Term term;
    LogIndex commit_seen;
    uint64_t disk_term = 0;
    uint64_t disk_commit = 0;
    std::map<uint64_t, uint64_t> disk_votes;  // term -> vote persisted
  };

  void CheckEntry(int id, const raftpb::Entry& e, std::optional<Term> prev_term);
  void RecordCommitted(int id, LogIndex index, Term term);
  void CheckLeaderCompleteness(int id, const Raft& raft);

  int quorum_;
  std::string failure_;
  std::vector<NodeView> nodes_;  // by id (index 0 unused)
  std::map<uint64_t, int> leaders_;  // term -> leader
  uint64_t max_term_ = 0;
  // (index, term) -> entry identity.
  std::unordered_map<uint64_t, std::unordered_map<uint64_t, EntryRecord>> entries_;
  std::vector<uint64_t> committed_terms_;  // by index; 0 = unknown
  std::vector<uint64_t> applied_content_;  // by index; 0 = unknown
  std::vector<uint64_t> sm_hash_;          // by index; 0 = unknown
  LogIndex max_committed_;
  std::unordered_map<std::string, LogIndex> reads_;  // context -> commit at issue
};

}  // namespace gregor::controller::raft::sim

#endif  // GREGOR_CONTROLLER_RAFT_SIM_CHECKER_H_
