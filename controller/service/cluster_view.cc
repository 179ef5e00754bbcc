#include "controller/service/cluster_view.h"

#include <algorithm>

#include "common/ui/metadata_view.h"

namespace gregor::controller {

namespace {

const char* ViewRole(raft_driver::Role r) {
  switch (r) {
    case raft_driver::Role::kFollower: return "follower";
    case raft_driver::Role::kPreCandidate: return "pre-candidate";
    case raft_driver::Role::kCandidate: return "candidate";
    case raft_driver::Role::kLeader: return "leader";
  }
  return "unknown";
}

std::string AddressOf(const std::map<NodeId, std::string>& addresses, NodeId id) {
  auto it = addresses.find(id);
  return it == addresses.end() ? std::string() : it->second;
}

}  // namespace

void AddQuorum(const NodeStatus& st, const std::map<NodeId, std::string>& addresses,
               ui::ClusterView* view) {
  view->controller_leader = st.leader;
  const bool leader = st.role == raft_driver::Role::kLeader;
  ui::ControllerView self;
  self.id = st.id;
  self.address = AddressOf(addresses, st.id);
  self.role = ViewRole(st.role);
  self.term = st.term;
  self.commit_index = st.commit_index;
  self.last_index = st.last_index;
  if (leader) {
    self.lag = 0;
    self.last_contact_ms = 0;
  }
  view->controllers.push_back(std::move(self));
  for (const auto& p : st.peers) {
    ui::ControllerView c;
    c.id = p.id;
    c.address = p.address.empty() ? AddressOf(addresses, p.id) : p.address;
    // A follower knows only who leads; the leader knows how far each peer is.
    const bool peer_leads = st.leader && *st.leader == p.id;
    c.role = peer_leads ? "leader" : (leader ? "follower" : "unknown");
    // The leader this node follows is in this node's term.
    if (peer_leads) c.term = st.term;
    if (leader) {
      c.last_index = p.match_index;
      c.lag = st.last_index.value() - std::min(st.last_index.value(), p.match_index.value());
      if (p.last_contact_ago) c.last_contact_ms = p.last_contact_ago->count();
    }
    view->controllers.push_back(std::move(c));
  }
  std::sort(view->controllers.begin(), view->controllers.end(),
            [](const ui::ControllerView& a, const ui::ControllerView& b) { return a.id < b.id; });
}

ui::ClusterView ControllerClusterView(const QuorumController& quorum, const MetadataLog& log,
                                      Clock* clock) {
  ui::ClusterView v;
  v.generated_ms = clock->WallMillis();
  const NodeStatus st = log.Status();
  v.served_by = st.id.value();
  v.served_by_role = "controller";
  AddQuorum(st, quorum.options().voter_addresses, &v);
  std::shared_ptr<const metadata::MetadataImage> image = quorum.committed_image();
  if (image != nullptr) ui::AddMetadata(*image, &v);
  return v;
}

}  // namespace gregor::controller
