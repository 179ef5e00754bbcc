// DescribeCluster (Java AdminClient sends v2 to Kafka 4.1.1; we serve v0-1)
// and DescribeTopicPartitions v0 (Java TopicCommand --describe).
#include "broker/kafka/handlers/describe_cluster.h"

#include "broker/kafka/handlers/describe_topic_partitions.h"
#include "broker/kafka/handlers/test_harness.h"
#include "common/metadata/testing/records.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using kafka::DescribeClusterRequest;
using kafka::DescribeClusterResponse;
using kafka::DescribeTopicPartitionsRequest;
using kafka::DescribeTopicPartitionsResponse;
using testing::AdminHarness;
namespace rec = metadata::testing;

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.dispatcher().Add(std::make_unique<DescribeClusterHandler>(&h_.context()));
    h_.dispatcher().Add(std::make_unique<DescribeTopicPartitionsHandler>(&h_.context()));
    h_.Start();
    alpha_ = h_.AddTopic("alpha", 3, {1, 2, 3});
    h_.AddTopic("beta", 2, {2});
    h_.AddTopic("gamma", 4, {3, 1});
  }

  DescribeTopicPartitionsRequest Dtp(std::vector<std::string> names, int32_t limit = 2000) {
    DescribeTopicPartitionsRequest req;
    for (auto& n : names) {
      DescribeTopicPartitionsRequest::TopicRequest t;
      t.name = std::move(n);
      req.topics.push_back(std::move(t));
    }
    req.response_partition_limit = limit;
    return req;
  }

  AdminHarness h_;
  gregor::Uuid alpha_;
};

TEST_F(ClusterTest, DescribeClusterListsTheBrokersOnTheListener) {
  DescribeClusterRequest req;
  req.endpoint_type = 1;  // what Java sent
  for (int16_t v : {0, 1}) {
    DescribeClusterResponse r = h_.Call<DescribeClusterResponse>(req, v);
    EXPECT_EQ(r.error_code, 0);
    EXPECT_EQ(r.error_message, std::nullopt);
    EXPECT_EQ(r.cluster_id, "gregor-test-cluster-id");
    EXPECT_EQ(r.controller_id, 1);
    ASSERT_EQ(r.brokers.size(), 3u);
    EXPECT_EQ(r.brokers[0].broker_id, 1);
    EXPECT_EQ(r.brokers[0].port, h_.port("PLAINTEXT"));
    EXPECT_EQ(r.brokers[1].rack, std::nullopt);
    EXPECT_EQ(r.cluster_authorized_operations, std::numeric_limits<int32_t>::min());
  }
  DescribeClusterResponse ext = h_.Call<DescribeClusterResponse>(req, 1, "EXTERNAL");
  ASSERT_EQ(ext.brokers.size(), 2u);
  EXPECT_EQ(ext.brokers[1].host, "ext-2.example");
}

TEST_F(ClusterTest, DescribeClusterOmitsFencedBrokersAndReportsOperations) {
  h_.Apply({rec::BrokerChange(3, 1, metadata::FENCE)});
  DescribeClusterRequest req;
  req.include_cluster_authorized_operations = true;
  DescribeClusterResponse r = h_.Call<DescribeClusterResponse>(req, 1);
  ASSERT_EQ(r.brokers.size(), 2u);
  EXPECT_EQ(r.cluster_authorized_operations, 8096);
}

TEST_F(ClusterTest, DescribeClusterRefusesTheControllerEndpointType) {
  DescribeClusterRequest req;
  req.endpoint_type = 2;
  DescribeClusterResponse r = h_.Call<DescribeClusterResponse>(req, 1);
  EXPECT_EQ(r.error_code, 114);  // MISMATCHED_ENDPOINT_TYPE
  EXPECT_TRUE(r.brokers.empty());
  req.endpoint_type = 7;
  EXPECT_EQ(h_.Call<DescribeClusterResponse>(req, 1).error_code, 115);  // UNSUPPORTED_ENDPOINT_TYPE
}

TEST_F(ClusterTest, DescribeTopicPartitionsAnswersLikeKafkaForTopicCommand) {
  // TopicCommand --describe --topic alpha: responsePartitionLimit 2000.
  DescribeTopicPartitionsResponse r = h_.Call<DescribeTopicPartitionsResponse>(Dtp({"alpha"}), 0);
  ASSERT_EQ(r.topics.size(), 1u);
  const auto& t = r.topics[0];
  EXPECT_EQ(t.error_code, 0);
  EXPECT_EQ(t.name, "alpha");
  EXPECT_EQ(t.topic_id, alpha_);
  EXPECT_FALSE(t.is_internal);
  EXPECT_EQ(t.topic_authorized_operations, 3576);  // as Kafka 4.1.1 answered
  ASSERT_EQ(t.partitions.size(), 3u);
  EXPECT_EQ(t.partitions[1].partition_index, 1);
  EXPECT_EQ(t.partitions[1].leader_id, 2);
  EXPECT_EQ(t.partitions[1].replica_nodes, (std::vector<int32_t>{2, 3, 1}));
  EXPECT_EQ(t.partitions[1].eligible_leader_replicas, std::vector<int32_t>());
  EXPECT_EQ(t.partitions[1].last_known_elr, std::vector<int32_t>());
  EXPECT_TRUE(t.partitions[1].offline_replicas.empty());
  EXPECT_EQ(r.next_cursor, std::nullopt);
}

TEST_F(ClusterTest, DescribeTopicPartitionsPagesWithACursor) {
  // All topics (empty list), 4 partitions per page.
  DescribeTopicPartitionsResponse p1 = h_.Call<DescribeTopicPartitionsResponse>(Dtp({}, 4), 0);
  ASSERT_EQ(p1.topics.size(), 2u);
  EXPECT_EQ(p1.topics[0].name, "alpha");
  EXPECT_EQ(p1.topics[0].partitions.size(), 3u);
  EXPECT_EQ(p1.topics[1].name, "beta");
  ASSERT_EQ(p1.topics[1].partitions.size(), 1u);
  ASSERT_TRUE(p1.next_cursor.has_value());
  EXPECT_EQ(p1.next_cursor->topic_name, "beta");
  EXPECT_EQ(p1.next_cursor->partition_index, 1);

  DescribeTopicPartitionsRequest next = Dtp({}, 4);
  next.cursor = DescribeTopicPartitionsRequest::Cursor();
  next.cursor->topic_name = "beta";
  next.cursor->partition_index = 1;
  DescribeTopicPartitionsResponse p2 = h_.Call<DescribeTopicPartitionsResponse>(next, 0);
  ASSERT_EQ(p2.topics.size(), 2u);
  EXPECT_EQ(p2.topics[0].partitions.size(), 1u);
  EXPECT_EQ(p2.topics[0].partitions[0].partition_index, 1);
  EXPECT_EQ(p2.topics[1].name, "gamma");
  EXPECT_EQ(p2.topics[1].partitions.size(), 3u);
  ASSERT_TRUE(p2.next_cursor.has_value());
  EXPECT_EQ(p2.next_cursor->topic_name, "gamma");
  EXPECT_EQ(p2.next_cursor->partition_index, 3);

  // A page that ends exactly at a topic's end points at the next topic.
  DescribeTopicPartitionsResponse exact = h_.Call<DescribeTopicPartitionsResponse>(Dtp({}, 3), 0);
  ASSERT_EQ(exact.topics.size(), 1u);
  ASSERT_TRUE(exact.next_cursor.has_value());
  EXPECT_EQ(exact.next_cursor->topic_name, "beta");
  EXPECT_EQ(exact.next_cursor->partition_index, 0);
}

TEST_F(ClusterTest, DescribeTopicPartitionsReportsMissingAndInvalidTopics) {
  DescribeTopicPartitionsResponse r =
      h_.Call<DescribeTopicPartitionsResponse>(Dtp({"zzz", "beta", "b@d"}), 0);
  ASSERT_EQ(r.topics.size(), 3u);  // name order
  EXPECT_EQ(r.topics[0].name, "b@d");
  EXPECT_EQ(r.topics[0].error_code, 17);  // INVALID_TOPIC_EXCEPTION
  EXPECT_EQ(r.topics[1].name, "beta");
  EXPECT_EQ(r.topics[1].error_code, 0);
  EXPECT_EQ(r.topics[2].name, "zzz");
  EXPECT_EQ(r.topics[2].error_code, 3);  // UNKNOWN_TOPIC_OR_PARTITION
  EXPECT_TRUE(r.topics[2].partitions.empty());
}

TEST_F(ClusterTest, DescribeTopicPartitionsRefusesACursorOutsideTheTopics) {
  DescribeTopicPartitionsRequest req = Dtp({"alpha"});
  req.cursor = DescribeTopicPartitionsRequest::Cursor();
  req.cursor->topic_name = "beta";
  DescribeTopicPartitionsResponse r = h_.Call<DescribeTopicPartitionsResponse>(req, 0);
  ASSERT_EQ(r.topics.size(), 1u);
  EXPECT_EQ(r.topics[0].error_code, 42);  // INVALID_REQUEST
}

TEST_F(ClusterTest, DescribeTopicPartitionsShowsLeaderlessPartitionsWithoutError) {
  h_.Apply({rec::PartitionChange(alpha_, 0, -1, std::vector<int>{1})});
  DescribeTopicPartitionsResponse r = h_.Call<DescribeTopicPartitionsResponse>(Dtp({"alpha"}), 0);
  EXPECT_EQ(r.topics[0].partitions[0].error_code, 0);
  EXPECT_EQ(r.topics[0].partitions[0].leader_id, -1);
  EXPECT_EQ(r.topics[0].partitions[0].leader_epoch, 1);
}

}  // namespace
}  // namespace gregor::broker
