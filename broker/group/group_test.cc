#include "broker/group/group.h"

#include "gtest/gtest.h"

namespace gregor::broker::group {
namespace {

Member M(const std::string& id, std::vector<std::string> protocols,
         std::optional<std::string> instance = std::nullopt) {
  Member m;
  m.member_id = id;
  m.group_instance_id = std::move(instance);
  m.protocol_type = "consumer";
  for (const std::string& p : protocols) m.protocols.push_back({p, "md-" + p});
  m.rebalance_timeout_ms = 1000;
  return m;
}

TEST(GroupTest, StateNamesAreKafkas) {
  EXPECT_EQ(GroupStateName(GroupState::kEmpty), "Empty");
  EXPECT_EQ(GroupStateName(GroupState::kPreparingRebalance), "PreparingRebalance");
  EXPECT_EQ(GroupStateName(GroupState::kCompletingRebalance), "CompletingRebalance");
  EXPECT_EQ(GroupStateName(GroupState::kStable), "Stable");
  EXPECT_EQ(GroupStateName(GroupState::kDead), "Dead");
  EXPECT_EQ(GroupStateLowerName(GroupState::kCompletingRebalance), "completingrebalance");
}

// A group restored as Stable gets its first member added while it has
// none: any protocol is acceptable then (regression: the first Add of a
// replayed group failed its CHECK).
TEST(GroupTest, NonEmptyStateGroupWithoutMembersAcceptsAFirstMember) {
  Group g("g", GroupState::kStable, 0);
  g.Restore(3, "consumer", "range", "a", 0);
  EXPECT_TRUE(g.SupportsProtocols("consumer", {{"range", ""}}));
  g.Add(M("a", {"range"}), std::nullopt);
  g.Add(M("b", {"range"}), std::nullopt);
  EXPECT_EQ(g.num_members(), 2u);
  EXPECT_FALSE(g.SupportsProtocols("consumer", {{"roundrobin", ""}}));
  EXPECT_FALSE(g.SupportsProtocols("connect", {{"range", ""}}));
}

TEST(GroupTest, SelectProtocolTakesTheMostVotedCommonProtocol) {
  Group g("g", GroupState::kEmpty, 0);
  g.Add(M("a", {"range", "roundrobin", "sticky"}), std::nullopt);
  g.Add(M("b", {"roundrobin", "range"}), std::nullopt);
  g.Add(M("c", {"roundrobin", "range"}), std::nullopt);
  EXPECT_EQ(g.SelectProtocol(), "roundrobin");  // "sticky" is not common
}

TEST(GroupTest, RemovedLeaderIsReplacedAndRejoinedLeaderKept) {
  Group g("g", GroupState::kEmpty, 0);
  g.Add(M("b", {"range"}), PendingRequest{1, 9});
  g.Add(M("a", {"range"}), std::nullopt);
  EXPECT_EQ(g.leader_id(), "b");  // the first member added
  EXPECT_TRUE(g.MaybeElectNewJoinedLeader());
  EXPECT_EQ(g.leader_id(), "b");
  g.Remove("b");
  EXPECT_EQ(g.leader_id(), "a");
  EXPECT_EQ(g.num_awaiting_join(), 0u);
  // a has not rejoined and nobody else has: no leader can be elected.
  EXPECT_FALSE(g.MaybeElectNewJoinedLeader());
}

TEST(GroupTest, StaticMemberReplacementKeepsAssignmentAndLeadership) {
  Group g("g", GroupState::kEmpty, 0);
  Member s = M("old", {"range"}, "inst");
  s.assignment = "parts";
  g.Add(std::move(s), PendingRequest{5, 9});
  auto [old_member, fresh] = g.ReplaceStaticMember("inst", "old", "new");
  EXPECT_EQ(old_member.awaiting_join->id, 5u);  // the caller fences it
  EXPECT_EQ(fresh->assignment, "parts");
  EXPECT_EQ(g.leader_id(), "new");
  EXPECT_EQ(*g.StaticMemberId("inst"), "new");
  EXPECT_FALSE(g.HasMember("old"));
  EXPECT_EQ(g.num_awaiting_join(), 0u);
}

TEST(GroupTest, HasAllMembersJoinedCountsPendingMembers) {
  Group g("g", GroupState::kEmpty, 0);
  g.Add(M("a", {"range"}), PendingRequest{1, 9});
  EXPECT_TRUE(g.HasAllMembersJoined());
  g.AddPendingMember("p");
  EXPECT_FALSE(g.HasAllMembersJoined());
  g.RemovePendingMember("p");
  EXPECT_TRUE(g.HasAllMembersJoined());
}

TEST(GroupTest, SubscribedTopicsComeFromConsumerSubscriptions) {
  Group g("g", GroupState::kEmpty, 0);
  Member m = M("a", {});
  // version 0, topics ["x", "y"], user data null
  m.protocols = {{"range", std::string("\x00\x00\x00\x00\x00\x02\x00\x01x\x00\x01y\xff\xff\xff\xff", 16)}};
  g.Add(std::move(m), PendingRequest{1, 9});
  g.TransitionTo(GroupState::kPreparingRebalance, 1);
  g.InitNextGeneration(2);
  EXPECT_EQ(g.state(), GroupState::kCompletingRebalance);
  EXPECT_EQ(g.protocol_name(), "range");
  EXPECT_TRUE(g.IsSubscribedToTopic("x"));
  EXPECT_FALSE(g.IsSubscribedToTopic("z"));
}

}  // namespace
}  // namespace gregor::broker::group
