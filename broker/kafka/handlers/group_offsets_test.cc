// OffsetCommit, OffsetFetch and OffsetDelete through the wire, at the
// versions real clients use (CLIENTS.md).
#include "broker/kafka/handlers/test_group_server.h"
#include "gtest/gtest.h"
#include "proto/kafka/messages/join_group.h"
#include "proto/kafka/messages/offset_commit.h"
#include "proto/kafka/messages/offset_delete.h"
#include "proto/kafka/messages/offset_fetch.h"
#include "proto/kafka/messages/sync_group.h"

namespace gregor::broker {
namespace {

using testing::GroupTestServer;
using testing::GroupTestServerOptions;
using CommitReq = kafka::OffsetCommitRequest;
using CommitResp = kafka::OffsetCommitResponse;
using FetchReq = kafka::OffsetFetchRequest;
using FetchResp = kafka::OffsetFetchResponse;

constexpr int16_t kUnknownTopicOrPartition = 3;
constexpr int16_t kNotCoordinator = 16;

CommitReq Commit(const std::string& group, int32_t generation, const std::string& member,
                 std::vector<std::tuple<std::string, int32_t, int64_t>> offsets) {
  CommitReq r;
  r.group_id = group;
  r.generation_id_or_member_epoch = generation;
  r.member_id = member;
  for (auto& [topic, partition, offset] : offsets) {
    if (r.topics.empty() || r.topics.back().name != topic) {
      r.topics.emplace_back();
      r.topics.back().name = topic;
    }
    auto& p = r.topics.back().partitions.emplace_back();
    p.partition_index = partition;
    p.committed_offset = offset;
    p.committed_leader_epoch = 0;
    p.committed_metadata = "m";
  }
  return r;
}

// The single-group form (v0-v7).
FetchReq FetchOne(const std::string& group, std::vector<int32_t> partitions) {
  FetchReq r;
  r.group_id = group;
  r.topics.emplace();
  r.topics->push_back({"t", std::move(partitions), {}});
  return r;
}

// The batched form (v8+).
FetchReq FetchMany(std::vector<std::string> groups, bool all_topics = false) {
  FetchReq r;
  r.require_stable = true;
  for (const std::string& g : groups) {
    auto& rg = r.groups.emplace_back();
    rg.group_id = g;
    if (all_topics) {
      rg.topics.reset();
    } else {
      rg.topics->push_back({"t", {0, 1}, {}});
    }
  }
  return r;
}

// Forms a one-member group at JoinGroup/SyncGroup v5; returns the member id.
std::string FormGroup(testing::KafkaTestClient& c, const std::string& group) {
  kafka::JoinGroupRequest j;
  j.group_id = group;
  j.session_timeout_ms = 45000;
  j.rebalance_timeout_ms = 60000;
  j.protocol_type = "consumer";
  j.protocols.push_back({"range", "sub", {}});
  auto first = c.Call<kafka::JoinGroupResponse>(j, 5);
  j.member_id = first.member_id;
  auto joined = c.Call<kafka::JoinGroupResponse>(j, 5);
  EXPECT_EQ(joined.error_code, 0);
  kafka::SyncGroupRequest s;
  s.group_id = group;
  s.generation_id = 1;
  s.member_id = j.member_id;
  s.assignments.push_back({j.member_id, "a", {}});
  EXPECT_EQ(c.Call<kafka::SyncGroupResponse>(s, 3).error_code, 0);
  return j.member_id;
}

TEST(GroupOffsetsTest, CommitThenFetchAtEveryClientsVersions) {
  GroupTestServer server;
  auto c = server.Connect("rdkafka");
  const std::string member = FormGroup(*c, "g");
  int64_t offset = 10;
  for (int16_t commit_v : {2, 5, 7, 8, 9}) {
    ++offset;
    CommitResp cr = c->Call<CommitResp>(Commit("g", 1, member, {{"t", 0, offset}}), commit_v);
    ASSERT_EQ(cr.topics.size(), 1u);
    ASSERT_EQ(cr.topics[0].partitions.size(), 1u);
    EXPECT_EQ(cr.topics[0].partitions[0].error_code, 0) << "v" << commit_v;
    for (int16_t fetch_v : {1, 4, 7}) {
      FetchResp fr = c->Call<FetchResp>(FetchOne("g", {0}), fetch_v);
      EXPECT_EQ(fr.error_code, 0);
      ASSERT_EQ(fr.topics.size(), 1u) << "v" << fetch_v;
      ASSERT_EQ(fr.topics[0].partitions.size(), 1u);
      EXPECT_EQ(fr.topics[0].partitions[0].committed_offset, offset) << "v" << fetch_v;
      EXPECT_EQ(fr.topics[0].partitions[0].metadata, "m");
      if (fetch_v >= 5) EXPECT_EQ(fr.topics[0].partitions[0].committed_leader_epoch, commit_v >= 6 ? 0 : -1);
    }
    for (int16_t fetch_v : {8, 9}) {
      FetchResp fr = c->Call<FetchResp>(FetchMany({"g"}), fetch_v);
      ASSERT_EQ(fr.groups.size(), 1u);
      EXPECT_EQ(fr.groups[0].error_code, 0);
      ASSERT_EQ(fr.groups[0].topics.size(), 1u);
      ASSERT_EQ(fr.groups[0].topics[0].partitions.size(), 2u);
      EXPECT_EQ(fr.groups[0].topics[0].partitions[0].committed_offset, offset);
      EXPECT_EQ(fr.groups[0].topics[0].partitions[1].committed_offset, -1);  // never committed
    }
  }
}

TEST(GroupOffsetsTest, OldestVersionsCommitAndFetch) {
  GroupTestServer server;
  auto c = server.Connect();
  // v0: no generation or member (a simple group); v1: commit timestamps.
  CommitReq v0 = Commit("simple", -1, "", {{"t", 1, 5}});
  EXPECT_EQ(c->Call<CommitResp>(v0, 0).topics[0].partitions[0].error_code, 0);
  CommitReq v1 = Commit("simple", -1, "", {{"t", 2, 6}});
  v1.topics[0].partitions[0].commit_timestamp = 1700000000000;
  EXPECT_EQ(c->Call<CommitResp>(v1, 1).topics[0].partitions[0].error_code, 0);
  FetchResp fr = c->Call<FetchResp>(FetchOne("simple", {1, 2}), 0);
  ASSERT_EQ(fr.topics.at(0).partitions.size(), 2u);
  EXPECT_EQ(fr.topics[0].partitions[0].committed_offset, 5);
  EXPECT_EQ(fr.topics[0].partitions[1].committed_offset, 6);
}

TEST(GroupOffsetsTest, UnknownTopicsArePerPartitionErrorsInRequestOrder) {
  GroupTestServer server;
  auto c = server.Connect();
  CommitReq req = Commit("simple", -1, "",
                         {{"t", 0, 1}, {"nope", 0, 1}, {"t", 7, 1}, {"t", 2, 3}});
  CommitResp r = c->Call<CommitResp>(req, 9);
  ASSERT_EQ(r.topics.size(), 3u);
  EXPECT_EQ(r.topics[0].name, "t");
  EXPECT_EQ(r.topics[0].partitions[0].error_code, 0);
  EXPECT_EQ(r.topics[1].name, "nope");
  EXPECT_EQ(r.topics[1].partitions[0].error_code, kUnknownTopicOrPartition);
  EXPECT_EQ(r.topics[2].name, "t");
  ASSERT_EQ(r.topics[2].partitions.size(), 2u);
  EXPECT_EQ(r.topics[2].partitions[0].partition_index, 7);  // t has 3 partitions
  EXPECT_EQ(r.topics[2].partitions[0].error_code, kUnknownTopicOrPartition);
  EXPECT_EQ(r.topics[2].partitions[1].error_code, 0);
  // Only unknown partitions: answered without the coordinator.
  r = c->Call<CommitResp>(Commit("simple", -1, "", {{"nope", 0, 1}}), 2);
  EXPECT_EQ(r.topics.at(0).partitions.at(0).error_code, kUnknownTopicOrPartition);
}

TEST(GroupOffsetsTest, BatchedFetchAnswersGroupsInOrderAndAllTopicsWhenNull) {
  GroupTestServer server;
  auto c = server.Connect("console-consumer");
  for (const char* g : {"a", "b", "c"}) {
    ASSERT_EQ(c->Call<CommitResp>(Commit(g, -1, "", {{"t", 1, g[0]}}), 9)
                  .topics[0].partitions[0].error_code,
              0);
  }
  FetchResp r = c->Call<FetchResp>(FetchMany({"c", "unknown", "a"}), 8);
  ASSERT_EQ(r.groups.size(), 3u);
  EXPECT_EQ(r.groups[0].group_id, "c");
  EXPECT_EQ(r.groups[0].topics.at(0).partitions.at(1).committed_offset, 'c');
  EXPECT_EQ(r.groups[1].group_id, "unknown");
  EXPECT_EQ(r.groups[1].error_code, 0);
  EXPECT_EQ(r.groups[1].topics.at(0).partitions.at(0).committed_offset, -1);
  EXPECT_EQ(r.groups[2].group_id, "a");
  // The admin client's form: topics null = every committed partition.
  r = c->Call<FetchResp>(FetchMany({"b"}, /*all_topics=*/true), 9);
  ASSERT_EQ(r.groups.at(0).topics.size(), 1u);
  ASSERT_EQ(r.groups[0].topics[0].partitions.size(), 1u);
  EXPECT_EQ(r.groups[0].topics[0].partitions[0].partition_index, 1);
  EXPECT_EQ(r.groups[0].topics[0].partitions[0].committed_offset, 'b');
  FetchReq all_v7;
  all_v7.group_id = "b";
  all_v7.topics.reset();
  FetchResp r7 = c->Call<FetchResp>(all_v7, 7);
  ASSERT_EQ(r7.topics.size(), 1u);
  EXPECT_EQ(r7.topics[0].partitions.at(0).committed_offset, 'b');
}

TEST(GroupOffsetsTest, GroupErrorIsPerPartitionBeforeV2AndTopLevelAfter) {
  GroupTestServerOptions o;
  o.brokers = 2;
  GroupTestServer server(o);
  // Some group whose partition broker 2 leads: not coordinated here.
  std::string elsewhere = "x";
  const int32_t mine = server.PartitionFor("g");
  while (server.PartitionFor(elsewhere) == mine) elsewhere += "x";
  server.broker().ChangeOffsetsLeader(server.PartitionFor(elsewhere), 2, {1, 2});
  ASSERT_TRUE(group::testing::WaitFor([&] {
    return !server.service().coordinator()->IsActive(server.PartitionFor(elsewhere));
  }));
  auto c = server.Connect();
  for (int16_t v : {0, 1}) {
    FetchResp r = c->Call<FetchResp>(FetchOne(elsewhere, {0, 2}), v);
    ASSERT_EQ(r.topics.size(), 1u);
    ASSERT_EQ(r.topics[0].partitions.size(), 2u);
    for (const auto& p : r.topics[0].partitions) {
      EXPECT_EQ(p.error_code, kNotCoordinator);
      EXPECT_EQ(p.committed_offset, -1);
    }
  }
  for (int16_t v : {2, 4, 7}) {
    FetchResp r = c->Call<FetchResp>(FetchOne(elsewhere, {0}), v);
    EXPECT_EQ(r.error_code, kNotCoordinator) << "v" << v;
    EXPECT_TRUE(r.topics.empty());
  }
  FetchResp r = c->Call<FetchResp>(FetchMany({"g", elsewhere}), 9);
  EXPECT_EQ(r.groups.at(0).error_code, 0);
  EXPECT_EQ(r.groups.at(1).error_code, kNotCoordinator);
  CommitResp cr = c->Call<CommitResp>(Commit(elsewhere, -1, "", {{"t", 0, 1}}), 9);
  EXPECT_EQ(cr.topics.at(0).partitions.at(0).error_code, kNotCoordinator);
}

TEST(GroupOffsetsTest, OffsetDeleteRemovesCommittedOffsets) {
  GroupTestServer server;
  auto c = server.Connect();
  ASSERT_EQ(c->Call<CommitResp>(Commit("simple", -1, "", {{"t", 0, 4}, {"t", 1, 5}}), 9)
                .topics[0].partitions[0].error_code,
            0);
  kafka::OffsetDeleteRequest del;
  del.group_id = "simple";
  auto& t = del.topics.emplace_back();
  t.name = "t";
  t.partitions.emplace_back().partition_index = 0;
  auto& u = del.topics.emplace_back();
  u.name = "gone";
  u.partitions.emplace_back().partition_index = 0;
  auto r = c->Call<kafka::OffsetDeleteResponse>(del, 0);
  EXPECT_EQ(r.error_code, 0);
  ASSERT_EQ(r.topics.size(), 2u);
  EXPECT_EQ(r.topics[0].partitions.at(0).error_code, 0);
  EXPECT_EQ(r.topics[1].partitions.at(0).error_code, kUnknownTopicOrPartition);
  FetchResp fr = c->Call<FetchResp>(FetchOne("simple", {0, 1}), 7);
  EXPECT_EQ(fr.topics.at(0).partitions.at(0).committed_offset, -1);
  EXPECT_EQ(fr.topics[0].partitions.at(1).committed_offset, 5);
  // An unknown group is a group-level error.
  del.group_id = "unknown";
  EXPECT_EQ(c->Call<kafka::OffsetDeleteResponse>(del, 0).error_code, 69);
}

}  // namespace
}  // namespace gregor::broker
