// JoinGroup, SyncGroup, Heartbeat and LeaveGroup through the wire, at the
// versions real clients use (CLIENTS.md).
#include "broker/kafka/handlers/test_group_server.h"
#include "gtest/gtest.h"
#include "proto/kafka/messages/heartbeat.h"
#include "proto/kafka/messages/join_group.h"
#include "proto/kafka/messages/leave_group.h"
#include "proto/kafka/messages/sync_group.h"

namespace gregor::broker {
namespace {

using testing::GroupTestServer;
using testing::KafkaTestClient;

constexpr int16_t kNone = 0;
constexpr int16_t kRebalanceInProgress = 27;
constexpr int16_t kInvalidSessionTimeout = 26;
constexpr int16_t kMemberIdRequired = 79;

// A consumer-protocol subscription to topic "t" (version 0).
std::string Subscription() { return std::string("\x00\x00\x00\x00\x00\x01\x00\x01t\xff\xff\xff\xff", 13); }

kafka::JoinGroupRequest Join(const std::string& group, const std::string& member) {
  kafka::JoinGroupRequest r;
  r.group_id = group;
  r.session_timeout_ms = 45000;
  r.rebalance_timeout_ms = 300000;
  r.member_id = member;
  r.protocol_type = "consumer";
  r.protocols.push_back({"range", Subscription(), {}});
  r.protocols.push_back({"roundrobin", Subscription(), {}});
  return r;
}

kafka::SyncGroupRequest Sync(const std::string& group, int32_t generation,
                             const std::string& member,
                             std::vector<std::pair<std::string, std::string>> assignments = {}) {
  kafka::SyncGroupRequest r;
  r.group_id = group;
  r.generation_id = generation;
  r.member_id = member;
  r.protocol_type = "consumer";
  r.protocol_name = "range";
  for (auto& [m, a] : assignments) r.assignments.push_back({m, a, {}});
  return r;
}

kafka::HeartbeatRequest Beat(const std::string& group, int32_t generation,
                             const std::string& member) {
  kafka::HeartbeatRequest r;
  r.group_id = group;
  r.generation_id = generation;
  r.member_id = member;
  return r;
}

// KIP-394: the first JoinGroup (v4+) gets MEMBER_ID_REQUIRED and an id.
std::string FirstJoin(KafkaTestClient& c, const std::string& group, int16_t version,
                      const std::string& client_id) {
  auto r = c.Call<kafka::JoinGroupResponse>(Join(group, ""), version);
  EXPECT_EQ(r.error_code, kMemberIdRequired);
  EXPECT_EQ(r.generation_id, -1);
  EXPECT_EQ(r.member_id.rfind(client_id + "-", 0), 0u) << r.member_id;
  EXPECT_EQ(r.member_id.size(), client_id.size() + 1 + 36);  // <clientId>-<uuid>
  return r.member_id;
}

// One client's whole life in a group, at its versions.
void SingleMemberFlow(GroupTestServer& server, const std::string& client_id, int16_t join_v,
                      int16_t sync_v, int16_t heartbeat_v, int16_t leave_v) {
  const std::string group = "g-" + client_id;
  auto c = server.Connect(client_id);
  std::string member;
  if (join_v >= 4) member = FirstJoin(*c, group, join_v, client_id);
  auto join = c->Call<kafka::JoinGroupResponse>(Join(group, member), join_v);
  ASSERT_EQ(join.error_code, kNone);
  if (member.empty()) member = join.member_id;  // v0-v3: the id comes with the answer
  EXPECT_EQ(join.member_id, member);
  EXPECT_EQ(join.generation_id, 1);
  EXPECT_EQ(join.leader, member);
  EXPECT_EQ(join.protocol_name, "range");
  if (join_v >= 7) EXPECT_EQ(join.protocol_type, "consumer");
  ASSERT_EQ(join.members.size(), 1u);
  EXPECT_EQ(join.members[0].member_id, member);
  EXPECT_EQ(join.members[0].metadata, Subscription());

  auto sync = c->Call<kafka::SyncGroupResponse>(Sync(group, 1, member, {{member, "mine"}}), sync_v);
  EXPECT_EQ(sync.error_code, kNone);
  EXPECT_EQ(sync.assignment, "mine");
  if (sync_v >= 5) {
    EXPECT_EQ(sync.protocol_type, "consumer");
    EXPECT_EQ(sync.protocol_name, "range");
  }
  auto hb = c->Call<kafka::HeartbeatResponse>(Beat(group, 1, member), heartbeat_v);
  EXPECT_EQ(hb.error_code, kNone);

  kafka::LeaveGroupRequest leave;
  leave.group_id = group;
  if (leave_v < 3) {
    leave.member_id = member;
  } else {
    kafka::LeaveGroupRequest::MemberIdentity m;
    m.member_id = member;
    m.reason = "the consumer is being closed";
    leave.members.push_back(m);
  }
  auto left = c->Call<kafka::LeaveGroupResponse>(leave, leave_v);
  EXPECT_EQ(left.error_code, kNone);
  if (leave_v >= 3) {
    ASSERT_EQ(left.members.size(), 1u);
    EXPECT_EQ(left.members[0].member_id, member);
    EXPECT_EQ(left.members[0].error_code, kNone);
  }
  // Gone: its heartbeat is refused.
  hb = c->Call<kafka::HeartbeatResponse>(Beat(group, 1, member), heartbeat_v);
  EXPECT_NE(hb.error_code, kNone);
}

TEST(GroupMembershipTest, KafkaPython2FlowJoinsWithoutAMemberIdRound) {
  GroupTestServer server;
  SingleMemberFlow(server, "kafka-python-2.0.2", 2, 1, 1, 1);
}

TEST(GroupMembershipTest, LibrdkafkaFlowUsesTheTwoStepJoin) {
  GroupTestServer server;
  SingleMemberFlow(server, "rdkafka", 5, 3, 3, 1);
}

TEST(GroupMembershipTest, KafkaPython3FlowIsFlexible) {
  GroupTestServer server;
  SingleMemberFlow(server, "kafka-python-3.0.12", 7, 5, 4, 5);
}

TEST(GroupMembershipTest, JavaFlowAtTheNewestVersions) {
  GroupTestServer server;
  SingleMemberFlow(server, "console-consumer", 9, 5, 4, 5);
}

TEST(GroupMembershipTest, KafkajsFlowLeavesWithAMembersArray) {
  GroupTestServer server;
  SingleMemberFlow(server, "kafkajs", 5, 3, 3, 3);
}

TEST(GroupMembershipTest, OldestVersionsWork) {
  GroupTestServer server;
  SingleMemberFlow(server, "ancient", 0, 0, 0, 0);
}

TEST(GroupMembershipTest, TwoMembersRebalanceAndEachGetsItsAssignment) {
  GroupTestServer server;
  const std::string group = "g2";
  auto a = server.Connect("console-consumer");
  auto b = server.Connect("console-consumer");
  std::string ida = FirstJoin(*a, group, 9, "console-consumer");
  auto ja = a->Call<kafka::JoinGroupResponse>(Join(group, ida), 9);
  ASSERT_EQ(ja.error_code, kNone);
  ASSERT_EQ(ja.generation_id, 1);
  ASSERT_EQ(a->Call<kafka::SyncGroupResponse>(Sync(group, 1, ida, {{ida, "all"}}), 5).assignment,
            "all");

  // B arrives: its join waits for A to rejoin.
  std::string idb = FirstJoin(*b, group, 9, "console-consumer");
  int32_t join_b = b->Send(Join(group, idb), 9);
  // A learns of the rebalance from its heartbeat.
  int16_t hb_error = kNone;
  for (int i = 0; i < 1000 && hb_error == kNone; ++i) {
    hb_error = a->Call<kafka::HeartbeatResponse>(Beat(group, 1, ida), 4).error_code;
  }
  EXPECT_EQ(hb_error, kRebalanceInProgress);
  auto ja2 = a->Call<kafka::JoinGroupResponse>(Join(group, ida), 9);
  auto jb2 = b->Receive<kafka::JoinGroupResponse>(9, join_b);
  ASSERT_EQ(ja2.error_code, kNone);
  ASSERT_EQ(jb2.error_code, kNone);
  EXPECT_EQ(ja2.generation_id, 2);
  EXPECT_EQ(jb2.generation_id, 2);
  EXPECT_EQ(ja2.leader, ida);  // the leader rejoined: it stays leader
  EXPECT_EQ(jb2.leader, ida);
  EXPECT_EQ(ja2.members.size(), 2u);  // only the leader gets the members
  EXPECT_TRUE(jb2.members.empty());

  // B's SyncGroup waits for the leader's assignment.
  int32_t sync_b = b->Send(Sync(group, 2, idb), 5);
  auto sa = a->Call<kafka::SyncGroupResponse>(Sync(group, 2, ida, {{ida, "a-part"}, {idb, "b-part"}}), 5);
  auto sb = b->Receive<kafka::SyncGroupResponse>(5, sync_b);
  EXPECT_EQ(sa.error_code, kNone);
  EXPECT_EQ(sa.assignment, "a-part");
  EXPECT_EQ(sb.error_code, kNone);
  EXPECT_EQ(sb.assignment, "b-part");
  EXPECT_EQ(b->Call<kafka::HeartbeatResponse>(Beat(group, 2, idb), 4).error_code, kNone);
  // An old generation is refused.
  EXPECT_EQ(b->Call<kafka::HeartbeatResponse>(Beat(group, 1, idb), 4).error_code, 22);
}

TEST(GroupMembershipTest, ErrorAnswersEncodeAtEveryVersion) {
  GroupTestServer server;
  auto c = server.Connect();
  kafka::JoinGroupRequest bad = Join("g", "");
  bad.session_timeout_ms = 1;  // below group.min.session.timeout.ms
  for (int16_t v = 0; v <= 9; ++v) {
    auto r = c->Call<kafka::JoinGroupResponse>(bad, v);
    EXPECT_EQ(r.error_code, kInvalidSessionTimeout) << "v" << v;
    if (v < 7) {
      EXPECT_EQ(r.protocol_name, "") << "v" << v;  // null is not encodable below v7
    } else {
      EXPECT_EQ(r.protocol_name, std::nullopt) << "v" << v;
    }
  }
  for (int16_t v = 0; v <= 5; ++v) {
    auto r = c->Call<kafka::SyncGroupResponse>(Sync("g", 1, "nobody"), v);
    EXPECT_NE(r.error_code, kNone) << "v" << v;
  }
  for (int16_t v = 0; v <= 5; ++v) {
    kafka::LeaveGroupRequest leave;
    leave.group_id = "g";
    leave.member_id = "nobody";
    leave.members.push_back({"nobody", std::nullopt, std::nullopt, {}});
    auto r = c->Call<kafka::LeaveGroupResponse>(leave, v);
    EXPECT_EQ(v < 3 ? r.error_code : r.members.at(0).error_code, 25) << "v" << v;  // UNKNOWN_MEMBER_ID
  }
}

}  // namespace
}  // namespace gregor::broker
