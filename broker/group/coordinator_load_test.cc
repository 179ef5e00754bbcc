// Rebuilding a coordinator by replaying its __consumer_offsets records.
#include "broker/group/coordinator_state.h"
#include "broker/group/coordinator_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gregor::broker::group {
namespace {

using testing::Ctx;
using testing::Harness;
using testing::JoinReq;
using testing::kStartWallMs;
using testing::Subscription;

OffsetCommitRequest Commit(const std::string& group, int32_t generation, const std::string& member,
                           const std::string& topic, int32_t partition, int64_t offset) {
  OffsetCommitRequest r;
  r.group_id = group;
  r.generation_id_or_member_epoch = generation;
  r.member_id = member;
  OffsetCommitRequestPartition p;
  p.partition_index = partition;
  p.committed_offset = offset;
  p.committed_leader_epoch = 3;
  p.committed_metadata = "md";
  r.topics.push_back({topic, {p}});
  return r;
}

// What a rebuilt coordinator must reproduce of a group.
std::string Describe(const Group& g) {
  std::string s = std::string(GroupStateName(g.state())) + " gen=" +
                  std::to_string(g.generation_id()) + " type=" + g.protocol_type().value_or("-") +
                  " protocol=" + g.protocol_name().value_or("-") + " leader=" +
                  g.leader_id().value_or("-");
  // When an Empty group became empty drives its offsets' expiration. (A
  // simple group's is when it was created in memory, in Kafka too.)
  if (g.Is(GroupState::kEmpty) && g.protocol_type()) {
    s += " since=" + std::to_string(g.current_state_timestamp_ms().value_or(-1));
  }
  for (const auto& [id, m] : g.members()) {
    const std::string* md = g.protocol_name() ? m.MetadataFor(*g.protocol_name()) : nullptr;
    s += "\n  " + id + " instance=" + m.group_instance_id.value_or("-") + " client=" + m.client_id +
         " host=" + m.client_host + " session=" + std::to_string(m.session_timeout_ms) +
         " rebalance=" + std::to_string(m.rebalance_timeout_ms) + " assignment=" + m.assignment +
         " metadata=" + (md ? std::to_string(md->size()) + "B" : "none");
  }
  return s;
}

void ExpectSameState(const GroupCoordinatorState& want, const GroupCoordinatorState& got) {
  ASSERT_EQ(want.GroupIds(), got.GroupIds());
  for (const std::string& id : want.GroupIds()) {
    EXPECT_EQ(Describe(*want.FindGroup(id)), Describe(*got.FindGroup(id))) << "group " << id;
  }
  EXPECT_EQ(want.all_offsets(), got.all_offsets());
}

std::unique_ptr<GroupCoordinatorState> Rebuild(const std::vector<CoordinatorRecord>& log,
                                               int64_t now_wall_ms) {
  auto state = std::make_unique<GroupCoordinatorState>(0, CoordinatorOptions{}, 7);
  for (const CoordinatorRecord& r : log) {
    absl::Status s = state->Replay(r, now_wall_ms);
    EXPECT_TRUE(s.ok()) << s;
  }
  return state;
}

TEST(RebuildTest, ReplayingThePartitionGivesIdenticalGroupsAndOffsets) {
  CoordinatorOptions options;
  options.offsets_retention_check_interval_ms = 5000;
  Harness h(options);
  // "a": two dynamic members, consuming and committing.
  auto a = h.FormGroup("a", 2);
  h.Commit(Commit("a", 1, a[0], "t", 0, 10));
  h.Commit(Commit("a", 1, a[1], "t", 1, 11));
  h.Commit(Commit("a", 1, a[0], "t", 0, 12));
  // "b": a static member restarted without a rebalance.
  RequestId js = h.Join(JoinReq("b", "", {}, 45000, 300000, "inst"), Ctx(9, "s"));
  h.Advance(3000);
  std::string s = h.Take<JoinGroupResponse>(js)->member_id;
  SyncGroupRequest sync{"b", 1, s, "inst", "consumer", "range", {{s, "static-assignment"}}};
  h.Sync(sync);
  auto restarted = h.Take<JoinGroupResponse>(
      h.Join(JoinReq("b", "", {}, 45000, 300000, "inst"), Ctx(9, "s")));
  ASSERT_EQ(restarted->error, ErrorCode::kNone);
  h.Commit(Commit("b", 1, restarted->member_id, "t", 2, 5));
  // "c": its only member left; then a simple commit.
  auto c = h.FormGroup("c", 1);
  h.Commit(Commit("c", 1, c[0], "t", 0, 1));
  h.Leave(LeaveGroupRequest{"c", {{c[0], std::nullopt, std::nullopt}}});
  h.Commit(Commit("c", -1, "", "u", 0, 2));
  // "s": simple, with a deleted offset.
  h.Commit(Commit("s", -1, "", "t", 0, 100));
  h.Commit(Commit("s", -1, "", "t", 1, 101));
  h.DeleteOffsets(OffsetDeleteRequest{"s", {{"t", {1}}}});
  // "d": deleted.
  h.Commit(Commit("d", -1, "", "t", 0, 1));
  h.DeleteGroups({"d"});
  // "e": committed with a short retention, expired.
  OffsetCommitRequest e = Commit("e", -1, "", "t", 0, 1);
  e.retention_time_ms = 1000;
  h.Commit(e, Ctx(2));
  h.Advance(6000);  // an expiration sweep runs
  ASSERT_EQ(h.state().FindGroup("e"), nullptr);
  ASSERT_EQ(h.state().FindGroup("d"), nullptr);
  ASSERT_EQ(h.state().FindGroup("a")->state(), GroupState::kStable);
  ASSERT_EQ(h.state().FindGroup("b")->state(), GroupState::kStable);
  ASSERT_EQ(h.state().FindGroup("c")->state(), GroupState::kEmpty);

  auto rebuilt = Rebuild(h.log(), h.now().wall_ms);
  ExpectSameState(h.state(), *rebuilt);
  EXPECT_EQ(rebuilt->OffsetsOf("a")->at("t").at(0).committed_offset, 12);
  EXPECT_EQ(rebuilt->OffsetsOf("a")->at("t").at(0).leader_epoch, 3);
  EXPECT_EQ(rebuilt->OffsetsOf("s")->at("t").count(1), 0u);
}

TEST(RebuildTest, LoadedMembersMustKeepHeartbeating) {
  Harness h;
  auto ids = h.FormGroup("g", 2);
  auto rebuilt = Rebuild(h.log(), h.now().wall_ms);
  Now now = h.now();
  Output out;
  rebuilt->OnLoaded(now, &out);
  ASSERT_TRUE(out.next_deadline.has_value());
  const Group* g = rebuilt->FindGroup("g");
  ASSERT_EQ(g->state(), GroupState::kStable);
  // ids[0] heartbeats, ids[1] is gone with the old coordinator.
  for (int i = 0; i < 5; ++i) {
    now.mono += std::chrono::seconds(10);
    now.wall_ms += 10000;
    Output o;
    rebuilt->Tick(now, &o);
    rebuilt->Heartbeat(100 + i, Ctx(4), HeartbeatRequest{"g", 1, ids[0], std::nullopt}, now, &o);
  }
  EXPECT_FALSE(g->HasMember(ids[1]));
  EXPECT_EQ(g->state(), GroupState::kPreparingRebalance);
}

TEST(RebuildTest, UnknownRecordTypesAreSkipped) {
  GroupCoordinatorState state(0, {}, 1);
  // Key version 3: Kafka 4's ConsumerGroupMetadataKey.
  CoordinatorRecord rec{std::string("\x00\x03\x00\x01g", 5), std::string("\x00\x00", 2)};
  EXPECT_TRUE(state.Replay(rec, kStartWallMs).ok());
  EXPECT_EQ(state.skipped_records(), 1);
  EXPECT_TRUE(state.GroupIds().empty());
}

TEST(RebuildTest, CorruptRecordsAreDataLoss) {
  GroupCoordinatorState state(0, {}, 1);
  auto key = EncodeGroupMetadataKey({"g"});
  CoordinatorRecord truncated{*key, std::string("\x00\x03\x00", 3)};
  EXPECT_EQ(state.Replay(truncated, kStartWallMs).code(), absl::StatusCode::kDataLoss);
  // Members but no protocol.
  GroupMetadataValue v;
  v.protocol_type = "consumer";
  v.members.push_back({.member_id = "m", .client_id = "c", .client_host = "h",
                       .rebalance_timeout_ms = 1, .session_timeout_ms = 1});
  auto bad = MakeGroupMetadataRecord("g", v);
  EXPECT_EQ(state.Replay(*bad, kStartWallMs).code(), absl::StatusCode::kDataLoss);
  // Two members with one id.
  v.protocol = "range";
  v.members.push_back(v.members[0]);
  bad = MakeGroupMetadataRecord("g", v);
  EXPECT_EQ(state.Replay(*bad, kStartWallMs).code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(state.GroupIds().empty());
}

TEST(RebuildTest, OldKafkaRecordsLoad) {
  GroupCoordinatorState state(0, {}, 1);
  // GroupMetadataValue v0 (no rebalance timeout, no state timestamp).
  GroupMetadataValue v;
  v.protocol_type = "consumer";
  v.generation = 4;
  v.protocol = "range";
  v.leader = "m";
  v.members.push_back({.member_id = "m", .client_id = "c", .client_host = "/10.0.0.1",
                       .session_timeout_ms = 10000, .subscription = Subscription({"t"}),
                       .assignment = "a"});
  auto value = EncodeGroupMetadataValue(v, 0);
  ASSERT_TRUE(value.ok());
  ASSERT_TRUE(state.Replay({*EncodeGroupMetadataKey({"g"}), *value}, kStartWallMs).ok());
  // OffsetCommitValue v0.
  auto ov = EncodeOffsetCommitValue({.offset = 42, .metadata = "", .commit_timestamp_ms = 5}, 0);
  ASSERT_TRUE(state.Replay({*EncodeOffsetCommitKey({"g", "t", 0}), *ov}, kStartWallMs).ok());
  const Group* g = state.FindGroup("g");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->state(), GroupState::kStable);
  EXPECT_EQ(g->generation_id(), 4);
  EXPECT_EQ(g->current_state_timestamp_ms(), std::nullopt);
  const Member* m = g->FindMember("m");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->rebalance_timeout_ms, 10000);  // defaults to the session timeout
  EXPECT_EQ(m->assignment, "a");
  EXPECT_EQ(state.OffsetsOf("g")->at("t").at(0).committed_offset, 42);
  EXPECT_EQ(state.OffsetsOf("g")->at("t").at(0).leader_epoch, -1);
}

TEST(RebuildTest, TombstonesRemoveGroupsAndOffsets) {
  GroupCoordinatorState state(0, {}, 1);
  auto ov = EncodeOffsetCommitValue({.offset = 1, .commit_timestamp_ms = 5}, 3);
  ASSERT_TRUE(state.Replay({*EncodeOffsetCommitKey({"g", "t", 0}), *ov}, kStartWallMs).ok());
  ASSERT_NE(state.FindGroup("g"), nullptr);  // a simple group
  ASSERT_TRUE(state.Replay(*MakeOffsetCommitTombstone({"g", "t", 0}), kStartWallMs).ok());
  EXPECT_EQ(state.OffsetsOf("g"), nullptr);
  ASSERT_TRUE(state.Replay(*MakeGroupMetadataTombstone("g"), kStartWallMs).ok());
  EXPECT_EQ(state.FindGroup("g"), nullptr);
}

}  // namespace
}  // namespace gregor::broker::group
