#include "common/ui/peer_facts.h"

#include <chrono>
#include <string>

#include "common/http/http_server.h"
#include "common/ui/http_routes.h"
#include "common/ui/peer_fetch.h"
#include "gtest/gtest.h"

namespace gregor::ui {
namespace {

PartitionView Part(int32_t index, int32_t leader, std::optional<int64_t> hw = std::nullopt,
                   std::optional<int64_t> leo = std::nullopt) {
  PartitionView p;
  p.partition = PartitionId(index);
  p.leader = BrokerId(leader);
  p.replicas = {BrokerId(1), BrokerId(2), BrokerId(3)};
  p.isr = p.replicas;
  if (hw) p.high_watermark = Offset(*hw);
  if (leo) p.log_end_offset = Offset(*leo);
  return p;
}

GroupView Group(const std::string& id, int32_t coordinator) {
  GroupView g;
  g.group_id = id;
  g.state = "Stable";
  g.protocol_type = "consumer";
  g.protocol = "range";
  g.generation = 4;
  g.coordinator = BrokerId(coordinator);
  g.members.push_back({.member_id = "m-1", .group_instance_id = "", .client_id = "c",
                       .client_host = "/10.0.0.1", .assigned_partitions = 2});
  g.offsets.push_back({.topic = "t", .partition = PartitionId(0), .committed_offset = Offset(40)});
  g.offsets.push_back({.topic = "t", .partition = PartitionId(1), .committed_offset = Offset(7)});
  return g;
}

// Broker 2's own view: it leads t-1 (offsets known) and follows t-0.
ClusterView BrokerTwo() {
  ClusterView v;
  v.served_by = 2;
  v.served_by_role = "broker";
  v.topics.push_back({.name = "t", .partitions = {Part(0, 1, 5, 6), Part(1, 2, 10, 12)}});
  v.groups.push_back(Group("g", 2));
  return v;
}

TEST(PeerFactsTest, FactsAreTheLedPartitionsWithOffsetsAndTheGroups) {
  PeerFacts f = FactsOf(BrokerTwo());
  EXPECT_EQ(f.node, 2);
  ASSERT_EQ(f.partitions.size(), 1u);
  EXPECT_EQ(f.partitions[0].partition, PartitionId(1));
  EXPECT_EQ(f.partitions[0].high_watermark, Offset(10));
  EXPECT_EQ(f.partitions[0].log_end_offset, Offset(12));
  ASSERT_EQ(f.groups.size(), 1u);
}

TEST(PeerFactsTest, JsonRoundTripKeepsEverything) {
  const PeerFacts f = FactsOf(BrokerTwo());
  absl::StatusOr<PeerFacts> back = PeerFactsFromJson(PeerFactsToJson(f));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->node, 2);
  ASSERT_EQ(back->partitions.size(), 1u);
  EXPECT_EQ(back->partitions[0].topic, "t");
  EXPECT_EQ(back->partitions[0].log_end_offset, Offset(12));
  ASSERT_EQ(back->groups.size(), 1u);
  const GroupView& g = back->groups[0];
  EXPECT_EQ(g.group_id, "g");
  EXPECT_EQ(g.state, "Stable");
  EXPECT_EQ(g.protocol, "range");
  EXPECT_EQ(g.generation, 4);
  EXPECT_EQ(g.coordinator, BrokerId(2));
  ASSERT_EQ(g.members.size(), 1u);
  EXPECT_EQ(g.members[0].client_host, "/10.0.0.1");
  EXPECT_EQ(g.members[0].assigned_partitions, 2);
  ASSERT_EQ(g.offsets.size(), 2u);
  EXPECT_EQ(g.offsets[0].committed_offset, Offset(40));
  EXPECT_FALSE(g.offsets[0].log_end_offset.has_value());
}

TEST(PeerFactsTest, MalformedAnswersAreErrorsNotCrashes) {
  for (const char* bad : {"", "[]", "{", "{\"node\":1}", "{\"node\":\"x\",\"partitions\":[],\"groups\":[]}",
                          "{\"node\":1,\"partitions\":[1],\"groups\":[]}",
                          "{\"node\":1,\"partitions\":[{\"topic\":\"t\"}],\"groups\":[]}",
                          "{\"node\":1,\"partitions\":[],\"groups\":[{\"group_id\":5}]}"}) {
    EXPECT_FALSE(PeerFactsFromJson(bad).ok()) << bad;
  }
  EXPECT_FALSE(PeerFactsFromJson(std::string(kMaxPeerFactsBytes + 1, ' ')).ok());
}

TEST(PeerFactsTest, MergeTakesOffsetsOnlyFromTheCurrentLeaderAndAddsMissingGroups) {
  // The controller's view: metadata only.
  ClusterView v;
  v.served_by = 101;
  v.topics.push_back({.name = "t", .partitions = {Part(0, 1), Part(1, 2)}});
  PeerFacts from_two = FactsOf(BrokerTwo());
  // A stale claim: broker 2 reports t-0 although broker 1 leads it now.
  from_two.partitions.push_back({"t", PartitionId(0), Offset(99), Offset(99)});
  MergePeerFacts(from_two, &v);
  EXPECT_FALSE(v.topics[0].partitions[0].high_watermark.has_value());
  EXPECT_EQ(v.topics[0].partitions[1].high_watermark, Offset(10));
  ASSERT_EQ(v.groups.size(), 1u);
  MergePeerFacts(from_two, &v);  // the same group again is not duplicated
  EXPECT_EQ(v.groups.size(), 1u);

  PeerFacts from_one;
  from_one.node = 1;
  from_one.partitions.push_back({"t", PartitionId(0), Offset(50), Offset(51)});
  MergePeerFacts(from_one, &v);
  FillGroupLogEnds(&v);
  EXPECT_EQ(v.topics[0].partitions[0].log_end_offset, Offset(51));
  // Lag is measured to the high watermark, what a consumer can read.
  EXPECT_EQ(v.groups[0].offsets[0].log_end_offset, Offset(50));
  EXPECT_EQ(v.groups[0].offsets[1].log_end_offset, Offset(10));
  EXPECT_EQ(ToJson(v)["groups"][0]["total_lag"], (50 - 40) + (10 - 7));
}

TEST(PeerFetchTest, AViewMergesTheFactsAPeerServes) {
  http::HttpServer server;
  EventTimeline timeline;
  ClusterViewRoutesOptions options;
  options.local_view = [] { return BrokerTwo(); };
  AddClusterViewRoutes(&server, [] { return BrokerTwo(); }, &timeline, options);
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());

  ClusterView v;
  v.served_by = 101;
  v.topics.push_back({.name = "t", .partitions = {Part(0, 1), Part(1, 2)}});
  BrokerView two;
  two.id = BrokerId(2);
  two.fenced = false;
  two.http_address = "127.0.0.1:" + std::to_string(server.port());
  BrokerView fenced = two;
  fenced.id = BrokerId(3);
  fenced.fenced = true;
  BrokerView gone = two;
  gone.id = BrokerId(4);
  gone.http_address = "127.0.0.1:1";  // nothing listens there
  v.brokers = {two, fenced, gone};
  EXPECT_EQ(MergeFactsFromPeers(&v, std::chrono::milliseconds(2000)), 1);
  EXPECT_EQ(v.topics[0].partitions[1].log_end_offset, Offset(12));
  ASSERT_EQ(v.groups.size(), 1u);
  EXPECT_EQ(v.groups[0].offsets[1].log_end_offset, Offset(10));
  server.Stop();
}

TEST(PeerFetchTest, BadAddressesAreErrors) {
  for (const char* bad : {"", "host", ":80", "host:0", "host:99999", "host:x"}) {
    EXPECT_FALSE(FetchPeerFacts(bad, std::chrono::milliseconds(100)).ok()) << bad;
  }
}

}  // namespace
}  // namespace gregor::ui
