// Scenario tests of committed offsets: OffsetCommit, OffsetFetch,
// OffsetDelete, DeleteGroups, expiration; and the read APIs.
#include "broker/group/coordinator_state.h"
#include "broker/group/coordinator_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gregor::broker::group {
namespace {

using testing::Ctx;
using testing::Harness;
using testing::JoinReq;
using testing::Subscription;

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

OffsetCommitRequest CommitReq(const std::string& group, int32_t generation,
                              const std::string& member,
                              std::vector<OffsetCommitRequestTopic> topics) {
  OffsetCommitRequest r;
  r.group_id = group;
  r.generation_id_or_member_epoch = generation;
  r.member_id = member;
  r.topics = std::move(topics);
  return r;
}

OffsetCommitRequestTopic T(const std::string& name,
                           std::vector<std::pair<int32_t, int64_t>> partition_offsets) {
  OffsetCommitRequestTopic t{name, {}};
  for (auto [p, o] : partition_offsets) {
    OffsetCommitRequestPartition rp;
    rp.partition_index = p;
    rp.committed_offset = o;
    rp.committed_metadata = "";
    t.partitions.push_back(rp);
  }
  return t;
}

OffsetFetchRequestGroup FetchGroup(const std::string& group,
                                   std::optional<std::vector<OffsetFetchRequestTopic>> topics) {
  OffsetFetchRequestGroup g;
  g.group_id = group;
  g.topics = std::move(topics);
  return g;
}

// The committed offset of one partition as OffsetFetch reports it.
int64_t Fetched(Harness& h, const std::string& group, const std::string& topic, int32_t p) {
  OffsetFetchRequest req{{FetchGroup(group, std::vector<OffsetFetchRequestTopic>{{topic, {p}}})}, false};
  auto r = h.Take<OffsetFetchResponse>(h.Fetch(req));
  CHECK(r.has_value());
  return r->groups[0].topics[0].partitions[0].committed_offset;
}

ErrorCode OnlyError(const OffsetCommitResponse& r) {
  return r.topics.at(0).partitions.at(0).error;
}

TEST(OffsetCommitTest, MemberCommitIsAnsweredAndVisibleOnlyOnceAcknowledged) {
  Harness h;
  auto ids = h.FormGroup("g", 1);
  h.set_auto_ack(false);
  RequestId c = h.Commit(CommitReq("g", 1, ids[0], {T("t", {{0, 10}, {1, 20}})}));
  EXPECT_FALSE(h.Answered(c));
  EXPECT_EQ(Fetched(h, "g", "t", 0), -1);
  h.AckAll();
  auto r = h.Take<OffsetCommitResponse>(c);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->topics.size(), 1u);
  EXPECT_EQ(r->topics[0].name, "t");
  ASSERT_EQ(r->topics[0].partitions.size(), 2u);
  EXPECT_EQ(r->topics[0].partitions[0].error, ErrorCode::kNone);
  EXPECT_EQ(Fetched(h, "g", "t", 0), 10);
  EXPECT_EQ(Fetched(h, "g", "t", 1), 20);
  // The records: version-1 keys, version-3 values with the commit time.
  const CoordinatorRecord& rec = h.log().back();
  auto key = DecodeKey(rec.key);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(std::get<OffsetCommitKey>(*key), (OffsetCommitKey{"g", "t", 1}));
  EXPECT_EQ(static_cast<uint8_t>((*rec.value)[1]), 3);
  auto value = DecodeOffsetCommitValue(*rec.value);
  EXPECT_EQ(value->offset, 20);
  EXPECT_EQ(value->commit_timestamp_ms, h.now().wall_ms);
}

TEST(OffsetCommitTest, GenerationAndMemberAreChecked) {
  Harness h;
  auto ids = h.FormGroup("g", 1);
  auto commit = [&](OffsetCommitRequest r, int16_t v = 9) {
    return OnlyError(*h.Take<OffsetCommitResponse>(h.Commit(r, Ctx(v))));
  };
  EXPECT_EQ(commit(CommitReq("g", 2, ids[0], {T("t", {{0, 1}})})), ErrorCode::kIllegalGeneration);
  EXPECT_EQ(commit(CommitReq("g", 1, "stranger", {T("t", {{0, 1}})})), ErrorCode::kUnknownMemberId);
  // Without member and generation a non-empty group refuses the commit.
  EXPECT_EQ(commit(CommitReq("g", -1, "", {T("t", {{0, 1}})})), ErrorCode::kUnknownMemberId);
  // A group that does not exist: GROUP_ID_NOT_FOUND from v9, else
  // ILLEGAL_GENERATION.
  EXPECT_EQ(commit(CommitReq("nope", 1, "m", {T("t", {{0, 1}})}), 9), ErrorCode::kGroupIdNotFound);
  EXPECT_EQ(commit(CommitReq("nope", 1, "m", {T("t", {{0, 1}})}), 8),
            ErrorCode::kIllegalGeneration);
  EXPECT_EQ(h.state().FindGroup("nope"), nullptr);
  EXPECT_EQ(commit(CommitReq("g", 1, ids[0], {T("t", {{0, 1}})})), ErrorCode::kNone);
}

TEST(OffsetCommitTest, CommitDuringCompletingRebalanceIsRefused) {
  Harness h;
  auto [a, ja] = h.JoinTwoStep(JoinReq("g", ""), Ctx(9, "a"));
  h.Advance(3000);
  ASSERT_EQ(h.state().FindGroup("g")->state(), GroupState::kCompletingRebalance);
  auto r = h.Take<OffsetCommitResponse>(h.Commit(CommitReq("g", 1, a, {T("t", {{0, 1}})})));
  EXPECT_EQ(OnlyError(*r), ErrorCode::kRebalanceInProgress);
}

TEST(OffsetCommitTest, SimpleCommitWithoutGroupManagementIsAccepted) {
  Harness h;
  auto r = h.Take<OffsetCommitResponse>(h.Commit(CommitReq("simple", -1, "", {T("t", {{0, 5}})})));
  EXPECT_EQ(OnlyError(*r), ErrorCode::kNone);
  const Group* g = h.state().FindGroup("simple");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->state(), GroupState::kEmpty);
  EXPECT_TRUE(g->IsSimpleGroup());
  EXPECT_EQ(Fetched(h, "simple", "t", 0), 5);
  // Also into an Empty group that had members.
  auto ids = h.FormGroup("g", 1);
  h.Leave(LeaveGroupRequest{"g", {{ids[0], std::nullopt, std::nullopt}}});
  ASSERT_EQ(h.state().FindGroup("g")->state(), GroupState::kEmpty);
  r = h.Take<OffsetCommitResponse>(h.Commit(CommitReq("g", -1, "", {T("t", {{0, 7}})})));
  EXPECT_EQ(OnlyError(*r), ErrorCode::kNone);
  EXPECT_EQ(Fetched(h, "g", "t", 0), 7);
}

TEST(OffsetCommitTest, OversizedMetadataFailsOnlyItsPartition) {
  Harness h;
  OffsetCommitRequest req = CommitReq("s", -1, "", {T("t", {{0, 1}, {1, 2}})});
  req.topics[0].partitions[0].committed_metadata = std::string(4097, 'm');
  req.topics[0].partitions[1].committed_metadata = std::string(4096, 'm');
  auto r = h.Take<OffsetCommitResponse>(h.Commit(req));
  EXPECT_EQ(r->topics[0].partitions[0].error, ErrorCode::kOffsetMetadataTooLarge);
  EXPECT_EQ(r->topics[0].partitions[1].error, ErrorCode::kNone);
  EXPECT_EQ(Fetched(h, "s", "t", 0), -1);
  EXPECT_EQ(Fetched(h, "s", "t", 1), 2);
}

TEST(OffsetCommitTest, LeaderEpochAndMetadataAreFetchedBack) {
  Harness h;
  OffsetCommitRequest req = CommitReq("s", -1, "", {T("t", {{0, 100}})});
  req.topics[0].partitions[0].committed_leader_epoch = 4;
  req.topics[0].partitions[0].committed_metadata = "kgo-member";
  h.Commit(req);
  OffsetFetchRequest f{{FetchGroup("s", std::vector<OffsetFetchRequestTopic>{{"t", {0}}})}, true};
  auto r = h.Take<OffsetFetchResponse>(h.Fetch(f));
  const auto& p = r->groups[0].topics[0].partitions[0];
  EXPECT_EQ(p.committed_offset, 100);
  EXPECT_EQ(p.committed_leader_epoch, 4);
  EXPECT_EQ(p.metadata, "kgo-member");
}

TEST(OffsetCommitTest, ExplicitRetentionWritesAnExpireTimestamp) {
  Harness h;
  OffsetCommitRequest req = CommitReq("s", -1, "", {T("t", {{0, 1}})});
  req.retention_time_ms = 60000;  // OffsetCommit v2-v4
  h.Commit(req, Ctx(2));
  auto value = DecodeOffsetCommitValue(*h.log().back().value);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(static_cast<uint8_t>((*h.log().back().value)[1]), 1);
  EXPECT_EQ(value->expire_timestamp_ms, h.now().wall_ms + 60000);
  // It expires at that time, long before offsets.retention.minutes.
  h.Advance(600000);
  EXPECT_EQ(Fetched(h, "s", "t", 0), -1);
  EXPECT_EQ(h.state().FindGroup("s"), nullptr);
}

TEST(OffsetCommitTest, CommitsKeepTheSessionAlive) {
  Harness h;
  auto ids = h.FormGroup("g", 1);
  for (int i = 0; i < 5; ++i) {
    h.Advance(30000);
    h.Commit(CommitReq("g", 1, ids[0], {T("t", {{0, i}})}));
  }
  EXPECT_TRUE(h.state().FindGroup("g")->HasMember(ids[0]));
  EXPECT_EQ(h.state().FindGroup("g")->state(), GroupState::kStable);
}

TEST(OffsetCommitTest, OutOfOrderAcknowledgementsApplyInLogOrder) {
  Harness h;
  h.set_auto_ack(false);
  RequestId c1 = h.Commit(CommitReq("s", -1, "", {T("t", {{0, 1}})}));
  RequestId c2 = h.Commit(CommitReq("s", -1, "", {T("t", {{0, 2}})}));
  ASSERT_EQ(h.unacked().size(), 2u);
  AppendId first = h.unacked()[0].id;
  AppendId second = h.unacked()[1].id;
  h.Ack(second);
  EXPECT_FALSE(h.Answered(c2));  // waits for the earlier append
  h.Ack(first);
  EXPECT_TRUE(h.Answered(c1));
  EXPECT_TRUE(h.Answered(c2));
  EXPECT_EQ(Fetched(h, "s", "t", 0), 2);
}

TEST(OffsetCommitTest, FailedAppendFailsEveryPartition) {
  Harness h;
  h.set_auto_ack(false);
  RequestId c = h.Commit(CommitReq("s", -1, "", {T("t", {{0, 1}, {1, 1}})}));
  h.AckAll(absl::UnavailableError("not enough replicas"));
  auto r = h.Take<OffsetCommitResponse>(c);
  EXPECT_EQ(r->topics[0].partitions[0].error, ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(r->topics[0].partitions[1].error, ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(Fetched(h, "s", "t", 0), -1);
}

TEST(OffsetFetchTest, UnknownPartitionsAndGroupsReportMinusOne) {
  Harness h;
  h.Commit(CommitReq("s", -1, "", {T("t", {{0, 3}})}));
  OffsetFetchRequest req{{FetchGroup("s", std::vector<OffsetFetchRequestTopic>{{"t", {0, 1}}, {"u", {0}}}),
                          FetchGroup("nope", std::vector<OffsetFetchRequestTopic>{{"t", {0}}})},
                         false};
  auto r = h.Take<OffsetFetchResponse>(h.Fetch(req));
  ASSERT_EQ(r->groups.size(), 2u);
  const auto& s = r->groups[0];
  EXPECT_EQ(s.group_id, "s");
  EXPECT_EQ(s.error, ErrorCode::kNone);
  EXPECT_EQ(s.topics[0].partitions[0].committed_offset, 3);
  EXPECT_EQ(s.topics[0].partitions[1].committed_offset, -1);
  EXPECT_EQ(s.topics[0].partitions[1].committed_leader_epoch, -1);
  EXPECT_EQ(s.topics[0].partitions[1].metadata, "");
  EXPECT_EQ(s.topics[1].partitions[0].committed_offset, -1);
  // A group that does not exist is not an error: its offsets are -1.
  EXPECT_EQ(r->groups[1].error, ErrorCode::kNone);
  EXPECT_EQ(r->groups[1].topics[0].partitions[0].committed_offset, -1);
}

TEST(OffsetFetchTest, NullTopicsFetchesEveryCommittedPartition) {
  Harness h;
  h.Commit(CommitReq("s", -1, "", {T("b", {{2, 20}, {0, 0}}), T("a", {{1, 5}})}));
  auto r = h.Take<OffsetFetchResponse>(h.Fetch({{FetchGroup("s", std::nullopt)}, false}));
  const auto& g = r->groups[0];
  ASSERT_EQ(g.topics.size(), 2u);
  EXPECT_EQ(g.topics[0].name, "a");
  EXPECT_EQ(g.topics[1].name, "b");
  ASSERT_EQ(g.topics[1].partitions.size(), 2u);
  EXPECT_EQ(g.topics[1].partitions[0].partition_index, 0);
  EXPECT_EQ(g.topics[1].partitions[1].committed_offset, 20);
  // Of a group that does not exist: nothing, no error.
  auto missing = h.Take<OffsetFetchResponse>(h.Fetch({{FetchGroup("nope", std::nullopt)}, false}));
  EXPECT_TRUE(missing->groups[0].topics.empty());
  EXPECT_EQ(missing->groups[0].error, ErrorCode::kNone);
}

TEST(OffsetFetchTest, RequireStableWaitsForCommitsInFlight) {
  Harness h;
  h.Commit(CommitReq("s", -1, "", {T("t", {{0, 1}})}));
  h.set_auto_ack(false);
  h.Commit(CommitReq("s", -1, "", {T("t", {{0, 2}})}));
  OffsetFetchRequestGroup g = FetchGroup("s", std::vector<OffsetFetchRequestTopic>{{"t", {0}}});
  RequestId unstable = h.Fetch({{g}, false});
  RequestId stable = h.Fetch({{g}, true});
  EXPECT_EQ(h.Take<OffsetFetchResponse>(unstable)->groups[0].topics[0].partitions[0].committed_offset,
            1);
  EXPECT_FALSE(h.Answered(stable));
  h.AckAll();
  EXPECT_EQ(h.Take<OffsetFetchResponse>(stable)->groups[0].topics[0].partitions[0].committed_offset,
            2);
}

TEST(OffsetDeleteTest, SubscribedTopicsAreProtected) {
  Harness h;
  auto ids = h.FormGroup("g", 1, {"subscribed"});
  h.Commit(CommitReq("g", 1, ids[0], {T("subscribed", {{0, 1}}), T("other", {{0, 2}})}));
  OffsetDeleteRequest req{"g", {{"subscribed", {0}}, {"other", {0}}}};
  auto r = h.Take<OffsetDeleteResponse>(h.DeleteOffsets(req));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->error, ErrorCode::kNone);
  EXPECT_EQ(r->topics[0].partitions[0].error, ErrorCode::kGroupSubscribedToTopic);
  EXPECT_EQ(r->topics[1].partitions[0].error, ErrorCode::kNone);
  EXPECT_EQ(Fetched(h, "g", "subscribed", 0), 1);
  EXPECT_EQ(Fetched(h, "g", "other", 0), -1);
  EXPECT_FALSE(h.log().back().value.has_value());  // a tombstone
  EXPECT_EQ(h.Take<OffsetDeleteResponse>(h.DeleteOffsets({"nope", {}}))->error,
            ErrorCode::kGroupIdNotFound);
}

TEST(OffsetDeleteTest, NonConsumerGroupWithMembersRefuses) {
  Harness h;
  JoinGroupRequest j = JoinReq("connect", "");
  j.protocol_type = "connect";
  RequestId id = h.Join(j, Ctx(3));
  h.Advance(3000);
  ASSERT_TRUE(h.Take<JoinGroupResponse>(id).has_value());
  EXPECT_EQ(h.Take<OffsetDeleteResponse>(h.DeleteOffsets({"connect", {{"t", {0}}}}))->error,
            ErrorCode::kNonEmptyGroup);
}

TEST(DeleteGroupsTest, OnlyEmptyGroupsAreDeletedWithTheirOffsets) {
  Harness h;
  auto ids = h.FormGroup("busy", 1);
  h.Commit(CommitReq("idle", -1, "", {T("t", {{0, 1}, {1, 2}})}));
  h.set_auto_ack(false);
  RequestId d = h.DeleteGroups({"busy", "idle", "nope"});
  EXPECT_FALSE(h.Answered(d));  // tombstones first
  ASSERT_EQ(h.unacked().size(), 1u);
  EXPECT_EQ(h.unacked()[0].records.size(), 3u);  // two offsets and the group
  h.AckAll();
  auto r = h.Take<DeleteGroupsResponse>(d);
  ASSERT_EQ(r->results.size(), 3u);
  EXPECT_EQ(r->results[0].error, ErrorCode::kNonEmptyGroup);
  EXPECT_EQ(r->results[1].error, ErrorCode::kNone);
  EXPECT_EQ(r->results[2].error, ErrorCode::kGroupIdNotFound);
  EXPECT_EQ(h.state().FindGroup("idle"), nullptr);
  EXPECT_EQ(h.state().OffsetsOf("idle"), nullptr);
  EXPECT_NE(h.state().FindGroup("busy"), nullptr);
}

TEST(DeleteGroupsTest, FailedTombstonesKeepTheGroup) {
  Harness h;
  h.Commit(CommitReq("idle", -1, "", {T("t", {{0, 1}})}));
  h.set_auto_ack(false);
  RequestId d = h.DeleteGroups({"idle"});
  EXPECT_EQ(h.state().FindGroup("idle"), nullptr);  // gone while the write is in flight
  h.AckAll(absl::DeadlineExceededError("replication timed out"));
  auto r = h.Take<DeleteGroupsResponse>(d);
  EXPECT_EQ(r->results[0].error, ErrorCode::kCoordinatorNotAvailable);
  // Not persisted, so not deleted: the group and its offsets are back.
  EXPECT_NE(h.state().FindGroup("idle"), nullptr);
  EXPECT_EQ(Fetched(h, "idle", "t", 0), 1);
}

TEST(ExpirationTest, SimpleGroupOffsetsExpireFromTheirCommitTime) {
  Harness h;
  h.Commit(CommitReq("s", -1, "", {T("t", {{0, 1}})}));
  h.Advance(3 * kDayMs);
  h.Commit(CommitReq("s", -1, "", {T("t", {{1, 1}})}));
  h.Advance(4 * kDayMs + 600000);  // partition 0 is 7 days old
  EXPECT_EQ(Fetched(h, "s", "t", 0), -1);
  EXPECT_EQ(Fetched(h, "s", "t", 1), 1);
  h.Advance(3 * kDayMs);
  EXPECT_EQ(h.state().FindGroup("s"), nullptr);  // all offsets gone: the group too
  EXPECT_FALSE(h.log().back().value.has_value());
  auto key = DecodeKey(h.log().back().key);
  EXPECT_TRUE(std::holds_alternative<GroupMetadataKey>(*key));
}

TEST(ExpirationTest, EmptyConsumerGroupCountsFromWhenItBecameEmpty) {
  Harness h;
  auto ids = h.FormGroup("g", 1);
  h.Commit(CommitReq("g", 1, ids[0], {T("t", {{0, 1}})}));
  // Consumed for 10 days, heartbeating: nothing expires while Stable and
  // subscribed.
  for (int i = 0; i < 10 * 24 * 120; ++i) {
    h.Advance(30000);
    h.Heartbeat(HeartbeatRequest{"g", 1, ids[0], std::nullopt});
  }
  EXPECT_EQ(Fetched(h, "g", "t", 0), 1);
  h.Leave(LeaveGroupRequest{"g", {{ids[0], std::nullopt, std::nullopt}}});
  h.Advance(7 * kDayMs - 3600000);
  EXPECT_EQ(Fetched(h, "g", "t", 0), 1);
  h.Advance(3600000 + 600000);
  EXPECT_EQ(Fetched(h, "g", "t", 0), -1);
  EXPECT_EQ(h.state().FindGroup("g"), nullptr);
}

TEST(ExpirationTest, StableGroupExpiresOnlyTopicsItNoLongerConsumes) {
  Harness h;
  auto ids = h.FormGroup("g", 1, {"t"});
  h.Commit(CommitReq("g", 1, ids[0], {T("t", {{0, 1}}), T("old", {{0, 9}})}));
  for (int i = 0; i < 8 * 24 * 120; ++i) {
    h.Advance(30000);
    h.Heartbeat(HeartbeatRequest{"g", 1, ids[0], std::nullopt});
  }
  EXPECT_EQ(Fetched(h, "g", "t", 0), 1);
  EXPECT_EQ(Fetched(h, "g", "old", 0), -1);
  EXPECT_NE(h.state().FindGroup("g"), nullptr);
}

TEST(DescribeGroupsTest, ReportsStateMembersAndProtocol) {
  Harness h;
  auto ids = h.FormGroup("g", 2);
  auto d = h.state().DescribeGroups(Ctx(6), {"g", "nope"});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].error, ErrorCode::kNone);
  EXPECT_EQ(d[0].group_state, "Stable");
  EXPECT_EQ(d[0].protocol_type, "consumer");
  EXPECT_EQ(d[0].protocol_data, "range");
  ASSERT_EQ(d[0].members.size(), 2u);
  for (const auto& m : d[0].members) {
    EXPECT_EQ(m.client_host, "/127.0.0.1");
    EXPECT_EQ(m.member_metadata, Subscription({"t"}));
    EXPECT_EQ(m.member_assignment, "assignment-of-" + m.member_id);
  }
  EXPECT_EQ(d[1].error, ErrorCode::kGroupIdNotFound);  // v6 (KIP-1043)
  EXPECT_EQ(d[1].error_message, "Group nope not found.");
  EXPECT_EQ(d[1].group_state, "Dead");
  auto d5 = h.state().DescribeGroups(Ctx(5), {"nope"});
  EXPECT_EQ(d5[0].error, ErrorCode::kNone);
  EXPECT_EQ(d5[0].group_state, "Dead");
  // During a rebalance: no protocol data, no member metadata.
  h.Join(JoinReq("g", ids[0]));
  auto dr = h.state().DescribeGroups(Ctx(6), {"g"});
  EXPECT_EQ(dr[0].group_state, "PreparingRebalance");
  EXPECT_EQ(dr[0].protocol_data, "");
  EXPECT_EQ(dr[0].members[0].member_metadata, "");
}

TEST(ListGroupsTest, FiltersByStateAndType) {
  Harness h;
  h.FormGroup("stable", 1);
  h.Commit(CommitReq("simple", -1, "", {T("t", {{0, 1}})}));
  auto names = [](const std::vector<ListedGroup>& gs) {
    std::vector<std::string> out;
    for (const auto& g : gs) out.push_back(g.group_id + ":" + g.group_state + ":" + g.protocol_type);
    return out;
  };
  EXPECT_THAT(names(h.state().ListGroups({})),
              ::testing::ElementsAre("simple:Empty:", "stable:Stable:consumer"));
  EXPECT_THAT(names(h.state().ListGroups({{" STABLE "}, {}})),
              ::testing::ElementsAre("stable:Stable:consumer"));
  EXPECT_THAT(names(h.state().ListGroups({{"empty", "dead"}, {"Classic"}})),
              ::testing::ElementsAre("simple:Empty:"));
  EXPECT_TRUE(h.state().ListGroups({{}, {"consumer"}}).empty());
  EXPECT_TRUE(h.state().ListGroups({{}, {"bogus"}}).empty());
  EXPECT_EQ(h.state().ListGroups({})[0].group_type, "classic");
}

TEST(ConsumerGroupDescribeTest, ClassicGroupIsNotAConsumerGroup) {
  Harness h;
  h.FormGroup("g-java-console", 1);
  auto d = h.state().ConsumerGroupDescribe({"g-java-console", "nope"});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].error, ErrorCode::kGroupIdNotFound);
  EXPECT_EQ(d[0].error_message, "Group g-java-console is not a consumer group.");
  EXPECT_EQ(d[0].group_state, "");
  EXPECT_EQ(d[0].authorized_operations, kAuthorizedOperationsOmitted);
  EXPECT_EQ(d[1].error_message, "Group nope not found.");
}

}  // namespace
}  // namespace gregor::broker::group
