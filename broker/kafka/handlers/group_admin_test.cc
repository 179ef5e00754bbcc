// DescribeGroups, ListGroups, DeleteGroups, ConsumerGroupDescribe and what
// ApiVersions advertises for groups, through the wire.
#include "broker/kafka/handlers/test_group_server.h"
#include "gtest/gtest.h"
#include "proto/kafka/messages/api_versions.h"
#include "proto/kafka/messages/consumer_group_describe.h"
#include "proto/kafka/messages/delete_groups.h"
#include "proto/kafka/messages/describe_groups.h"
#include "proto/kafka/messages/join_group.h"
#include "proto/kafka/messages/leave_group.h"
#include "proto/kafka/messages/list_groups.h"
#include "proto/kafka/messages/offset_commit.h"
#include "proto/kafka/messages/sync_group.h"

namespace gregor::broker {
namespace {

using testing::GroupTestServer;

// A Stable one-member group formed at the Java client's versions; returns
// the member id.
std::string FormGroup(testing::KafkaTestClient& c, const std::string& group) {
  kafka::JoinGroupRequest j;
  j.group_id = group;
  j.session_timeout_ms = 45000;
  j.rebalance_timeout_ms = 300000;
  j.protocol_type = "consumer";
  j.protocols.push_back({"range", "subscription", {}});
  j.member_id = c.Call<kafka::JoinGroupResponse>(j, 9).member_id;
  EXPECT_EQ(c.Call<kafka::JoinGroupResponse>(j, 9).error_code, 0);
  kafka::SyncGroupRequest s;
  s.group_id = group;
  s.generation_id = 1;
  s.member_id = j.member_id;
  s.protocol_type = "consumer";
  s.protocol_name = "range";
  s.assignments.push_back({j.member_id, "assignment", {}});
  EXPECT_EQ(c.Call<kafka::SyncGroupResponse>(s, 5).error_code, 0);
  return j.member_id;
}

TEST(GroupAdminTest, DescribeGroupsShowsAStableGroupAsKafkaDoes) {
  GroupTestServer server;
  auto consumer = server.Connect("console-consumer");
  const std::string member = FormGroup(*consumer, "g");
  auto admin = server.Connect("adminclient-1");
  kafka::DescribeGroupsRequest req;
  req.groups = {"g", "never-seen"};
  auto r = admin->Call<kafka::DescribeGroupsResponse>(req, 5);
  ASSERT_EQ(r.groups.size(), 2u);
  const auto& g = r.groups[0];
  EXPECT_EQ(g.error_code, 0);
  EXPECT_EQ(g.group_id, "g");
  EXPECT_EQ(g.group_state, "Stable");
  EXPECT_EQ(g.protocol_type, "consumer");
  EXPECT_EQ(g.protocol_data, "range");
  EXPECT_EQ(g.authorized_operations, std::numeric_limits<int32_t>::min());
  ASSERT_EQ(g.members.size(), 1u);
  EXPECT_EQ(g.members[0].member_id, member);
  EXPECT_EQ(g.members[0].client_id, "console-consumer");
  EXPECT_EQ(g.members[0].client_host, "/127.0.0.1");
  EXPECT_EQ(g.members[0].member_metadata, "subscription");
  EXPECT_EQ(g.members[0].member_assignment, "assignment");
  // Before v6 an unknown group is "Dead" without an error.
  EXPECT_EQ(r.groups[1].error_code, 0);
  EXPECT_EQ(r.groups[1].group_state, "Dead");
  // Asked for, the operations a client may perform (no authorizer: all).
  req.groups = {"g"};
  req.include_authorized_operations = true;
  r = admin->Call<kafka::DescribeGroupsResponse>(req, 3);
  EXPECT_EQ(r.groups.at(0).authorized_operations, (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11));
  r = admin->Call<kafka::DescribeGroupsResponse>(req, 0);
  EXPECT_EQ(r.groups.at(0).group_state, "Stable");
}

TEST(GroupAdminTest, ListGroupsFiltersByStateAndType) {
  GroupTestServer server;
  auto c = server.Connect();
  FormGroup(*c, "stable");
  kafka::OffsetCommitRequest commit;
  commit.group_id = "simple";
  auto& t = commit.topics.emplace_back();
  t.name = "t";
  t.partitions.emplace_back().committed_offset = 1;
  ASSERT_EQ(c->Call<kafka::OffsetCommitResponse>(commit, 9).topics[0].partitions[0].error_code, 0);

  auto names = [](const kafka::ListGroupsResponse& r) {
    std::set<std::string> out;
    for (const auto& g : r.groups) out.insert(g.group_id);
    return out;
  };
  kafka::ListGroupsRequest req;
  auto all = c->Call<kafka::ListGroupsResponse>(req, 0);
  EXPECT_EQ(all.error_code, 0);
  EXPECT_EQ(names(all), (std::set<std::string>{"stable", "simple"}));
  req.states_filter = {"stable"};  // case-insensitive
  auto stable = c->Call<kafka::ListGroupsResponse>(req, 4);
  EXPECT_EQ(names(stable), (std::set<std::string>{"stable"}));
  EXPECT_EQ(stable.groups.at(0).group_state, "Stable");
  EXPECT_EQ(stable.groups.at(0).protocol_type, "consumer");
  req.states_filter.clear();
  req.types_filter = {"classic"};
  auto classic = c->Call<kafka::ListGroupsResponse>(req, 5);
  EXPECT_EQ(names(classic).size(), 2u);
  for (const auto& g : classic.groups) EXPECT_EQ(g.group_type, "classic");
  req.types_filter = {"consumer"};
  EXPECT_TRUE(c->Call<kafka::ListGroupsResponse>(req, 5).groups.empty());
}

TEST(GroupAdminTest, DeleteGroupsOnlyDeletesEmptyGroups) {
  GroupTestServer server;
  auto c = server.Connect();
  const std::string member = FormGroup(*c, "g");
  kafka::DeleteGroupsRequest del;
  del.groups_names = {"g", "unknown"};
  auto r = c->Call<kafka::DeleteGroupsResponse>(del, 2);
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0].group_id, "g");
  EXPECT_EQ(r.results[0].error_code, 68);  // NON_EMPTY_GROUP
  EXPECT_EQ(r.results[1].error_code, 69);  // GROUP_ID_NOT_FOUND
  kafka::LeaveGroupRequest leave;
  leave.group_id = "g";
  leave.member_id = member;
  ASSERT_EQ(c->Call<kafka::LeaveGroupResponse>(leave, 1).error_code, 0);
  del.groups_names = {"g"};
  r = c->Call<kafka::DeleteGroupsResponse>(del, 0);
  EXPECT_EQ(r.results.at(0).error_code, 0);
  kafka::DescribeGroupsRequest d;
  d.groups = {"g"};
  EXPECT_EQ(c->Call<kafka::DescribeGroupsResponse>(d, 5).groups.at(0).group_state, "Dead");
}

TEST(GroupAdminTest, ConsumerGroupDescribeOfAClassicGroupIsNotFoundAsKafkaAnswers) {
  GroupTestServer server;
  auto c = server.Connect("adminclient-1");
  FormGroup(*c, "g-java-console");
  kafka::ConsumerGroupDescribeRequest req;
  req.group_ids = {"g-java-console"};
  auto r = c->Call<kafka::ConsumerGroupDescribeResponse>(req, 0);
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].error_code, 69);
  EXPECT_EQ(r.groups[0].error_message, "Group g-java-console is not a consumer group.");
  EXPECT_EQ(r.groups[0].group_id, "g-java-console");
  EXPECT_EQ(r.groups[0].authorized_operations, std::numeric_limits<int32_t>::min());
}

TEST(GroupAdminTest, ApiVersionsAdvertisesTheClassicProtocolOnly) {
  GroupTestServer server;
  auto c = server.Connect();
  kafka::ApiVersionsRequest req;
  req.client_software_name = "apache-kafka-java";
  req.client_software_version = "4.1.1";
  auto r = c->Call<kafka::ApiVersionsResponse>(req, 3);
  std::map<int, std::pair<int, int>> ranges;
  for (const auto& k : r.api_keys) ranges[k.api_key] = {k.min_version, k.max_version};
  const std::map<int, std::pair<int, int>> expected = {
      {8, {0, 9}},  {9, {0, 9}},  {10, {0, 6}}, {11, {0, 9}}, {12, {0, 4}}, {13, {0, 5}},
      {14, {0, 5}}, {15, {0, 5}}, {16, {0, 5}}, {42, {0, 2}}, {47, {0, 0}}, {69, {0, 0}}};
  for (const auto& [key, range] : expected) {
    ASSERT_TRUE(ranges.contains(key)) << "API " << key << " not advertised";
    EXPECT_EQ(ranges[key], range) << "API " << key;
  }
  // KIP-848's ConsumerGroupHeartbeat is not implemented, so not advertised:
  // Java clients keep the classic protocol.
  EXPECT_FALSE(ranges.contains(68));
}

}  // namespace
}  // namespace gregor::broker
