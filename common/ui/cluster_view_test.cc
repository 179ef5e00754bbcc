#include "common/ui/cluster_view.h"

#include "gtest/gtest.h"

namespace gregor::ui {
namespace {

using nlohmann::json;

std::vector<BrokerId> B(std::initializer_list<int32_t> ids) {
  std::vector<BrokerId> out;
  for (int32_t id : ids) out.push_back(BrokerId(id));
  return out;
}

PartitionView Partition(int32_t index, std::optional<int32_t> leader, std::vector<BrokerId> replicas,
                        std::vector<BrokerId> isr) {
  PartitionView p;
  p.partition = PartitionId(index);
  if (leader) p.leader = BrokerId(*leader);
  p.leader_epoch = LeaderEpoch(4);
  p.replicas = std::move(replicas);
  p.isr = std::move(isr);
  return p;
}

ClusterView ThreeBrokerView() {
  ClusterView v;
  v.generated_ms = 1'700'000'000'123;
  v.cluster_id = "abc";
  v.served_by = 2;
  v.served_by_role = "broker";
  v.controller_leader = NodeId(1);
  for (int i = 1; i <= 3; ++i) {
    ControllerView c;
    c.id = NodeId(i);
    c.address = "controller" + std::to_string(i) + ":9093";
    c.role = i == 1 ? "leader" : "follower";
    c.term = Term(7);
    if (i == 1) c.lag = 0;
    v.controllers.push_back(c);
    BrokerView b;
    b.id = BrokerId(i);
    b.address = "localhost:1909" + std::to_string(i + 1);
    b.epoch = 10 + i;
    b.alive = i != 3;
    b.fenced = i == 3;
    v.brokers.push_back(b);
  }
  TopicView t;
  t.name = "orders";
  t.partitions.push_back(Partition(0, 1, B({1, 2, 3}), B({1, 2, 3})));
  t.partitions.push_back(Partition(1, 2, B({2, 3, 1}), B({2, 1})));
  t.partitions.push_back(Partition(2, std::nullopt, B({3, 1, 2}), B({3})));
  t.partitions[0].high_watermark = Offset(42);
  t.partitions[0].log_end_offset = Offset(45);
  v.topics.push_back(t);
  return v;
}

TEST(ClusterViewTest, WritesEveryDocumentedTopLevelField) {
  const json j = ToJson(ThreeBrokerView());
  for (const char* key : {"generated_ms", "cluster_id", "served_by", "served_by_role", "controller_leader",
                          "summary", "controllers", "brokers", "topics", "groups", "events", "truncated"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["generated_ms"], 1'700'000'000'123);
  EXPECT_EQ(j["served_by"], 2);
  EXPECT_EQ(j["served_by_role"], "broker");
  EXPECT_EQ(j["controller_leader"], 1);
  EXPECT_EQ(j["truncated"], false);
}

TEST(ClusterViewTest, DerivesUnderReplicatedAndOfflineFromIsrAndLeader) {
  const json j = ToJson(ThreeBrokerView());
  const json& parts = j["topics"][0]["partitions"];
  EXPECT_EQ(parts[0]["under_replicated"], false);
  EXPECT_EQ(parts[1]["under_replicated"], true);
  EXPECT_EQ(parts[1]["offline"], false);
  EXPECT_EQ(parts[2]["offline"], true);
  EXPECT_EQ(parts[2]["leader"], -1);
  EXPECT_EQ(parts[1]["isr"], json::array({2, 1}));
  EXPECT_EQ(parts[1]["replicas"], json::array({2, 3, 1}));
  EXPECT_EQ(j["summary"]["under_replicated_partitions"], 2);
  EXPECT_EQ(j["summary"]["offline_partitions"], 1);
  EXPECT_EQ(j["summary"]["partitions"], 3);
  EXPECT_EQ(j["summary"]["brokers"], 3);
  EXPECT_EQ(j["summary"]["brokers_alive"], 2);
}

TEST(ClusterViewTest, UnknownValuesAreNull) {
  const json j = ToJson(ThreeBrokerView());
  const json& parts = j["topics"][0]["partitions"];
  EXPECT_EQ(parts[0]["high_watermark"], 42);
  EXPECT_EQ(parts[0]["log_end_offset"], 45);
  EXPECT_TRUE(parts[1]["high_watermark"].is_null());
  EXPECT_TRUE(parts[1]["log_end_offset"].is_null());
  EXPECT_EQ(j["controllers"][0]["lag"], 0);
  EXPECT_TRUE(j["controllers"][1]["lag"].is_null());
  EXPECT_TRUE(j["controllers"][1]["commit_index"].is_null());
  EXPECT_EQ(j["controllers"][1]["term"], 7);
}

TEST(ClusterViewTest, MarksOnlyTheRaftLeaderAsLeader) {
  const json j = ToJson(ThreeBrokerView());
  EXPECT_EQ(j["controllers"][0]["is_leader"], true);
  EXPECT_EQ(j["controllers"][1]["is_leader"], false);
  ClusterView none = ThreeBrokerView();
  none.controller_leader.reset();
  const json k = ToJson(none);
  EXPECT_EQ(k["controller_leader"], -1);
  EXPECT_EQ(k["controllers"][0]["is_leader"], false);
}

TEST(ClusterViewTest, GroupLagIsLogEndMinusCommittedAndSummedWhenKnown) {
  ClusterView v;
  GroupView g;
  g.group_id = "readers";
  g.state = "Stable";
  g.coordinator = BrokerId(2);
  g.members.push_back({.member_id = "m-1", .client_id = "c", .client_host = "/10.0.0.1",
                       .assigned_partitions = 2});
  g.offsets.push_back({.topic = "orders", .partition = PartitionId(0), .committed_offset = Offset(10),
                       .log_end_offset = Offset(15)});
  g.offsets.push_back({.topic = "orders", .partition = PartitionId(1), .committed_offset = Offset(7),
                       .log_end_offset = std::nullopt});
  g.offsets.push_back({.topic = "orders", .partition = PartitionId(2), .committed_offset = Offset(-1),
                       .log_end_offset = Offset(3)});
  v.groups.push_back(g);
  const json j = ToJson(v);
  const json& jg = j["groups"][0];
  EXPECT_EQ(jg["coordinator"], 2);
  EXPECT_EQ(jg["members"][0]["assigned_partitions"], 2);
  EXPECT_EQ(jg["offsets"][0]["lag"], 5);
  EXPECT_TRUE(jg["offsets"][1]["lag"].is_null());
  EXPECT_EQ(jg["offsets"][2]["lag"], 3);  // nothing committed: the whole log
  EXPECT_EQ(jg["total_lag"], 8);

  ClusterView unknown;
  GroupView u;
  u.offsets.push_back({.topic = "t", .partition = PartitionId(0), .committed_offset = Offset(1)});
  unknown.groups.push_back(u);
  EXPECT_TRUE(ToJson(unknown)["groups"][0]["total_lag"].is_null());
  EXPECT_EQ(ToJson(unknown)["groups"][0]["coordinator"], -1);
}

TEST(ClusterViewTest, EventsCarryKindNamesAndNullsForFieldsThatDoNotApply) {
  ClusterView v;
  EventView e;
  e.time_ms = 5;
  e.kind = EventView::Kind::kIsrShrink;
  e.topic = "orders";
  e.partition = PartitionId(0);
  e.previous_isr = B({1, 2, 3});
  e.isr = B({2, 3});
  e.detail = "shrank";
  v.events.push_back(e);
  const json j = ToJson(v)["events"][0];
  EXPECT_EQ(j["kind"], "isr_shrink");
  EXPECT_EQ(j["partition"], 0);
  EXPECT_EQ(j["previous_isr"], json::array({1, 2, 3}));
  EXPECT_EQ(j["isr"], json::array({2, 3}));
  EXPECT_TRUE(j["leader"].is_null());
  EXPECT_TRUE(j["term"].is_null());
  EXPECT_TRUE(j["node"].is_null());
}

TEST(ClusterViewTest, InvalidUtf8InNamesIsReplacedNotThrown) {
  ClusterView v;
  v.topics.push_back({.name = std::string("bad\xff\xfe", 5)});
  const std::string s = ToJsonString(v);
  const json j = json::parse(s);
  EXPECT_EQ(j["topics"][0]["name"].get<std::string>().substr(0, 3), "bad");
}

TEST(ClusterViewTest, TruncateCutsPartitionsGroupsAndKeepsNewestEvents) {
  ClusterView v;
  for (int t = 0; t < 3; ++t) {
    TopicView topic{.name = "t" + std::to_string(t)};
    for (int p = 0; p < 4; ++p) topic.partitions.push_back(Partition(p, 1, B({1}), B({1})));
    v.topics.push_back(topic);
  }
  for (int g = 0; g < 5; ++g) v.groups.push_back({.group_id = "g" + std::to_string(g)});
  for (int e = 0; e < 10; ++e) v.events.push_back({.time_ms = e});
  ClusterViewLimits limits{.max_partitions = 6, .max_groups = 2, .max_events = 3};
  Truncate(limits, &v);
  ASSERT_EQ(v.topics.size(), 2u);
  EXPECT_EQ(v.topics[0].partitions.size(), 4u);
  EXPECT_EQ(v.topics[1].partitions.size(), 2u);
  EXPECT_EQ(v.groups.size(), 2u);
  ASSERT_EQ(v.events.size(), 3u);
  EXPECT_EQ(v.events.front().time_ms, 7);
  EXPECT_TRUE(v.truncated);
}

TEST(ClusterViewTest, TruncateDropsATopicWithNoRoomLeftAndLeavesSmallViewsAlone) {
  ClusterView v;
  for (int t = 0; t < 2; ++t) {
    TopicView topic{.name = "t" + std::to_string(t)};
    for (int p = 0; p < 2; ++p) topic.partitions.push_back(Partition(p, 1, B({1}), B({1})));
    v.topics.push_back(topic);
  }
  ClusterView small = v;
  Truncate(ClusterViewLimits{}, &small);
  EXPECT_FALSE(small.truncated);
  EXPECT_EQ(small.topics.size(), 2u);
  Truncate(ClusterViewLimits{.max_partitions = 2}, &v);
  EXPECT_TRUE(v.truncated);
  ASSERT_EQ(v.topics.size(), 1u);
  EXPECT_EQ(v.topics[0].partitions.size(), 2u);
}

}  // namespace
}  // namespace gregor::ui
