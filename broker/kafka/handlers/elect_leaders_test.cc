// ElectLeaders, AlterPartitionReassignments and ListPartitionReassignments
// against a real controller.
#include "broker/kafka/handlers/elect_leaders.h"

#include "broker/kafka/handlers/alter_partition_reassignments.h"
#include "broker/kafka/handlers/list_partition_reassignments.h"
#include "broker/kafka/handlers/test_harness.h"
#include "controller/client/controller_client.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using kafka::AlterPartitionReassignmentsRequest;
using kafka::AlterPartitionReassignmentsResponse;
using kafka::ElectLeadersRequest;
using kafka::ElectLeadersResponse;
using kafka::ListPartitionReassignmentsRequest;
using kafka::ListPartitionReassignmentsResponse;
using testing::AdminHarness;
using testing::HarnessOptions;

class PartitionAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.dispatcher().Add(std::make_unique<ElectLeadersHandler>(&h_.context()));
    h_.dispatcher().Add(std::make_unique<AlterPartitionReassignmentsHandler>(&h_.context()));
    h_.dispatcher().Add(std::make_unique<ListPartitionReassignmentsHandler>(&h_.context()));
    h_.Start();
  }

  // Creates `name` with one partition per replica list.
  void Create(const std::string& name, std::vector<std::vector<int32_t>> assignment) {
    controllerpb::CreateTopicsRequest ct;
    auto* t = ct.add_topics();
    t->set_name(name);
    t->set_num_partitions(-1);
    t->set_replication_factor(-1);
    for (size_t i = 0; i < assignment.size(); ++i) {
      auto* a = t->add_assignments();
      a->set_partition_index(static_cast<int32_t>(i));
      for (int32_t b : assignment[i]) a->add_broker_ids(b);
    }
    auto created = h_.controller_client()->CreateTopics(ct);
    ASSERT_TRUE(created.ok());
    ASSERT_EQ(created->topics(0).error().code(), 0) << created->ShortDebugString();
    ASSERT_TRUE(h_.WaitFor([&](const metadata::MetadataImage& i) { return i.topic(name); }));
  }

  static ElectLeadersRequest Elect(int8_t type, const std::string& topic,
                                   std::vector<int32_t> partitions) {
    ElectLeadersRequest req;
    req.election_type = type;
    ElectLeadersRequest::TopicPartitions tp;
    tp.topic = topic;
    tp.partitions = std::move(partitions);
    req.topic_partitions = std::vector<ElectLeadersRequest::TopicPartitions>{tp};
    return req;
  }

  AdminHarness h_{HarnessOptions{.with_controller = true}};
};

TEST_F(PartitionAdminTest, PreferredElectionResultsPerPartition) {
  Create("led", {{2, 1}, {1, 2}});
  // Broker 2 goes away: partition 0 fails over to broker 1.
  h_.Heartbeat(2, /*fence=*/true);
  h_.Heartbeat(2, /*fence=*/false);
  ElectLeadersResponse r = h_.Call<ElectLeadersResponse>(Elect(0, "led", {0, 1, 7}), 2);
  EXPECT_EQ(r.error_code, 0);
  ASSERT_EQ(r.replica_election_results.size(), 1u);
  const auto& parts = r.replica_election_results[0].partition_result;
  ASSERT_EQ(parts.size(), 3u);
  // Broker 2 is back but not in the ISR: the preferred leader cannot lead.
  EXPECT_EQ(parts[0].partition_id, 0);
  EXPECT_EQ(parts[0].error_code, 80);  // PREFERRED_LEADER_NOT_AVAILABLE
  EXPECT_TRUE(parts[0].error_message.has_value());
  EXPECT_EQ(parts[1].error_code, 84);  // ELECTION_NOT_NEEDED
  EXPECT_EQ(parts[2].error_code, 3);   // UNKNOWN_TOPIC_OR_PARTITION
  // v0 has no election type (preferred) and no top-level error.
  ElectLeadersResponse v0 = h_.Call<ElectLeadersResponse>(Elect(1, "led", {1}), 0);
  EXPECT_EQ(v0.replica_election_results[0].partition_result[0].error_code, 84);
}

TEST_F(PartitionAdminTest, AllPartitionsListsOnlyWhatHappened) {
  Create("calm", {{1}, {2}});
  ElectLeadersRequest req;
  req.election_type = 0;
  req.topic_partitions = std::nullopt;
  ElectLeadersResponse r = h_.Call<ElectLeadersResponse>(req, 1);
  EXPECT_EQ(r.error_code, 0);
  EXPECT_TRUE(r.replica_election_results.empty());
  // An empty (not null) list elects nothing.
  req.topic_partitions = std::vector<ElectLeadersRequest::TopicPartitions>();
  EXPECT_TRUE(h_.Call<ElectLeadersResponse>(req, 2).replica_election_results.empty());
}

TEST_F(PartitionAdminTest, UnknownElectionTypeIsRefusedByTheController) {
  Create("t", {{1}});
  ElectLeadersResponse r = h_.Call<ElectLeadersResponse>(Elect(5, "t", {0}), 1);
  EXPECT_EQ(r.error_code, 42);
  EXPECT_EQ(r.replica_election_results[0].partition_result[0].error_code, 42);
}

TEST_F(PartitionAdminTest, ReassignListAndCancel) {
  Create("moving", {{1}, {1}});
  AlterPartitionReassignmentsRequest req;
  AlterPartitionReassignmentsRequest::ReassignableTopic t;
  t.name = "moving";
  AlterPartitionReassignmentsRequest::ReassignablePartition p0;
  p0.partition_index = 0;
  p0.replicas = std::vector<int32_t>{1, 2};
  AlterPartitionReassignmentsRequest::ReassignablePartition p9;
  p9.partition_index = 9;
  p9.replicas = std::vector<int32_t>{1};
  t.partitions = {p0, p9};
  req.topics = {t};
  AlterPartitionReassignmentsResponse r = h_.Call<AlterPartitionReassignmentsResponse>(req, 0);
  EXPECT_EQ(r.error_code, 0);
  EXPECT_EQ(r.error_message, std::nullopt);
  ASSERT_EQ(r.responses.size(), 1u);
  ASSERT_EQ(r.responses[0].partitions.size(), 2u);
  EXPECT_EQ(r.responses[0].partitions[0].error_code, 0)
      << r.responses[0].partitions[0].error_message.value_or("");
  EXPECT_EQ(r.responses[0].partitions[1].error_code, 3);

  // Broker 2 never catches up here, so the move stays under way.
  ListPartitionReassignmentsRequest list;
  list.topics = std::nullopt;
  ListPartitionReassignmentsResponse l = h_.Call<ListPartitionReassignmentsResponse>(list, 0);
  EXPECT_EQ(l.error_code, 0);
  EXPECT_EQ(l.error_message, std::nullopt);
  ASSERT_EQ(l.topics.size(), 1u);
  EXPECT_EQ(l.topics[0].name, "moving");
  ASSERT_EQ(l.topics[0].partitions.size(), 1u);
  EXPECT_EQ(l.topics[0].partitions[0].partition_index, 0);
  EXPECT_EQ(l.topics[0].partitions[0].replicas, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(l.topics[0].partitions[0].adding_replicas, (std::vector<int32_t>{2}));
  EXPECT_TRUE(l.topics[0].partitions[0].removing_replicas.empty());

  // TopicCommand --describe asks for named partitions.
  ListPartitionReassignmentsRequest named;
  ListPartitionReassignmentsRequest::ListPartitionReassignmentsTopics nt;
  nt.name = "moving";
  nt.partition_indexes = {1};
  named.topics = std::vector<ListPartitionReassignmentsRequest::ListPartitionReassignmentsTopics>{nt};
  EXPECT_TRUE(h_.Call<ListPartitionReassignmentsResponse>(named, 0).topics.empty());
  named.topics = std::vector<ListPartitionReassignmentsRequest::ListPartitionReassignmentsTopics>();
  EXPECT_TRUE(h_.Call<ListPartitionReassignmentsResponse>(named, 0).topics.empty());

  // Cancel: replicas null.
  AlterPartitionReassignmentsRequest cancel;
  t.partitions = {p0};
  t.partitions[0].replicas = std::nullopt;
  cancel.topics = {t};
  AlterPartitionReassignmentsResponse c = h_.Call<AlterPartitionReassignmentsResponse>(cancel, 0);
  EXPECT_EQ(c.responses[0].partitions[0].error_code, 0);
  ASSERT_TRUE(h_.WaitFor([](const metadata::MetadataImage& i) {
    const metadata::TopicImage* t = i.topic("moving");
    return t != nullptr && !t->partition(PartitionId(0))->IsReassigning();
  }));
  EXPECT_TRUE(h_.Call<ListPartitionReassignmentsResponse>(list, 0).topics.empty());
}

TEST_F(PartitionAdminTest, NoControllerIsRequestTimedOut) {
  h_.UseDeadController();
  ListPartitionReassignmentsRequest list;
  list.topics = std::nullopt;
  EXPECT_EQ(h_.Call<ListPartitionReassignmentsResponse>(list, 0).error_code, 7);
  ElectLeadersRequest all;
  all.topic_partitions = std::nullopt;
  EXPECT_EQ(h_.Call<ElectLeadersResponse>(all, 1).error_code, 7);
}

}  // namespace
}  // namespace gregor::broker
