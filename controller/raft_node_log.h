// RaftNodeLog: the MetadataLog of a real raft_driver::RaftNode.
#ifndef GREGOR_CONTROLLER_RAFT_NODE_LOG_H_
#define GREGOR_CONTROLLER_RAFT_NODE_LOG_H_

#include "controller/metadata_log.h"
#include "controller/raft_driver/raft_node.h"

namespace gregor::controller {

class RaftNodeLog final : public MetadataLog {
 public:
  explicit RaftNodeLog(raft_driver::RaftNode* node) : node_(node) {}
  void Propose(std::string data, ProposeCallback done) override {
    node_->Propose(std::move(data), std::move(done));
  }
  NodeStatus Status() const override { return node_->Status(); }
  absl::StatusOr<std::vector<CommittedEntry>> ReadCommitted(LogIndex from,
                                                            size_t max_bytes) const override {
    return node_->ReadCommitted(from, max_bytes);
  }
  absl::StatusOr<StoredSnapshot> LatestSnapshot() const override { return node_->LatestSnapshot(); }
  void TransferLeadership(NodeId to, raft_driver::DoneCallback done) override {
    node_->TransferLeadership(to, std::move(done));
  }

 private:
  raft_driver::RaftNode* node_;
};

}  // namespace gregor::controller

#endif  // GREGOR_CONTROLLER_RAFT_NODE_LOG_H_
