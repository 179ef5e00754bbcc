// FindCoordinator creating __consumer_offsets through a real controller
// (QuorumController + ControllerService on loopback; the broker's image
// follows it through a MetadataFollower): clients are told to retry until the
// topic has leaders, then pointed at the leader on their own listener.
#include "broker/group/offsets_topic.h"
#include "broker/group/partitioner.h"
#include "broker/kafka/handlers/find_coordinator.h"
#include "broker/kafka/handlers/test_harness.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using Request = kafka::FindCoordinatorRequest;
using Response = kafka::FindCoordinatorResponse;
using testing::AdminHarness;
using testing::HarnessOptions;

constexpr int kPartitions = 6;

HarnessOptions Options(int16_t replication_factor) {
  HarnessOptions o;
  o.with_controller = true;
  o.configure = [replication_factor](BrokerConfig& c) {
    c.offsets_topic_num_partitions = kPartitions;
    c.offsets_topic_replication_factor = replication_factor;
  };
  return o;
}

bool OffsetsTopicHasLeaders(const metadata::MetadataImage& image) {
  const metadata::TopicImage* t = image.topic(group::kOffsetsTopic);
  if (t == nullptr || t->num_partitions() != kPartitions) return false;
  for (int p = 0; p < kPartitions; ++p) {
    if (!t->partition(PartitionId(p))->HasLeader()) return false;
  }
  return true;
}

TEST(FindCoordinatorControllerTest, CreatesTheOffsetsTopicThenAnswersItsLeader) {
  AdminHarness h(Options(3));
  h.dispatcher().Add(std::make_unique<FindCoordinatorHandler>(&h.context()));
  h.Start();
  Request req;
  req.key = "g";
  Response first = h.Call<Response>(req, 0);  // kafka-python 2.0.2
  EXPECT_EQ(first.error_code, 15);
  EXPECT_EQ(first.node_id, -1);
  ASSERT_TRUE(h.WaitFor(OffsetsTopicHasLeaders));

  // Created as Kafka creates it.
  auto image = h.image();
  const metadata::TopicImage* t = image->topic(group::kOffsetsTopic);
  EXPECT_EQ(t->partition(PartitionId(0))->replicas.size(), 3u);
  metadata::ConfigResource r{metadata::CONFIG_RESOURCE_TOPIC, group::kOffsetsTopic};
  EXPECT_EQ(image->config(r, "cleanup.policy"), "compact");
  EXPECT_EQ(image->config(r, "compression.type"), "producer");
  EXPECT_EQ(image->config(r, "segment.bytes"), "104857600");

  const int32_t leader =
      t->partition(PartitionId(group::PartitionForGroup("g", kPartitions)))->leader.value();
  Response v0 = h.Call<Response>(req, 0);
  EXPECT_EQ(v0.error_code, 0);
  EXPECT_EQ(v0.node_id, leader);
  // The same coordinator, at the endpoint of the listener asked through.
  req.coordinator_keys = {"g"};
  Response plain = h.Call<Response>(req, 6, "PLAINTEXT");
  ASSERT_EQ(plain.coordinators.size(), 1u);
  EXPECT_EQ(plain.coordinators[0].node_id, leader);
  EXPECT_EQ(plain.coordinators[0].host, "127.0.0.1");
  EXPECT_EQ(plain.coordinators[0].port, v0.port);
  Response external = h.Call<Response>(req, 6, "EXTERNAL");
  ASSERT_EQ(external.coordinators.size(), 1u);
  if (leader == 3) {
    // Broker 3 has no EXTERNAL listener: as Kafka, not available.
    EXPECT_EQ(external.coordinators[0].error_code, 15);
  } else {
    EXPECT_EQ(external.coordinators[0].error_code, 0);
    EXPECT_EQ(external.coordinators[0].host, "ext-" + std::to_string(leader) + ".example");
  }
}

}  // namespace
}  // namespace gregor::broker
