// Scenario tests of the classic membership protocol: JoinGroup, SyncGroup,
// Heartbeat, LeaveGroup, rebalances, static membership.
#include <regex>

#include "broker/group/coordinator_state.h"
#include "broker/group/coordinator_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gregor::broker::group {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using testing::Ctx;
using testing::Harness;
using testing::JoinReq;
using testing::Subscription;

SyncGroupRequest SyncReq(const std::string& group, int32_t generation, const std::string& member,
                         std::vector<SyncGroupAssignment> assignments = {}) {
  SyncGroupRequest s;
  s.group_id = group;
  s.generation_id = generation;
  s.member_id = member;
  s.protocol_type = "consumer";
  s.protocol_name = "range";
  s.assignments = std::move(assignments);
  return s;
}

HeartbeatRequest Hb(const std::string& group, int32_t generation, const std::string& member) {
  return HeartbeatRequest{group, generation, member, std::nullopt};
}

std::vector<std::string> MemberIds(const JoinGroupResponse& r) {
  std::vector<std::string> ids;
  for (const auto& m : r.members) ids.push_back(m.member_id);
  return ids;
}

TEST(JoinGroupTest, SingleMemberJoinsWithKip394AndTheInitialDelay) {
  Harness h;
  RequestId first = h.Join(JoinReq("g", ""), Ctx(9, "console-consumer"));
  auto r1 = h.Take<JoinGroupResponse>(first);
  ASSERT_TRUE(r1.has_value());
  EXPECT_EQ(r1->error, ErrorCode::kMemberIdRequired);
  EXPECT_EQ(r1->generation_id, -1);
  EXPECT_EQ(r1->protocol_name, std::nullopt);
  EXPECT_EQ(r1->leader, "");
  EXPECT_TRUE(r1->members.empty());
  // As Kafka: "<clientId>-<uuid>".
  EXPECT_TRUE(std::regex_match(
      r1->member_id,
      std::regex("console-consumer-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << r1->member_id;
  // Creating the group wrote its empty metadata record.
  ASSERT_EQ(h.log().size(), 1u);

  JoinGroupRequest again = JoinReq("g", r1->member_id);
  RequestId second = h.Join(again, Ctx(9, "console-consumer"));
  EXPECT_FALSE(h.Answered(second));
  EXPECT_EQ(h.state().FindGroup("g")->state(), GroupState::kPreparingRebalance);
  h.Advance(2999);
  EXPECT_FALSE(h.Answered(second));
  h.Advance(1);
  auto r2 = h.Take<JoinGroupResponse>(second);
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->error, ErrorCode::kNone);
  EXPECT_EQ(r2->generation_id, 1);
  EXPECT_EQ(r2->protocol_type, "consumer");
  EXPECT_EQ(r2->protocol_name, "range");
  EXPECT_EQ(r2->leader, r1->member_id);
  EXPECT_EQ(r2->member_id, r1->member_id);
  EXPECT_FALSE(r2->skip_assignment);
  EXPECT_THAT(MemberIds(*r2), ElementsAre(r1->member_id));
  EXPECT_EQ(r2->members[0].metadata, Subscription({"t"}));
  EXPECT_EQ(h.state().FindGroup("g")->state(), GroupState::kCompletingRebalance);
}

TEST(JoinGroupTest, OldClientsGetTheirMemberIdInTheFirstResponse) {
  Harness h;
  // kafka-python 2.0.2 speaks JoinGroup v2: no MEMBER_ID_REQUIRED round trip.
  RequestId j = h.Join(JoinReq("g", "", {}, 10000), Ctx(2, "kafka-python-2.0.2"));
  EXPECT_FALSE(h.Answered(j));
  h.Advance(3000);
  auto r = h.Take<JoinGroupResponse>(j);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error, ErrorCode::kNone);
  EXPECT_EQ(r->generation_id, 1);
  EXPECT_TRUE(r->member_id.starts_with("kafka-python-2.0.2-")) << r->member_id;
  EXPECT_EQ(r->leader, r->member_id);
}

TEST(JoinGroupTest, TwoMembersJoinTogetherAndTheDelayIsExtended) {
  Harness h;
  auto [a, ja] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "a"));
  h.Advance(2000);
  auto [b, jb] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "b"));
  // The first delay ends at 3000 but b joined during it: wait another 3000.
  h.Advance(1000);
  EXPECT_FALSE(h.Answered(ja));
  h.Advance(2999);
  EXPECT_FALSE(h.Answered(ja));
  h.Advance(1);
  auto ra = h.Take<JoinGroupResponse>(ja);
  auto rb = h.Take<JoinGroupResponse>(jb);
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->leader, a);
  EXPECT_EQ(rb->leader, a);
  EXPECT_THAT(MemberIds(*ra), UnorderedElementsAre(a, b));
  EXPECT_TRUE(rb->members.empty());  // followers do not get the member list
  EXPECT_EQ(ra->generation_id, 1);
  EXPECT_EQ(rb->generation_id, 1);
}

TEST(JoinGroupTest, ThreeMembersKeepExtendingTheDelayUntilNobodyNewArrives) {
  Harness h;
  auto [a, ja] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "a"));
  h.Advance(2500);
  auto [b, jb] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "b"));
  h.Advance(2500);  // t=5000: first extension at 3000 ends at 6000
  auto [c, jc] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "c"));
  h.Advance(1000);  // t=6000: c arrived in time, extended to 9000
  EXPECT_FALSE(h.Answered(ja));
  h.Advance(3000);  // t=9000
  auto ra = h.Take<JoinGroupResponse>(ja);
  ASSERT_TRUE(ra.has_value());
  EXPECT_THAT(MemberIds(*ra), UnorderedElementsAre(a, b, c));
  EXPECT_TRUE(h.Answered(jb));
  EXPECT_TRUE(h.Answered(jc));
}

TEST(JoinGroupTest, InitialDelayIsCappedByTheRebalanceTimeout) {
  CoordinatorOptions o;
  Harness h(o);
  // Rebalance timeout 5000: 3000 of delay, then at most 2000 more.
  auto [a, ja] = h.JoinTwoStep(JoinReq("g", "", {}, 45000, 5000), Ctx(9, "a"));
  h.Advance(1000);
  auto [b, jb] = h.JoinTwoStep(JoinReq("g", "", {}, 45000, 5000), Ctx(9, "b"));
  h.Advance(2000);  // t=3000: extended by min(3000, 2000)
  h.Advance(1000);
  auto [c, jc] = h.JoinTwoStep(JoinReq("g", "", {}, 45000, 5000), Ctx(9, "c"));
  EXPECT_FALSE(h.Answered(ja));
  h.Advance(1000);  // t=5000: no budget left although c is new
  EXPECT_TRUE(h.Answered(ja));
  EXPECT_TRUE(h.Answered(jc));
}

TEST(JoinGroupTest, ProtocolIsChosenByVoteAmongThoseAllMembersSupport) {
  Harness h;
  std::string md = Subscription({"t"});
  auto [a, ja] = h.JoinTwoStep(JoinReq("g", "", {{"range", md}, {"roundrobin", md}}), Ctx(9, "a"));
  auto [b, jb] = h.JoinTwoStep(JoinReq("g", "", {{"roundrobin", md}, {"range", md}}), Ctx(9, "b"));
  auto [c, jc] = h.JoinTwoStep(JoinReq("g", "", {{"range", md}, {"roundrobin", md}}), Ctx(9, "c"));
  h.Advance(6000);
  auto r = h.Take<JoinGroupResponse>(jb);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->protocol_name, "range");  // two votes to one
}

TEST(JoinGroupTest, MemberWithoutACommonProtocolIsRejected) {
  Harness h;
  std::string md = Subscription({"t"});
  auto [a, ja] = h.JoinTwoStep(JoinReq("g", "", {{"range", md}}), Ctx(9, "a"));
  auto r = h.Take<JoinGroupResponse>(h.Join(JoinReq("g", "", {{"cooperative-sticky", md}}), Ctx(9, "b")));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error, ErrorCode::kInconsistentGroupProtocol);
  JoinGroupRequest other_type = JoinReq("g", "");
  other_type.protocol_type = "connect";
  r = h.Take<JoinGroupResponse>(h.Join(other_type, Ctx(9, "b")));
  EXPECT_EQ(r->error, ErrorCode::kInconsistentGroupProtocol);
}

TEST(JoinGroupTest, BadRequestsAreRefusedUpFront) {
  Harness h;
  auto r = h.Take<JoinGroupResponse>(h.Join(JoinReq("", "")));
  EXPECT_EQ(r->error, ErrorCode::kInvalidGroupId);
  r = h.Take<JoinGroupResponse>(h.Join(JoinReq("g", "", {}, 5999)));
  EXPECT_EQ(r->error, ErrorCode::kInvalidSessionTimeout);
  r = h.Take<JoinGroupResponse>(h.Join(JoinReq("g", "", {}, 1800001)));
  EXPECT_EQ(r->error, ErrorCode::kInvalidSessionTimeout);
  // A member id for a group that does not exist.
  r = h.Take<JoinGroupResponse>(h.Join(JoinReq("nope", "someone")));
  EXPECT_EQ(r->error, ErrorCode::kUnknownMemberId);
  EXPECT_EQ(h.state().FindGroup("nope"), nullptr);
}

TEST(JoinGroupTest, PendingMemberIdExpiresAfterTheSessionTimeout) {
  Harness h;
  auto r = h.Take<JoinGroupResponse>(h.Join(JoinReq("g", "", {}, 10000), Ctx(9, "a")));
  ASSERT_EQ(r->error, ErrorCode::kMemberIdRequired);
  EXPECT_EQ(h.state().FindGroup("g")->num_pending_members(), 1u);
  h.Advance(10000);
  EXPECT_EQ(h.state().FindGroup("g")->num_pending_members(), 0u);
  // The id is forgotten: the group is Empty, so the member is unknown.
  auto late = h.Take<JoinGroupResponse>(h.Join(JoinReq("g", r->member_id), Ctx(9, "a")));
  EXPECT_EQ(late->error, ErrorCode::kUnknownMemberId);
}

TEST(JoinGroupTest, GroupMaxSizeRefusesExtraMembers) {
  CoordinatorOptions o;
  o.group_max_size = 1;
  Harness h(o);
  auto ids = h.FormGroup("g", 1);
  auto r = h.Take<JoinGroupResponse>(h.Join(JoinReq("g", ""), Ctx(9, "b")));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error, ErrorCode::kGroupMaxSizeReached);
  EXPECT_EQ(h.state().FindGroup("g")->num_members(), 1u);
}

TEST(SyncGroupTest, FollowerWaitsForTheLeadersAssignment) {
  Harness h;
  h.set_auto_ack(false);
  auto [a, ja] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "a"));
  auto [b, jb] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "b"));
  h.AckAll();
  h.Advance(6000);
  ASSERT_TRUE(h.Take<JoinGroupResponse>(ja) && h.Take<JoinGroupResponse>(jb));

  RequestId sb = h.Sync(SyncReq("g", 1, b));
  EXPECT_FALSE(h.Answered(sb));
  RequestId sa = h.Sync(SyncReq("g", 1, a, {{a, "for-a"}, {b, "for-b"}}));
  // Persisting first: nobody is answered before the record is acknowledged.
  EXPECT_FALSE(h.Answered(sa));
  EXPECT_FALSE(h.Answered(sb));
  ASSERT_EQ(h.unacked().size(), 1u);
  h.AckAll();
  auto ra = h.Take<SyncGroupResponse>(sa);
  auto rb = h.Take<SyncGroupResponse>(sb);
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->error, ErrorCode::kNone);
  EXPECT_EQ(ra->assignment, "for-a");
  EXPECT_EQ(rb->assignment, "for-b");
  EXPECT_EQ(rb->protocol_type, "consumer");
  EXPECT_EQ(rb->protocol_name, "range");
  EXPECT_EQ(h.state().FindGroup("g")->state(), GroupState::kStable);

  // The record holds the generation and both assignments.
  auto value = DecodeGroupMetadataValue(*h.log().back().value);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->generation, 1);
  EXPECT_EQ(value->protocol, "range");
  EXPECT_EQ(value->leader, a);
  ASSERT_EQ(value->members.size(), 2u);
  for (const auto& m : value->members) {
    EXPECT_EQ(m.assignment, m.member_id == a ? "for-a" : "for-b");
    EXPECT_EQ(m.client_host, "/127.0.0.1");
    EXPECT_EQ(m.session_timeout_ms, 45000);
    EXPECT_EQ(m.rebalance_timeout_ms, 300000);
  }
}

TEST(SyncGroupTest, MembersLeftOutOfTheAssignmentGetAnEmptyOne) {
  Harness h;
  auto [a, ja] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "a"));
  auto [b, jb] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "b"));
  h.Advance(6000);
  RequestId sb = h.Sync(SyncReq("g", 1, b));
  RequestId sa = h.Sync(SyncReq("g", 1, a, {{a, "x"}}));
  EXPECT_EQ(h.Take<SyncGroupResponse>(sb)->assignment, "");
  EXPECT_EQ(h.Take<SyncGroupResponse>(sa)->assignment, "x");
}

TEST(SyncGroupTest, ErrorsFollowKafka) {
  Harness h;
  auto ids = h.FormGroup("g", 2);
  auto err = [&](SyncGroupRequest s, int16_t version = 5) {
    return h.Take<SyncGroupResponse>(h.Sync(s, Ctx(version)))->error;
  };
  EXPECT_EQ(err(SyncReq("nope", 1, ids[0])), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(err(SyncReq("g", 1, "stranger")), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(err(SyncReq("g", 7, ids[0])), ErrorCode::kIllegalGeneration);
  SyncGroupRequest wrong_name = SyncReq("g", 1, ids[0]);
  wrong_name.protocol_name = "roundrobin";
  EXPECT_EQ(err(wrong_name), ErrorCode::kInconsistentGroupProtocol);
  SyncGroupRequest no_protocol = SyncReq("g", 1, ids[0]);
  no_protocol.protocol_type.reset();
  no_protocol.protocol_name.reset();
  EXPECT_EQ(err(no_protocol, 5), ErrorCode::kInconsistentGroupProtocol);  // mandatory from v5
  EXPECT_EQ(err(no_protocol, 3), ErrorCode::kNone);
  SyncGroupRequest empty_id = SyncReq("", 1, ids[0]);
  EXPECT_EQ(err(empty_id), ErrorCode::kInvalidGroupId);
  // During a rebalance.
  h.Join(JoinReq("g", ids[0]));
  EXPECT_EQ(err(SyncReq("g", 1, ids[1])), ErrorCode::kRebalanceInProgress);
}

TEST(RebalanceTest, FollowerRejoiningWithSameMetadataKeepsTheGeneration) {
  Harness h;
  auto ids = h.FormGroup("g", 2);
  auto r = h.Take<JoinGroupResponse>(h.Join(JoinReq("g", ids[1])));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error, ErrorCode::kNone);
  EXPECT_EQ(r->generation_id, 1);
  EXPECT_EQ(r->leader, ids[0]);
  EXPECT_EQ(h.state().FindGroup("g")->state(), GroupState::kStable);
}

TEST(RebalanceTest, LeaderRejoiningStartsARebalanceTheOthersFollow) {
  Harness h;
  auto ids = h.FormGroup("g", 2);
  RequestId ja = h.Join(JoinReq("g", ids[0]));
  EXPECT_FALSE(h.Answered(ja));
  EXPECT_EQ(h.state().FindGroup("g")->state(), GroupState::kPreparingRebalance);
  // The follower learns it from its heartbeat, and rejoins.
  EXPECT_EQ(h.Take<HeartbeatResponse>(h.Heartbeat(Hb("g", 1, ids[1])))->error,
            ErrorCode::kRebalanceInProgress);
  RequestId jb = h.Join(JoinReq("g", ids[1]));
  // Everybody is back: no delay for a non-empty group.
  auto ra = h.Take<JoinGroupResponse>(ja);
  auto rb = h.Take<JoinGroupResponse>(jb);
  ASSERT_TRUE(ra && rb);
  EXPECT_EQ(ra->generation_id, 2);
  EXPECT_EQ(ra->leader, ids[0]);  // the leader rejoined: it stays leader
  EXPECT_THAT(MemberIds(*ra), UnorderedElementsAre(ids[0], ids[1]));
}

TEST(RebalanceTest, MemberThatMissesTheRebalanceTimeoutIsRemoved) {
  Harness h;
  auto ids = h.FormGroup("g", 2);  // rebalance timeout 300000
  RequestId ja = h.Join(JoinReq("g", ids[1]));  // the follower starts a rebalance
  (void)ja;
  RequestId jl = h.Join(JoinReq("g", ids[1], {{"range", Subscription({"t", "u"})}}));
  // ids[1] changed metadata: its first parked join was superseded.
  EXPECT_EQ(h.Take<JoinGroupResponse>(ja)->error, ErrorCode::kNone);
  (void)jl;
  ASSERT_EQ(h.state().FindGroup("g")->state(), GroupState::kPreparingRebalance);
  // The leader keeps heartbeating but never rejoins.
  for (int i = 0; i < 9; ++i) {
    h.Advance(30000);
    h.Heartbeat(Hb("g", 1, ids[0]));
  }
  h.Advance(30000);  // 300 s after the rebalance started
  auto r = h.Take<JoinGroupResponse>(jl);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error, ErrorCode::kNone);
  EXPECT_EQ(r->generation_id, 2);
  EXPECT_EQ(r->leader, ids[1]);  // the old leader did not rejoin
  EXPECT_THAT(MemberIds(*r), ElementsAre(ids[1]));
  EXPECT_FALSE(h.state().FindGroup("g")->HasMember(ids[0]));
}

TEST(RebalanceTest, SessionExpiryRemovesTheMemberAndRebalances) {
  Harness h;
  auto ids = h.FormGroup("g", 2);  // session timeout 45000
  for (int i = 0; i < 4; ++i) {
    h.Advance(10000);
    EXPECT_EQ(h.Take<HeartbeatResponse>(h.Heartbeat(Hb("g", 1, ids[0])))->error, ErrorCode::kNone);
  }
  EXPECT_TRUE(h.state().FindGroup("g")->HasMember(ids[1]));
  h.Advance(10000);
  // ids[1] never heartbeat: gone, and a rebalance starts.
  EXPECT_FALSE(h.state().FindGroup("g")->HasMember(ids[1]));
  EXPECT_EQ(h.Take<HeartbeatResponse>(h.Heartbeat(Hb("g", 1, ids[0])))->error,
            ErrorCode::kRebalanceInProgress);
  auto r = h.Take<JoinGroupResponse>(h.Join(JoinReq("g", ids[0])));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->generation_id, 2);
  EXPECT_THAT(MemberIds(*r), ElementsAre(ids[0]));
  EXPECT_EQ(h.Take<HeartbeatResponse>(h.Heartbeat(Hb("g", 1, ids[1])))->error,
            ErrorCode::kUnknownMemberId);
}

TEST(RebalanceTest, MembersThatNeverSyncAreRemoved) {
  Harness h;
  auto [a, ja] = h.JoinTwoStep(JoinReq("g", "", {}, 45000, 60000), Ctx(9, "a"));
  auto [b, jb] = h.JoinTwoStep(JoinReq("g", "", {}, 45000, 60000), Ctx(9, "b"));
  h.Advance(6000);
  h.Sync(SyncReq("g", 1, a, {{a, "x"}, {b, "y"}}));
  // b heartbeats but never syncs: after the rebalance timeout it is removed.
  for (int i = 0; i < 6; ++i) {
    h.Advance(10000);
    h.Heartbeat(Hb("g", 1, a));
    h.Heartbeat(Hb("g", 1, b));
  }
  EXPECT_FALSE(h.state().FindGroup("g")->HasMember(b));
  EXPECT_EQ(h.state().FindGroup("g")->state(), GroupState::kPreparingRebalance);
}

TEST(HeartbeatTest, ErrorsFollowKafka) {
  Harness h;
  auto ids = h.FormGroup("g", 1);
  auto err = [&](HeartbeatRequest r) { return h.Take<HeartbeatResponse>(h.Heartbeat(r))->error; };
  EXPECT_EQ(err(Hb("g", 1, ids[0])), ErrorCode::kNone);
  EXPECT_EQ(err(Hb("nope", 1, ids[0])), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(err(Hb("g", 1, "stranger")), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(err(Hb("g", 2, ids[0])), ErrorCode::kIllegalGeneration);
  EXPECT_EQ(err(Hb("", 1, ids[0])), ErrorCode::kInvalidGroupId);
}

TEST(LeaveGroupTest, BatchLeaveReportsEachMember) {
  Harness h;
  auto ids = h.FormGroup("g", 3);
  LeaveGroupRequest req{"g",
                        {{ids[1], std::nullopt, "closing"},
                         {"stranger", std::nullopt, std::nullopt},
                         {"", "no-such-instance", std::nullopt}}};
  auto r = h.Take<LeaveGroupResponse>(h.Leave(req));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error, ErrorCode::kNone);
  ASSERT_EQ(r->members.size(), 3u);
  EXPECT_EQ(r->members[0].error, ErrorCode::kNone);
  EXPECT_EQ(r->members[1].error, ErrorCode::kUnknownMemberId);
  EXPECT_EQ(r->members[2].error, ErrorCode::kUnknownMemberId);
  EXPECT_EQ(r->members[2].group_instance_id, "no-such-instance");
  EXPECT_EQ(r->LegacyError(), ErrorCode::kUnknownMemberId);
  EXPECT_FALSE(h.state().FindGroup("g")->HasMember(ids[1]));
  EXPECT_EQ(h.state().FindGroup("g")->state(), GroupState::kPreparingRebalance);
}

TEST(LeaveGroupTest, LastMemberLeavingEmptiesTheGroupAndAnswersAfterPersisting) {
  Harness h;
  auto ids = h.FormGroup("g", 1);
  h.set_auto_ack(false);
  RequestId l = h.Leave(LeaveGroupRequest{"g", {{ids[0], std::nullopt, std::nullopt}}}, Ctx(1));
  EXPECT_FALSE(h.Answered(l));
  ASSERT_EQ(h.unacked().size(), 1u);
  h.AckAll();
  auto r = h.Take<LeaveGroupResponse>(l);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->LegacyError(), ErrorCode::kNone);
  const Group* g = h.state().FindGroup("g");
  EXPECT_EQ(g->state(), GroupState::kEmpty);
  EXPECT_EQ(g->generation_id(), 2);
  auto value = DecodeGroupMetadataValue(*h.log().back().value);
  ASSERT_TRUE(value.ok());
  EXPECT_TRUE(value->members.empty());
  EXPECT_EQ(value->generation, 2);
  EXPECT_EQ(value->protocol_type, "consumer");
  EXPECT_EQ(value->protocol, std::nullopt);
}

TEST(LeaveGroupTest, UnknownGroupFailsEveryMember) {
  Harness h;
  auto r = h.Take<LeaveGroupResponse>(
      h.Leave(LeaveGroupRequest{"nope", {{"m", std::nullopt, std::nullopt}}}));
  ASSERT_EQ(r->members.size(), 1u);
  EXPECT_EQ(r->members[0].error, ErrorCode::kUnknownMemberId);
}

TEST(LeaveGroupTest, PendingMemberCanLeave) {
  Harness h;
  auto r = h.Take<JoinGroupResponse>(h.Join(JoinReq("g", "")));
  auto l = h.Take<LeaveGroupResponse>(h.Leave(LeaveGroupRequest{"g", {{r->member_id, {}, {}}}}));
  EXPECT_EQ(l->members[0].error, ErrorCode::kNone);
  EXPECT_EQ(h.state().FindGroup("g")->num_pending_members(), 0u);
}

// ---- static membership (KIP-345) ----

JoinGroupRequest StaticJoin(const std::string& member, const std::string& instance) {
  return JoinReq("g", member, {}, 45000, 300000, instance);
}

TEST(StaticMemberTest, RestartWithoutRebalanceKeepsGenerationAndAssignment) {
  Harness h;
  // A static member and a dynamic one.
  RequestId js = h.Join(StaticJoin("", "i1"), Ctx(9, "s"));  // static: no KIP-394 round trip
  auto [d, jd] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "d"));
  h.Advance(6000);
  auto rs = h.Take<JoinGroupResponse>(js);
  ASSERT_TRUE(rs.has_value());
  ASSERT_EQ(rs->error, ErrorCode::kNone);
  std::string s = rs->member_id;
  EXPECT_TRUE(s.starts_with("i1-")) << s;  // static ids are "<instance>-<uuid>"
  ASSERT_EQ(rs->leader, s);
  h.Take<JoinGroupResponse>(jd);
  SyncGroupRequest ss = SyncReq("g", 1, s, {{s, "for-s"}, {d, "for-d"}});
  ss.group_instance_id = "i1";
  h.Sync(ss);
  h.Sync(SyncReq("g", 1, d));
  ASSERT_EQ(h.state().FindGroup("g")->state(), GroupState::kStable);
  size_t log_before = h.log().size();

  // The static leader restarts: it joins with no member id.
  RequestId again = h.Join(StaticJoin("", "i1"), Ctx(9, "s"));
  auto r = h.Take<JoinGroupResponse>(again);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error, ErrorCode::kNone);
  EXPECT_NE(r->member_id, s);
  EXPECT_EQ(r->generation_id, 1);
  EXPECT_EQ(r->leader, r->member_id);  // v9: told it leads ...
  EXPECT_TRUE(r->skip_assignment);     // ... but need not assign again
  EXPECT_EQ(r->members.size(), 2u);
  const Group* g = h.state().FindGroup("g");
  EXPECT_EQ(g->state(), GroupState::kStable);
  EXPECT_EQ(g->generation_id(), 1);
  EXPECT_EQ(g->FindMember(r->member_id)->assignment, "for-s");
  EXPECT_EQ(h.log().size(), log_before + 1);  // the new member id was persisted

  // The old incarnation is fenced.
  HeartbeatRequest old_hb = Hb("g", 1, s);
  old_hb.group_instance_id = "i1";
  EXPECT_EQ(h.Take<HeartbeatResponse>(h.Heartbeat(old_hb))->error, ErrorCode::kFencedInstanceId);
  auto fenced = h.Take<JoinGroupResponse>(h.Join(StaticJoin(s, "i1")));
  EXPECT_EQ(fenced->error, ErrorCode::kFencedInstanceId);
  // The new one syncs and gets its previous assignment.
  SyncGroupRequest sync_new = SyncReq("g", 1, r->member_id);
  sync_new.group_instance_id = "i1";
  EXPECT_EQ(h.Take<SyncGroupResponse>(h.Sync(sync_new))->assignment, "for-s");
}

TEST(StaticMemberTest, OlderClientsAreNotToldTheyLead) {
  Harness h;
  RequestId js = h.Join(StaticJoin("", "i1"), Ctx(7, "s"));
  h.Advance(3000);
  std::string s = h.Take<JoinGroupResponse>(js)->member_id;
  SyncGroupRequest ss = SyncReq("g", 1, s, {{s, "a"}});
  ss.group_instance_id = "i1";
  h.Sync(ss);
  auto r = h.Take<JoinGroupResponse>(h.Join(StaticJoin("", "i1"), Ctx(7, "s")));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error, ErrorCode::kNone);
  EXPECT_EQ(r->leader, s);  // the old id: the new incarnation does not assign
  EXPECT_FALSE(r->skip_assignment);
  EXPECT_TRUE(r->members.empty());
}

TEST(StaticMemberTest, RestartDuringARebalanceFencesTheParkedJoin) {
  Harness h;
  RequestId js = h.Join(StaticJoin("", "i1"), Ctx(9, "s"));
  auto [d, jd] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "d"));
  auto [e, je] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "e"));
  h.Advance(6000);
  std::string s = h.Take<JoinGroupResponse>(js)->member_id;
  h.Take<JoinGroupResponse>(jd);
  h.Take<JoinGroupResponse>(je);
  SyncGroupRequest ss = SyncReq("g", 1, s, {{s, "x"}, {d, "y"}, {e, "z"}});
  ss.group_instance_id = "i1";
  h.Sync(ss);
  h.Sync(SyncReq("g", 1, d));
  h.Sync(SyncReq("g", 1, e));
  // d rejoins with new metadata: a rebalance; the static member rejoins too
  // and waits for e ...
  h.Join(JoinReq("g", d, {{"range", Subscription({"u"})}}));
  RequestId parked = h.Join(StaticJoin(s, "i1"));
  EXPECT_FALSE(h.Answered(parked));
  // ... and then a new incarnation of it arrives: the parked one is fenced.
  RequestId fresh = h.Join(StaticJoin("", "i1"), Ctx(9, "s"));
  auto fenced = h.Take<JoinGroupResponse>(parked);
  ASSERT_TRUE(fenced.has_value());
  EXPECT_EQ(fenced->error, ErrorCode::kFencedInstanceId);
  EXPECT_FALSE(h.Answered(fresh));
  h.Join(JoinReq("g", e));
  auto r = h.Take<JoinGroupResponse>(fresh);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error, ErrorCode::kNone);
  EXPECT_EQ(r->generation_id, 2);
  EXPECT_NE(r->member_id, s);
  EXPECT_EQ(r->leader, r->member_id);  // the static leader keeps leading
}

TEST(StaticMemberTest, LeaveByInstanceIdRemovesTheMember) {
  Harness h;
  RequestId js = h.Join(StaticJoin("", "i1"), Ctx(9, "s"));
  h.Advance(3000);
  ASSERT_TRUE(h.Take<JoinGroupResponse>(js).has_value());
  auto r = h.Take<LeaveGroupResponse>(h.Leave(LeaveGroupRequest{"g", {{"", "i1", {}}}}));
  EXPECT_EQ(r->members[0].error, ErrorCode::kNone);
  EXPECT_EQ(h.state().FindGroup("g")->num_members(), 0u);
}

TEST(UnloadTest, ParkedRequestsGetNotCoordinator) {
  Harness h;
  auto [a, ja] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "a"));
  Output out;
  h.state().OnUnloaded(&out);
  ASSERT_EQ(out.replies.size(), 1u);
  EXPECT_EQ(out.replies[0].request_id, ja);
  EXPECT_EQ(std::get<JoinGroupResponse>(out.replies[0].response).error,
            ErrorCode::kNotCoordinator);
  EXPECT_FALSE(out.next_deadline.has_value());
}

TEST(AppendFailureTest, FailedAssignmentWriteSendsMembersBackToRejoin) {
  Harness h;
  auto [a, ja] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "a"));
  auto [b, jb] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "b"));
  h.Advance(6000);
  h.set_auto_ack(false);
  RequestId sb = h.Sync(SyncReq("g", 1, b));
  RequestId sa = h.Sync(SyncReq("g", 1, a, {{a, "x"}, {b, "y"}}));
  h.AckAll(absl::FailedPreconditionError("not leader"));
  EXPECT_EQ(h.Take<SyncGroupResponse>(sa)->error, ErrorCode::kNotCoordinator);
  EXPECT_EQ(h.Take<SyncGroupResponse>(sb)->error, ErrorCode::kNotCoordinator);
  EXPECT_EQ(h.state().FindGroup("g")->state(), GroupState::kPreparingRebalance);
}

}  // namespace
}  // namespace gregor::broker::group
