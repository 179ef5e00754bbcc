// MetadataLog: what the quorum controller needs from the Raft node — propose
// an entry, read committed entries and the latest snapshot (for
// WatchMetadata), and the node's status. RaftNodeLog (raft_node_log.h)
// adapts the real raft_driver::RaftNode; tests may use a log of their own.
//
// Thread-safety: implementations are thread-safe; callbacks run on the log's
// own thread and must not block.
#ifndef GREGOR_CONTROLLER_METADATA_LOG_H_
#define GREGOR_CONTROLLER_METADATA_LOG_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/raft_driver/raft_node.h"

namespace gregor::controller {

using raft_driver::CommittedEntry;
using raft_driver::NodeStatus;
using raft_driver::ProposeCallback;
using raft_driver::StoredSnapshot;

class MetadataLog {
 public:
  virtual ~MetadataLog() = default;
  // See RaftNode::Propose: `done` gets the index once committed and applied.
  virtual void Propose(std::string data, ProposeCallback done) = 0;
  virtual NodeStatus Status() const = 0;
  virtual absl::StatusOr<std::vector<CommittedEntry>> ReadCommitted(LogIndex from,
                                                                    size_t max_bytes) const = 0;
  virtual absl::StatusOr<StoredSnapshot> LatestSnapshot() const = 0;
  // Hands leadership to `to` (clean shutdown); `done` as in RaftNode.
  virtual void TransferLeadership(NodeId to, raft_driver::DoneCallback done) = 0;
};

}  // namespace gregor::controller

#endif  // GREGOR_CONTROLLER_METADATA_LOG_H_
