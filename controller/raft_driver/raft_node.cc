#include "controller/raft_driver/raft_node.h"

#include <utility>

#include "controller/raft_driver/raft_node_impl.h"

namespace gregor::controller::raft_driver {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kFollower:
      return "follower";
    case Role::kPreCandidate:
      return "pre-candidate";
    case Role::kCandidate:
      return "candidate";
    case Role::kLeader:
      return "leader";
  }
  return "?";
}

absl::StatusOr<std::unique_ptr<RaftNode>> RaftNode::Open(RaftNodeOptions options,
                                                         StateMachine* state_machine,
                                                         RaftServiceImpl* service) {
  if (absl::Status s = ValidateOptions(options); !s.ok()) return s;
  auto impl = std::make_unique<RaftNodeImpl>(std::move(options), state_machine, service);
  if (absl::Status s = impl->Init(); !s.ok()) return s;
  return std::unique_ptr<RaftNode>(new RaftNode(std::move(impl)));
}

RaftNode::RaftNode(std::unique_ptr<RaftNodeImpl> impl) : impl_(std::move(impl)) {}

RaftNode::~RaftNode() { impl_->Stop(); }

absl::Status RaftNode::Start() { return impl_->Start(); }

void RaftNode::Stop() { impl_->Stop(); }

void RaftNode::Propose(std::string data, ProposeCallback done) {
  impl_->Propose(std::move(data), std::move(done));
}

void RaftNode::ReadIndex(ReadCallback done) { impl_->ReadIndex(std::move(done)); }

void RaftNode::TransferLeadership(NodeId to, DoneCallback done) {
  impl_->TransferLeadership(to, std::move(done));
}

NodeStatus RaftNode::Status() const { return impl_->Status(); }

std::optional<NodeId> RaftNode::Leader() const { return impl_->Status().leader; }

bool RaftNode::IsLeader() const { return impl_->Status().role == Role::kLeader; }

absl::StatusOr<std::vector<CommittedEntry>> RaftNode::ReadCommitted(LogIndex from,
                                                                    size_t max_bytes) const {
  return impl_->ReadCommitted(from, max_bytes);
}

absl::StatusOr<StoredSnapshot> RaftNode::LatestSnapshot() const { return impl_->LatestSnapshot(); }

const RaftNodeOptions& RaftNode::options() const { return impl_->options(); }

}  // namespace gregor::controller::raft_driver
