// RaftLog: the core's view of its log — what Storage says is durable plus an
// "unstable" tail (entries and possibly a snapshot) that the driver has not
// persisted yet — with the commit and applied indexes.
//
// Invariants (CHECKed): applied <= committed <= LastIndex();
// FirstIndex() - 1 <= stored snapshot index (whatever was compacted is covered
// by the snapshot); committed entries are never overwritten. A restarted
// log starts with applied = the stored snapshot's index.
//
// Not thread-safe; owned by Raft.
#ifndef GREGOR_CONTROLLER_RAFT_LOG_H_
#define GREGOR_CONTROLLER_RAFT_LOG_H_

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/raft/storage.h"
#include "controller/raft/types.h"

namespace gregor::controller::raft {

class RaftLog {
 public:
  // `storage` must outlive the log.
  explicit RaftLog(const Storage* storage);

  LogIndex FirstIndex() const;
  LogIndex LastIndex() const;
  Term LastTerm() const;
  LogIndex committed() const { return committed_; }
  LogIndex applied() const { return applied_; }

  // Term of entry `i`; nullopt when i is compacted (below FirstIndex() - 1)
  // or after LastIndex().
  std::optional<Term> TermAt(LogIndex i) const;
  bool MatchTerm(LogIndex i, Term t) const;

  // Raft §5.4.1: a candidate whose last entry is (index, term) is at least as
  // up to date as this log.
  bool IsUpToDate(LogIndex last_index, Term last_term) const;

  // Entries [lo, LastIndex()], at most `max_bytes` (at least one).
  // OutOfRange when lo is compacted. REQUIRES: lo <= LastIndex() + 1.
  absl::StatusOr<std::vector<raftpb::Entry>> EntriesFrom(LogIndex lo, size_t max_bytes) const;
  // Entries [lo, hi) (hi <= LastIndex() + 1), at most `max_bytes`.
  absl::StatusOr<std::vector<raftpb::Entry>> Slice(LogIndex lo, LogIndex hi, size_t max_bytes) const;

  // Follower side of AppendEntries: if the entry at `prev_index` has term
  // `prev_term`, appends `entries` (dropping a conflicting suffix), moves the
  // commit index to min(commit, last new index) and returns the last new
  // index. nullopt when the terms do not match.
  std::optional<LogIndex> MaybeAppend(LogIndex prev_index, Term prev_term, LogIndex commit,
                                      const std::vector<raftpb::Entry>& entries);

  // Appends entries after (or over) the current tail; returns LastIndex().
  // REQUIRES: entries[0].index > committed.
  LogIndex Append(std::vector<raftpb::Entry> entries);

  // Largest index <= `index` whose term is <= `term` (the conflict search for
  // fast backtracking), with that term. Stops at the first compacted index.
  std::pair<LogIndex, Term> FindConflictByTerm(LogIndex index, Term term) const;

  // Moves the commit index forward to `to`. REQUIRES: to <= LastIndex().
  void CommitTo(LogIndex to);
  // Commits `to` if the entry there has term `term` (Raft §5.4.2: a leader
  // commits by counting replicas only entries of its own term).
  bool MaybeCommit(LogIndex to, Term term);
  void AppliedTo(LogIndex to);

  // Replaces the log with a snapshot received from the leader (unstable until
  // the driver persists it). Moves committed (and later applied) to its index.
  void Restore(raftpb::Snapshot snapshot);

  // --- Ready support ---------------------------------------------------------
  const std::vector<raftpb::Entry>& unstable_entries() const { return unstable_; }
  const std::optional<raftpb::Snapshot>& unstable_snapshot() const { return unstable_snapshot_; }
  // Committed entries not yet handed out for applying, at most `max_bytes`.
  bool HasNextCommittedEntries() const;
  std::vector<raftpb::Entry> NextCommittedEntries(size_t max_bytes) const;
  // The driver persisted entries up to (index, term) / the snapshot at index.
  void StableTo(LogIndex index, Term term);
  void StableSnapTo(LogIndex index);
  // Last index that is durable and agrees with this log (0 while an
  // unpersisted snapshot replaces the log).
  LogIndex StableLastIndex() const;

 private:
  std::optional<Term> UnstableTerm(LogIndex i) const;
  LogIndex FindConflict(const std::vector<raftpb::Entry>& entries) const;

  const Storage* storage_;
  // Unstable tail: unstable_[k] has index unstable_offset_ + k.
  LogIndex unstable_offset_;
  std::vector<raftpb::Entry> unstable_;
  std::optional<raftpb::Snapshot> unstable_snapshot_;

  LogIndex committed_;
  LogIndex applied_;
};

}  // namespace gregor::controller::raft

#endif  // GREGOR_CONTROLLER_RAFT_LOG_H_
