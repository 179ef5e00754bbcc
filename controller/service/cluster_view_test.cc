#include "controller/service/cluster_view.h"

#include "gtest/gtest.h"

namespace gregor::controller {
namespace {

const std::map<NodeId, std::string> kAddresses = {
    {NodeId(1), "c1:9093"}, {NodeId(2), "c2:9093"}, {NodeId(3), "c3:9093"}};

raft_driver::PeerStatus Peer(int id, uint64_t match, std::optional<int64_t> contact_ms) {
  raft_driver::PeerStatus p;
  p.id = NodeId(id);
  p.match_index = LogIndex(match);
  if (contact_ms) p.last_contact_ago = std::chrono::milliseconds(*contact_ms);
  return p;
}

TEST(ControllerClusterViewTest, TheLeaderShowsEveryVotersLag) {
  NodeStatus st;
  st.id = NodeId(2);
  st.role = raft_driver::Role::kLeader;
  st.leader = NodeId(2);
  st.term = Term(7);
  st.commit_index = LogIndex(95);
  st.last_index = LogIndex(100);
  st.peers = {Peer(1, 100, 12), Peer(3, 60, std::nullopt)};
  ui::ClusterView v;
  AddQuorum(st, kAddresses, &v);
  EXPECT_EQ(v.controller_leader, NodeId(2));
  ASSERT_EQ(v.controllers.size(), 3u);  // sorted by id
  EXPECT_EQ(v.controllers[0].id, NodeId(1));
  EXPECT_EQ(v.controllers[0].role, "follower");
  EXPECT_EQ(v.controllers[0].address, "c1:9093");
  EXPECT_EQ(v.controllers[0].lag, 0u);
  EXPECT_EQ(v.controllers[0].last_contact_ms, 12);
  EXPECT_EQ(v.controllers[1].role, "leader");
  EXPECT_EQ(v.controllers[1].term, Term(7));
  EXPECT_EQ(v.controllers[1].commit_index, LogIndex(95));
  EXPECT_EQ(v.controllers[1].lag, 0u);
  EXPECT_EQ(v.controllers[2].lag, 40u);
  EXPECT_FALSE(v.controllers[2].last_contact_ms.has_value());
  EXPECT_EQ(ui::ToJson(v)["controllers"][1]["is_leader"], true);
}

TEST(ControllerClusterViewTest, AFollowerKnowsItselfAndWhoLeads) {
  NodeStatus st;
  st.id = NodeId(1);
  st.role = raft_driver::Role::kFollower;
  st.leader = NodeId(3);
  st.term = Term(4);
  st.commit_index = LogIndex(10);
  st.last_index = LogIndex(11);
  st.peers = {Peer(2, 0, std::nullopt), Peer(3, 0, std::nullopt)};
  ui::ClusterView v;
  AddQuorum(st, kAddresses, &v);
  ASSERT_EQ(v.controllers.size(), 3u);
  EXPECT_EQ(v.controllers[0].role, "follower");
  EXPECT_EQ(v.controllers[0].term, Term(4));
  EXPECT_EQ(v.controllers[0].last_index, LogIndex(11));
  EXPECT_FALSE(v.controllers[0].lag.has_value());
  EXPECT_EQ(v.controllers[1].role, "unknown");
  EXPECT_FALSE(v.controllers[1].lag.has_value());
  EXPECT_EQ(v.controllers[2].role, "leader");
  EXPECT_EQ(v.controllers[2].term, Term(4));  // the term this node follows it in
  EXPECT_FALSE(v.controllers[2].commit_index.has_value());
}

}  // namespace
}  // namespace gregor::controller
