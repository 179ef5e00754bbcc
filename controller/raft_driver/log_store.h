// LogStore: the durable half of the Raft driver — log entries, hard state and
// snapshots in RocksDB, in the format of docs/formats/raft_log.md. Every
// write is one synced WriteBatch, so a crash keeps all of it or none.
//
// Open() reads and verifies everything; the driver then serves reads from
// its MemoryStorage mirror and only writes here.
//
// Thread-safety: not thread-safe; the node thread owns it.
#ifndef GREGOR_CONTROLLER_RAFT_DRIVER_LOG_STORE_H_
#define GREGOR_CONTROLLER_RAFT_DRIVER_LOG_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/raft/storage.h"
#include "controller/raft/types.h"
#include "controller/raft_driver/log_format.h"
#include "proto/raft.pb.h"
#include "rocksdb/db.h"

namespace gregor::controller::raft_driver {

// Everything Open() found.
struct StoredState {
  bool fresh = true;                   // a new, empty store
  raft::HardState hard_state;
  raftpb::Snapshot snapshot;           // metadata.index 0 when none
  log_format::LogStart start;          // last compacted entry (0/0: none)
  std::vector<raftpb::Entry> entries;  // start.index + 1 ...

  // Loads this state into a MemoryStorage (which keeps its voters when no
  // snapshot was stored).
  absl::Status LoadInto(raft::MemoryStorage* storage) const;
};

class LogStore {
 public:
  // Opens (creating if missing) the store in `dir` and reads it into
  // `state`. DataLoss on a corrupt or inconsistent store; FailedPrecondition
  // on an unknown format version; the RocksDB error otherwise.
  static absl::StatusOr<std::unique_ptr<LogStore>> Open(const std::string& dir, bool sync,
                                                        StoredState* state);
  ~LogStore();

  // Persists the snapshot, entries and hard state of a Ready (whichever are
  // set) in one synced batch.
  absl::Status SaveReady(const raft::Ready& rd);

  // Records a snapshot of the local state machine and, when `compact` is
  // set, drops the entries up to and including compact->index.
  absl::Status SaveSnapshot(const raftpb::SnapshotMetadata& metadata, std::string_view data,
                            std::optional<log_format::LogStart> compact);

  // Synced writes so far (for benchmarks).
  uint64_t synced_writes() const { return synced_writes_; }

 private:
  LogStore(std::unique_ptr<rocksdb::DB> db, bool sync);
  absl::Status Write(rocksdb::WriteBatch* batch);

  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_options_;
  uint64_t synced_writes_ = 0;
};

}  // namespace gregor::controller::raft_driver

#endif  // GREGOR_CONTROLLER_RAFT_DRIVER_LOG_STORE_H_
