// The group exchanges real clients had with Kafka 4.1.1 (see
// ../shared/kafka-protocol/observed/), replayed against the coordinator:
// the answers must carry what Kafka answered.
#include <regex>

#include "absl/strings/escaping.h"
#include "broker/group/coordinator_state.h"
#include "broker/group/coordinator_test_util.h"
#include "gtest/gtest.h"

namespace gregor::broker::group {
namespace {

using testing::Ctx;
using testing::Harness;

std::string B64(const char* s) {
  std::string out;
  CHECK(absl::Base64Unescape(s, &out));
  return out;
}

const std::regex kUuidSuffix("-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

OffsetFetchRequestGroup FetchAnchor(const std::string& group, std::vector<int32_t> partitions) {
  OffsetFetchRequestGroup g;
  g.group_id = group;
  g.topics = std::vector<OffsetFetchRequestTopic>{{"anchor-java", std::move(partitions)}};
  return g;
}

// java-console-consumer.requests.jsonl + java-consumergroupcommand-describe.
TEST(ObservedFlowsTest, JavaConsoleConsumerAndConsumerGroupCommand) {
  Harness h;
  const std::string range_md = B64("AAMAAAABAAthbmNob3ItamF2Yf////8AAAAA////////");
  const std::string sticky_md = B64("AAMAAAABAAthbmNob3ItamF2YQAAAAT/////AAAAAP///////w==");
  JoinGroupRequest join{"g-java-console", 45000, 300000, "", std::nullopt, "consumer",
                        {{"range", range_md}, {"cooperative-sticky", sticky_md}}, ""};
  auto first = h.Take<JoinGroupResponse>(h.Join(join, Ctx(9, "console-consumer")));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(ToInt(first->error), 79);
  EXPECT_EQ(first->generation_id, -1);
  EXPECT_EQ(first->protocol_type, std::nullopt);
  EXPECT_EQ(first->protocol_name, std::nullopt);
  EXPECT_EQ(first->leader, "");
  EXPECT_FALSE(first->skip_assignment);
  EXPECT_TRUE(first->members.empty());
  EXPECT_TRUE(first->member_id.starts_with("console-consumer-"));
  EXPECT_TRUE(std::regex_search(first->member_id, kUuidSuffix));
  const std::string member = first->member_id;

  join.member_id = member;
  join.reason = "need to re-join with the given member-id: " + member;
  RequestId second = h.Join(join, Ctx(9, "console-consumer"));
  h.Advance(3000);  // Kafka answered after ~3003 ms
  auto joined = h.Take<JoinGroupResponse>(second);
  ASSERT_TRUE(joined.has_value());
  EXPECT_EQ(ToInt(joined->error), 0);
  EXPECT_EQ(joined->generation_id, 1);
  EXPECT_EQ(joined->protocol_type, "consumer");
  EXPECT_EQ(joined->protocol_name, "range");
  EXPECT_EQ(joined->leader, member);
  EXPECT_FALSE(joined->skip_assignment);
  EXPECT_EQ(joined->member_id, member);
  ASSERT_EQ(joined->members.size(), 1u);
  EXPECT_EQ(joined->members[0], (JoinGroupResponseMember{member, std::nullopt, range_md}));

  const std::string assignment = B64("AAMAAAABAAthbmNob3ItamF2YQAAAAMAAAAAAAAAAQAAAAL/////");
  auto synced = h.Take<SyncGroupResponse>(h.Sync(
      {"g-java-console", 1, member, std::nullopt, "consumer", "range", {{member, assignment}}}));
  ASSERT_TRUE(synced.has_value());
  EXPECT_EQ(ToInt(synced->error), 0);
  EXPECT_EQ(synced->protocol_type, "consumer");
  EXPECT_EQ(synced->protocol_name, "range");
  EXPECT_EQ(synced->assignment, assignment);

  auto fetched = h.Take<OffsetFetchResponse>(
      h.Fetch({{FetchAnchor("g-java-console", {0, 1, 2})}, /*require_stable=*/true}));
  ASSERT_EQ(fetched->groups.size(), 1u);
  EXPECT_EQ(ToInt(fetched->groups[0].error), 0);
  for (const auto& p : fetched->groups[0].topics.at(0).partitions) {
    EXPECT_EQ(p.committed_offset, -1);
    EXPECT_EQ(p.committed_leader_epoch, -1);
    EXPECT_EQ(p.metadata, "");
    EXPECT_EQ(ToInt(p.error), 0);
  }

  OffsetCommitRequest commit;
  commit.group_id = "g-java-console";
  commit.generation_id_or_member_epoch = 1;
  commit.member_id = member;
  commit.topics.push_back({"anchor-java", {{0, 10, 0, -1, ""}, {1, 0, -1, -1, ""}, {2, 0, -1, -1, ""}}});
  auto committed = h.Take<OffsetCommitResponse>(h.Commit(commit));
  ASSERT_EQ(committed->topics.at(0).partitions.size(), 3u);
  for (const auto& p : committed->topics[0].partitions) EXPECT_EQ(ToInt(p.error), 0);

  auto left = h.Take<LeaveGroupResponse>(
      h.Leave({"g-java-console", {{member, std::nullopt, "the consumer is being closed"}}}));
  EXPECT_EQ(ToInt(left->error), 0);
  ASSERT_EQ(left->members.size(), 1u);
  EXPECT_EQ(left->members[0].member_id, member);
  EXPECT_EQ(left->members[0].group_instance_id, std::nullopt);
  EXPECT_EQ(ToInt(left->members[0].error), 0);

  // ConsumerGroupCommand --describe, afterwards.
  auto cgd = h.state().ConsumerGroupDescribe({"g-java-console"});
  EXPECT_EQ(ToInt(cgd[0].error), 69);
  EXPECT_EQ(cgd[0].error_message, "Group g-java-console is not a consumer group.");
  EXPECT_EQ(cgd[0].group_state, "");
  EXPECT_EQ(cgd[0].group_epoch, 0);
  EXPECT_EQ(cgd[0].authorized_operations, -2147483648);
  auto described = h.state().DescribeGroups(Ctx(6), {"g-java-console"});
  EXPECT_EQ(ToInt(described[0].error), 0);
  EXPECT_EQ(described[0].error_message, std::nullopt);
  EXPECT_EQ(described[0].group_state, "Empty");
  EXPECT_EQ(described[0].protocol_type, "consumer");
  EXPECT_EQ(described[0].protocol_data, "");
  EXPECT_TRUE(described[0].members.empty());
  OffsetFetchRequestGroup all;
  all.group_id = "g-java-console";
  auto admin = h.Take<OffsetFetchResponse>(h.Fetch({{all}, false}));
  const auto& parts = admin->groups.at(0).topics.at(0).partitions;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].committed_offset, 10);
  EXPECT_EQ(parts[0].committed_leader_epoch, 0);
  EXPECT_EQ(parts[1].committed_offset, 0);
  EXPECT_EQ(parts[1].committed_leader_epoch, -1);
}

// kafka-python-2.0.2.requests.jsonl: JoinGroup v2, SyncGroup v1,
// OffsetFetch v1, OffsetCommit v2, Heartbeat v1, LeaveGroup v1.
TEST(ObservedFlowsTest, KafkaPython202) {
  Harness h;
  const std::string md = B64("AAAAAAABABlhbmNob3Ita2Fma2EtcHl0aG9uLTIuMC4yAAAAAA==");
  JoinGroupRequest join{"g-kafka-python-2.0.2", 10000, 300000, "", std::nullopt, "consumer",
                        {{"range", md}, {"roundrobin", md}}, std::nullopt};
  RequestId j = h.Join(join, Ctx(2, "kafka-python-2.0.2"));
  h.Advance(3000);
  auto joined = h.Take<JoinGroupResponse>(j);
  ASSERT_TRUE(joined.has_value());
  EXPECT_EQ(ToInt(joined->error), 0);
  EXPECT_EQ(joined->generation_id, 1);
  EXPECT_EQ(joined->protocol_name, "range");
  EXPECT_TRUE(joined->member_id.starts_with("kafka-python-2.0.2-"));
  EXPECT_EQ(joined->leader, joined->member_id);
  const std::string member = joined->member_id;
  const std::string assignment = B64("AAAAAAABABlhbmNob3Ita2Fma2EtcHl0aG9uLTIuMC4yAAAAAQAAAAAAAAAA");
  auto synced = h.Take<SyncGroupResponse>(h.Sync(
      {"g-kafka-python-2.0.2", 1, member, std::nullopt, std::nullopt, std::nullopt,
       {{member, assignment}}},
      Ctx(1)));
  EXPECT_EQ(ToInt(synced->error), 0);
  EXPECT_EQ(synced->assignment, assignment);
  OffsetCommitRequest commit;
  commit.group_id = "g-kafka-python-2.0.2";
  commit.generation_id_or_member_epoch = 1;
  commit.member_id = member;
  commit.retention_time_ms = -1;
  commit.topics.push_back({"anchor-kafka-python-2.0.2", {{0, 10, -1, -1, ""}}});
  auto committed = h.Take<OffsetCommitResponse>(h.Commit(commit, Ctx(2)));
  EXPECT_EQ(ToInt(committed->topics[0].partitions[0].error), 0);
  // retention -1: the broker's retention, so a version-3 value.
  EXPECT_EQ(static_cast<uint8_t>((*h.log().back().value)[1]), 3);
  EXPECT_EQ(ToInt(h.Take<HeartbeatResponse>(h.Heartbeat({"g-kafka-python-2.0.2", 1, member, {}}, Ctx(1)))->error), 0);
  auto left = h.Take<LeaveGroupResponse>(h.Leave({"g-kafka-python-2.0.2", {{member, {}, {}}}}, Ctx(1)));
  EXPECT_EQ(ToInt(left->LegacyError()), 0);
}

// franz-go.requests.jsonl: cooperative-sticky only; its member id in the
// commit metadata; OffsetFetch v9 with member id and epoch.
TEST(ObservedFlowsTest, FranzGo) {
  Harness h;
  const std::string md = B64("AAMAAAABAA9hbmNob3ItZnJhbnotZ28AAAAEAAAAAAAAAAD///////8=");
  JoinGroupRequest join{"g-franz-go", 45000, 60000, "", std::nullopt, "consumer",
                        {{"cooperative-sticky", md}}, "beginning to manage the group lifecycle"};
  auto [member, j] = h.JoinTwoStep(join, Ctx(9, "kgo"));
  EXPECT_TRUE(member.starts_with("kgo-"));
  h.Advance(3000);
  auto joined = h.Take<JoinGroupResponse>(j);
  EXPECT_EQ(joined->protocol_name, "cooperative-sticky");
  h.Sync({"g-franz-go", 1, member, std::nullopt, "consumer", "cooperative-sticky", {{member, "x"}}});
  OffsetFetchRequestGroup g;
  g.group_id = "g-franz-go";
  g.member_id = member;
  g.member_epoch = 1;
  g.topics = std::vector<OffsetFetchRequestTopic>{{"anchor-franz-go", {0}}};
  auto fetched = h.Take<OffsetFetchResponse>(h.Fetch({{g}, true}));
  EXPECT_EQ(fetched->groups[0].topics[0].partitions[0].committed_offset, -1);
  OffsetCommitRequest commit;
  commit.group_id = "g-franz-go";
  commit.generation_id_or_member_epoch = 1;
  commit.member_id = member;
  commit.topics.push_back({"anchor-franz-go", {{0, 10, 0, -1, member}}});
  EXPECT_EQ(ToInt(h.Take<OffsetCommitResponse>(h.Commit(commit))->topics[0].partitions[0].error), 0);
  auto after = h.Take<OffsetFetchResponse>(h.Fetch({{g}, true}));
  EXPECT_EQ(after->groups[0].topics[0].partitions[0].committed_offset, 10);
  EXPECT_EQ(after->groups[0].topics[0].partitions[0].metadata, member);
}

}  // namespace
}  // namespace gregor::broker::group
