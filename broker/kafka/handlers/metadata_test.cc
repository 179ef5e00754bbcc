// Metadata over the real Dispatcher + KafkaServer, with the versions real
// clients send (CLIENTS.md): v0/v1 kafka-python 2.0.2, v4 kcat, v5
// kafka-python 2.0.2 admin, v6 kafkajs, v12 (our max; Java, librdkafka 2.16,
// franz-go and kafka-python 3 send v13 to Kafka and negotiate v12 with us).
#include "broker/kafka/handlers/metadata.h"

#include <algorithm>

#include "broker/kafka/handlers/test_harness.h"
#include "common/metadata/testing/records.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using kafka::MetadataRequest;
using kafka::MetadataResponse;
using testing::AdminHarness;
using testing::HarnessOptions;
namespace rec = metadata::testing;

constexpr int16_t kUnknownTopicOrPartition = 3;
constexpr int16_t kLeaderNotAvailable = 5;
constexpr int16_t kReplicaNotAvailable = 9;
constexpr int16_t kInvalidTopic = 17;
constexpr int16_t kInvalidRequest = 42;
constexpr int16_t kListenerNotFound = 72;
constexpr int16_t kUnknownTopicId = 100;

MetadataRequest Topics(std::vector<std::string> names, bool allow_auto = true) {
  MetadataRequest req;
  req.topics = std::vector<MetadataRequest::MetadataRequestTopic>();
  for (auto& n : names) {
    MetadataRequest::MetadataRequestTopic t;
    t.name = std::move(n);
    req.topics->push_back(std::move(t));
  }
  req.allow_auto_topic_creation = allow_auto;
  return req;
}

MetadataRequest AllTopics() {
  MetadataRequest req;
  req.topics = std::nullopt;
  return req;
}

const MetadataResponse::MetadataResponseTopic* Find(const MetadataResponse& r,
                                                    const std::string& name) {
  for (const auto& t : r.topics) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::vector<int32_t> BrokerIds(const MetadataResponse& r) {
  std::vector<int32_t> ids;
  for (const auto& b : r.brokers) ids.push_back(b.node_id);
  return ids;
}

class MetadataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.dispatcher().Add(std::make_unique<MetadataHandler>(&h_.context()));
    h_.Start();
    orders_ = h_.AddTopic("orders", 3, {1, 2, 3});
    h_.AddTopic("__consumer_offsets", 2, {1});
  }
  AdminHarness h_;
  gregor::Uuid orders_;
};

TEST_F(MetadataTest, V0EmptyTopicListMeansAllTopics) {
  // kafka-python 2.0.2's first request: Metadata v0 with [].
  MetadataResponse r = h_.Call<MetadataResponse>(Topics({}), 0);
  EXPECT_EQ(BrokerIds(r), (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(r.brokers[0].host, "127.0.0.1");
  EXPECT_EQ(r.brokers[0].port, h_.port("PLAINTEXT"));
  ASSERT_EQ(r.topics.size(), 2u);
  EXPECT_EQ(r.topics[0].name, "__consumer_offsets");
  const auto* orders = Find(r, "orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->error_code, 0);
  ASSERT_EQ(orders->partitions.size(), 3u);
  EXPECT_EQ(orders->partitions[1].partition_index, 1);
  EXPECT_EQ(orders->partitions[1].leader_id, 2);
  EXPECT_EQ(orders->partitions[1].replica_nodes, (std::vector<int32_t>{2, 3, 1}));
  EXPECT_EQ(orders->partitions[1].isr_nodes, (std::vector<int32_t>{2, 3, 1}));
}

TEST_F(MetadataTest, NullMeansAllTopicsAndEmptyMeansNoneFromV1) {
  MetadataResponse all = h_.Call<MetadataResponse>(AllTopics(), 1);
  EXPECT_EQ(all.topics.size(), 2u);
  EXPECT_EQ(all.controller_id, AdminHarness::kSelf);
  const auto* offsets = Find(all, "__consumer_offsets");
  ASSERT_NE(offsets, nullptr);
  EXPECT_TRUE(offsets->is_internal);
  EXPECT_FALSE(Find(all, "orders")->is_internal);

  for (int16_t v : {1, 4, 9, 12}) {
    MetadataResponse none = h_.Call<MetadataResponse>(Topics({}), v);
    EXPECT_TRUE(none.topics.empty()) << "v" << v;
    EXPECT_EQ(none.brokers.size(), 3u) << "v" << v;
  }
}

TEST_F(MetadataTest, V12AnswersLikeKafkaDidForTopicCommand) {
  // Java TopicCommand --describe: topics null, allowAutoTopicCreation true.
  MetadataRequest req = AllTopics();
  req.allow_auto_topic_creation = true;
  MetadataResponse r = h_.Call<MetadataResponse>(req, 12);
  EXPECT_EQ(r.cluster_id, "gregor-test-cluster-id");
  EXPECT_EQ(r.controller_id, 1);
  EXPECT_EQ(r.throttle_time_ms, 0);
  ASSERT_EQ(r.brokers.size(), 3u);
  EXPECT_EQ(r.brokers[2].rack, std::nullopt);
  const auto* orders = Find(r, "orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->topic_id, orders_);
  EXPECT_EQ(orders->partitions[0].leader_epoch, 0);
  EXPECT_TRUE(orders->partitions[0].offline_replicas.empty());
  // Not asked for: the schema default, as Kafka sends it.
  EXPECT_EQ(orders->topic_authorized_operations, std::numeric_limits<int32_t>::min());
}

TEST_F(MetadataTest, AuthorizedOperationsAreEverythingWhenAsked) {
  MetadataRequest req = Topics({"orders"});
  req.include_topic_authorized_operations = true;
  req.include_cluster_authorized_operations = true;
  MetadataResponse r10 = h_.Call<MetadataResponse>(req, 10);
  EXPECT_EQ(r10.topics[0].topic_authorized_operations, 3576);  // what Kafka 4.1.1 returned
  EXPECT_EQ(r10.cluster_authorized_operations, 8096);
  MetadataResponse r12 = h_.Call<MetadataResponse>(req, 12);
  EXPECT_EQ(r12.topics[0].topic_authorized_operations, 3576);
}

TEST_F(MetadataTest, BrokersAndLeadersAreThoseOfTheClientsListener) {
  MetadataResponse r = h_.Call<MetadataResponse>(Topics({"orders"}), 12, "EXTERNAL");
  ASSERT_EQ(BrokerIds(r), (std::vector<int32_t>{1, 2}));  // broker 3 has no EXTERNAL endpoint
  EXPECT_EQ(r.brokers[1].host, "ext-2.example");
  EXPECT_EQ(r.brokers[1].port, 29092);
  const auto& parts = r.topics[0].partitions;
  EXPECT_EQ(parts[0].leader_id, 1);
  EXPECT_EQ(parts[0].error_code, 0);
  // Partition 2 is led by broker 3, which is not on this listener.
  EXPECT_EQ(parts[2].leader_id, -1);
  EXPECT_EQ(parts[2].error_code, kListenerNotFound);
  EXPECT_EQ(parts[2].offline_replicas, (std::vector<int32_t>{3}));
  // Before v6 Kafka reports LEADER_NOT_AVAILABLE instead (kcat sends v4).
  MetadataResponse v4 = h_.Call<MetadataResponse>(Topics({"orders"}), 4, "EXTERNAL");
  EXPECT_EQ(v4.topics[0].partitions[2].error_code, kLeaderNotAvailable);
}

TEST_F(MetadataTest, FencedBrokersAreHiddenAndTheirReplicasOffline) {
  h_.Apply({rec::BrokerChange(2, 1, metadata::FENCE)});
  MetadataResponse r = h_.Call<MetadataResponse>(Topics({"orders"}), 6);
  EXPECT_EQ(BrokerIds(r), (std::vector<int32_t>{1, 3}));
  const auto& p0 = r.topics[0].partitions[0];
  EXPECT_EQ(p0.replica_nodes, (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(p0.offline_replicas, (std::vector<int32_t>{2}));
  EXPECT_EQ(p0.error_code, 0);
  // v0 lists only live replicas and flags the partition.
  MetadataResponse v0 = h_.Call<MetadataResponse>(Topics({"orders"}), 0);
  const auto& v0p0 = v0.topics[0].partitions[0];
  EXPECT_EQ(v0p0.replica_nodes, (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(v0p0.error_code, kReplicaNotAvailable);
}

TEST_F(MetadataTest, PartitionWithoutLeaderIsLeaderNotAvailable) {
  h_.Apply({rec::PartitionChange(orders_, 1, -1, std::vector<int>{2})});
  MetadataResponse r = h_.Call<MetadataResponse>(Topics({"orders"}), 12);
  const auto& p1 = r.topics[0].partitions[1];
  EXPECT_EQ(p1.error_code, kLeaderNotAvailable);
  EXPECT_EQ(p1.leader_id, -1);
  EXPECT_EQ(p1.leader_epoch, 1);
  EXPECT_EQ(p1.isr_nodes, (std::vector<int32_t>{2}));
}

TEST_F(MetadataTest, TopicsCanBeNamedByIdInV12) {
  MetadataRequest req;
  req.topics = std::vector<MetadataRequest::MetadataRequestTopic>(2);
  (*req.topics)[0].name = std::nullopt;
  (*req.topics)[0].topic_id = orders_;
  (*req.topics)[1].name = std::nullopt;
  (*req.topics)[1].topic_id = gregor::Uuid(7, 7);
  MetadataResponse r = h_.Call<MetadataResponse>(req, 12);
  ASSERT_EQ(r.topics.size(), 2u);
  EXPECT_EQ(r.topics[0].name, "orders");
  EXPECT_EQ(r.topics[0].partitions.size(), 3u);
  EXPECT_EQ(r.topics[1].error_code, kUnknownTopicId);
  EXPECT_EQ(r.topics[1].name, std::nullopt);
  EXPECT_EQ(r.topics[1].topic_id, gregor::Uuid(7, 7));
  // Before v12 a topic id in the request is refused, as Kafka does.
  MetadataResponse v11 = h_.Call<MetadataResponse>(req, 11);
  ASSERT_EQ(v11.topics.size(), 2u);
  EXPECT_EQ(v11.topics[0].error_code, kInvalidRequest);
  EXPECT_TRUE(v11.brokers.empty());
}

TEST_F(MetadataTest, MissingTopicsWithoutAutoCreationAreUnknownOrInvalid) {
  MetadataResponse r =
      h_.Call<MetadataResponse>(Topics({"nope", "bad name!", "orders"}, false), 12);
  ASSERT_EQ(r.topics.size(), 3u);
  EXPECT_EQ(Find(r, "orders")->error_code, 0);
  EXPECT_EQ(Find(r, "nope")->error_code, kUnknownTopicOrPartition);
  EXPECT_EQ(Find(r, "nope")->topic_id, gregor::Uuid());
  EXPECT_TRUE(Find(r, "nope")->partitions.empty());
  EXPECT_EQ(Find(r, "bad name!")->error_code, kInvalidTopic);
  EXPECT_EQ(h_.image()->topic("nope"), nullptr);
}

TEST_F(MetadataTest, DuplicateTopicsAreAnsweredOnce) {
  MetadataResponse r = h_.Call<MetadataResponse>(Topics({"orders", "orders"}), 9);
  EXPECT_EQ(r.topics.size(), 1u);
}

TEST(MetadataAutoCreateTest, DisabledByBrokerConfigNothingIsCreated) {
  AdminHarness h(HarnessOptions{.configure = [](BrokerConfig& c) {
    c.auto_create_topics_enable = false;
  }});
  auto handler = std::make_unique<MetadataHandler>(&h.context());
  MetadataHandler* m = handler.get();
  h.dispatcher().Add(std::move(handler));
  h.Start();
  MetadataResponse r = h.Call<MetadataResponse>(Topics({"fresh"}, true), 12);
  EXPECT_EQ(r.topics[0].error_code, kUnknownTopicOrPartition);
  EXPECT_EQ(m->auto_creator().in_flight(), 0u);
}

// Auto-creation against a real controller: the answer is
// UNKNOWN_TOPIC_OR_PARTITION (as Kafka 4.1.1 answered), then the topic
// appears with the broker's defaults and a leader.
class MetadataAutoCreateWithControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.dispatcher().Add(std::make_unique<MetadataHandler>(&h_.context()));
    h_.Start();
  }
  AdminHarness h_{HarnessOptions{.with_controller = true}};
};

TEST_F(MetadataAutoCreateWithControllerTest, ProducerRequestCreatesTheTopic) {
  // librdkafka/Java producers: Metadata with the topic and allow=true.
  MetadataResponse first = h_.Call<MetadataResponse>(Topics({"events"}, true), 12);
  ASSERT_EQ(first.topics.size(), 1u);
  EXPECT_EQ(first.topics[0].error_code, kUnknownTopicOrPartition);
  EXPECT_EQ(first.topics[0].name, "events");
  EXPECT_TRUE(first.topics[0].partitions.empty());
  ASSERT_TRUE(h_.WaitFor([](const metadata::MetadataImage& i) {
    const metadata::TopicImage* t = i.topic("events");
    return t != nullptr && t->num_partitions() == 2;
  }));
  MetadataResponse again = h_.Call<MetadataResponse>(Topics({"events"}, true), 12);
  ASSERT_EQ(again.topics[0].error_code, 0);
  ASSERT_EQ(again.topics[0].partitions.size(), 2u);  // num.partitions = 2 in the harness
  EXPECT_GE(again.topics[0].partitions[0].leader_id, 1);
  EXPECT_EQ(again.topics[0].partitions[0].replica_nodes.size(), 1u);
}

TEST_F(MetadataAutoCreateWithControllerTest, V1FollowsTheBrokerSettingAlone) {
  // kafka-python 2.0.2 uses v1, which has no allow flag.
  MetadataResponse r = h_.Call<MetadataResponse>(Topics({"legacy"}), 1);
  EXPECT_EQ(r.topics[0].error_code, kUnknownTopicOrPartition);
  EXPECT_TRUE(h_.WaitFor([](const metadata::MetadataImage& i) { return i.topic("legacy"); }));
}

TEST_F(MetadataAutoCreateWithControllerTest, ConsumersThatDisallowCreationCreateNothing) {
  MetadataResponse r = h_.Call<MetadataResponse>(Topics({"quiet"}, false), 12);
  EXPECT_EQ(r.topics[0].error_code, kUnknownTopicOrPartition);
  // Creating another topic afterwards proves the controller saw no request
  // for "quiet" before it (requests are answered in order).
  MetadataResponse other = h_.Call<MetadataResponse>(Topics({"loud"}, true), 12);
  ASSERT_TRUE(h_.WaitFor([](const metadata::MetadataImage& i) { return i.topic("loud"); }));
  EXPECT_EQ(h_.image()->topic("quiet"), nullptr);
}

TEST_F(MetadataAutoCreateWithControllerTest, InvalidNamesAreNotSentToTheController) {
  MetadataResponse r = h_.Call<MetadataResponse>(Topics({"no/slashes"}, true), 12);
  EXPECT_EQ(r.topics[0].error_code, kInvalidTopic);
}

TEST_F(MetadataAutoCreateWithControllerTest, OffsetsTopicGetsTheOffsetsSettings) {
  MetadataResponse r = h_.Call<MetadataResponse>(Topics({"__consumer_offsets"}, true), 12);
  EXPECT_EQ(r.topics[0].error_code, kUnknownTopicOrPartition);
  EXPECT_TRUE(r.topics[0].is_internal);
  ASSERT_TRUE(h_.WaitFor([](const metadata::MetadataImage& i) {
    return i.topic("__consumer_offsets") != nullptr;
  }));
  auto image = h_.image();
  EXPECT_EQ(image->topic("__consumer_offsets")->num_partitions(), 4);
  EXPECT_EQ(image->config({metadata::CONFIG_RESOURCE_TOPIC, "__consumer_offsets"},
                          "cleanup.policy"),
            "compact");
}

}  // namespace
}  // namespace gregor::broker
