// The core's read-only view of what is durable, and MemoryStorage, the
// in-memory implementation used by the tests, the simulation and (as the
// in-memory mirror of RocksDB) the driver.
//
// Storage holds a compacted log: a snapshot at index S (term T_S) followed by
// the entries S+1 .. LastIndex(). FirstIndex() is S+1; TermAt(S) is T_S.
#ifndef GREGOR_CONTROLLER_RAFT_STORAGE_H_
#define GREGOR_CONTROLLER_RAFT_STORAGE_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "controller/raft/types.h"
#include "proto/raft.pb.h"

namespace gregor::controller::raft {

// Read-only interface the core queries. Errors:
//   OutOfRange  the index is below the snapshot (compacted away);
//   NotFound    the index is after LastIndex().
// Implementations must be cheap to query (the core calls them on every
// message); the driver keeps the live log in memory.
class Storage {
 public:
  virtual ~Storage() = default;

  virtual HardState InitialHardState() const = 0;
  // Index of the first entry still stored (snapshot index + 1).
  virtual LogIndex FirstIndex() const = 0;
  virtual LogIndex LastIndex() const = 0;
  // Term of entry `i`, for i in [FirstIndex() - 1, LastIndex()].
  virtual absl::StatusOr<Term> TermAt(LogIndex i) const = 0;
  // Entries [lo, hi), at most `max_bytes` of them by EntryBytes() but at
  // least one. REQUIRES: lo < hi.
  virtual absl::StatusOr<std::vector<raftpb::Entry>> Entries(LogIndex lo, LogIndex hi,
                                                             size_t max_bytes) const = 0;
  // The latest snapshot (index 0 and empty data when none was taken).
  virtual std::shared_ptr<const raftpb::Snapshot> Snapshot() const = 0;
};

// Thread-safe in-memory Storage with the mutators a driver needs.
class MemoryStorage : public Storage {
 public:
  // An empty log whose snapshot lists `voters`.
  explicit MemoryStorage(std::vector<NodeId> voters);

  HardState InitialHardState() const override;
  LogIndex FirstIndex() const override;
  LogIndex LastIndex() const override;
  absl::StatusOr<Term> TermAt(LogIndex i) const override;
  absl::StatusOr<std::vector<raftpb::Entry>> Entries(LogIndex lo, LogIndex hi,
                                                     size_t max_bytes) const override;
  std::shared_ptr<const raftpb::Snapshot> Snapshot() const override;

  void SetHardState(const HardState& hs);

  // Appends entries, first replacing any stored entries at and after
  // entries[0].index. Entries at or below the snapshot are skipped.
  // InvalidArgument if the entries are not contiguous or leave a gap after
  // LastIndex().
  absl::Status Append(const std::vector<raftpb::Entry>& entries);

  // Replaces the whole log with `snapshot` (received from a leader).
  // FailedPrecondition if it is older than the current snapshot.
  absl::Status ApplySnapshot(raftpb::Snapshot snapshot);

  // Records a snapshot of the local state machine at `index` (which must be
  // stored, and newer than the current snapshot) and drops every entry up
  // to and including `compact_to` (REQUIRES compact_to <= index; pass 0 to
  // keep all entries).
  absl::Status CreateSnapshot(LogIndex index, std::string data, LogIndex compact_to);

  // Replaces everything with a state read back from disk: the log starts
  // after (start_index, start_term) — the last compacted entry — and holds
  // `entries`; `snapshot` (start_index <= its index <= last index) is the
  // latest snapshot. A snapshot without voters keeps the current voters.
  // DataLoss when these do not fit together.
  absl::Status Load(const HardState& hs, raftpb::Snapshot snapshot, LogIndex start_index,
                    Term start_term, std::vector<raftpb::Entry> entries);

  // Total EntryBytes() of the stored entries.
  size_t LogBytes() const;

 private:
  LogIndex OffsetLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return LogIndex(ents_[0].index());
  }
  LogIndex LastIndexLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return LogIndex(ents_[0].index() + ents_.size() - 1);
  }
  void CompactLocked(LogIndex to) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  HardState hard_state_ ABSL_GUARDED_BY(mu_);
  // ents_[0] is a dummy holding the snapshot's index and term.
  std::vector<raftpb::Entry> ents_ ABSL_GUARDED_BY(mu_);
  size_t log_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::shared_ptr<const raftpb::Snapshot> snapshot_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gregor::controller::raft

#endif  // GREGOR_CONTROLLER_RAFT_STORAGE_H_
