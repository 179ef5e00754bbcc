// CreateTopics against a real controller (QuorumController + ControllerService
// on loopback; the broker's image follows it through a MetadataFollower), at
// the versions clients send: v3 (kafka-python 2.0.2 admin) and v7 (Java
// TopicCommand, kafka-python 3 admin).
#include "broker/kafka/handlers/create_topics.h"

#include "broker/kafka/handlers/test_harness.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using kafka::CreateTopicsRequest;
using kafka::CreateTopicsResponse;
using testing::AdminHarness;
using testing::HarnessOptions;

CreateTopicsRequest::CreatableTopic Topic(const std::string& name, int32_t partitions,
                                          int16_t rf) {
  CreateTopicsRequest::CreatableTopic t;
  t.name = name;
  t.num_partitions = partitions;
  t.replication_factor = rf;
  return t;
}

const CreateTopicsResponse::CreatableTopicConfigs* FindConfig(
    const CreateTopicsResponse::CreatableTopicResult& r, const std::string& name) {
  if (!r.configs) return nullptr;
  for (const auto& c : *r.configs) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

class CreateTopicsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.dispatcher().Add(std::make_unique<CreateTopicsHandler>(&h_.context()));
    h_.Start();
  }
  AdminHarness h_{HarnessOptions{.with_controller = true}};
};

TEST_F(CreateTopicsTest, V7CreatesTheTopicAndAnswersOnceItIsInThisBrokersMetadata) {
  // Java TopicCommand --create --partitions 3 --replication-factor 2
  // --config min.insync.replicas=2 (timeoutMs 29997).
  CreateTopicsRequest req;
  req.topics.push_back(Topic("orders", 3, 2));
  CreateTopicsRequest::CreatableTopicConfig c;
  c.name = "min.insync.replicas";
  c.value = "2";
  req.topics[0].configs.push_back(c);
  req.timeout_ms = 29997;
  CreateTopicsResponse r = h_.Call<CreateTopicsResponse>(req, 7);
  ASSERT_EQ(r.topics.size(), 1u);
  const auto& t = r.topics[0];
  EXPECT_EQ(t.name, "orders");
  ASSERT_EQ(t.error_code, 0) << t.error_message.value_or("");
  EXPECT_EQ(t.error_message, std::nullopt);
  EXPECT_FALSE(t.topic_id.IsZero());
  EXPECT_EQ(t.num_partitions, 3);
  EXPECT_EQ(t.replication_factor, 2);
  const auto* min_isr = FindConfig(t, "min.insync.replicas");
  ASSERT_NE(min_isr, nullptr);
  EXPECT_EQ(min_isr->value, "2");
  EXPECT_EQ(min_isr->config_source, 1);  // DYNAMIC_TOPIC_CONFIG
  const auto* retention = FindConfig(t, "retention.ms");
  ASSERT_NE(retention, nullptr);
  EXPECT_EQ(retention->value, "604800000");
  EXPECT_EQ(retention->config_source, 5);  // DEFAULT_CONFIG
  EXPECT_FALSE(retention->read_only);
  EXPECT_FALSE(retention->is_sensitive);

  // Already in this broker's image, with leaders: a producer finds it at once.
  auto image = h_.image();
  const metadata::TopicImage* topic = image->topic(t.topic_id);
  ASSERT_NE(topic, nullptr);
  EXPECT_EQ(topic->name(), "orders");
  ASSERT_EQ(topic->num_partitions(), 3);
  for (const auto& [pid, p] : topic->partitions()) {
    EXPECT_TRUE(p->HasLeader());
    EXPECT_EQ(p->replicas.size(), 2u);
  }
}

TEST_F(CreateTopicsTest, V3AnswersWithoutTheV5Fields) {
  CreateTopicsRequest req;
  req.topics.push_back(Topic("legacy", 1, 1));
  req.timeout_ms = 10000;
  CreateTopicsResponse r = h_.Call<CreateTopicsResponse>(req, 3);
  ASSERT_EQ(r.topics.size(), 1u);
  EXPECT_EQ(r.topics[0].error_code, 0);
  EXPECT_EQ(r.topics[0].num_partitions, -1);  // not in v3: the default
  EXPECT_NE(h_.image()->topic("legacy"), nullptr);
}

TEST_F(CreateTopicsTest, DefaultsAreTheControllersWhenMinusOne) {
  CreateTopicsRequest req;
  req.topics.push_back(Topic("defaults", -1, -1));
  CreateTopicsResponse r = h_.Call<CreateTopicsResponse>(req, 5);
  ASSERT_EQ(r.topics[0].error_code, 0);
  EXPECT_EQ(r.topics[0].num_partitions, 1);
  EXPECT_EQ(r.topics[0].replication_factor, 1);
}

TEST_F(CreateTopicsTest, ValidateOnlyChecksWithoutCreating) {
  CreateTopicsRequest req;
  req.topics.push_back(Topic("dry-run", 4, 3));
  req.validate_only = true;
  CreateTopicsResponse r = h_.Call<CreateTopicsResponse>(req, 7);
  ASSERT_EQ(r.topics[0].error_code, 0);
  EXPECT_EQ(r.topics[0].num_partitions, 4);
  // A real creation afterwards commits; the dry run left nothing behind.
  CreateTopicsRequest real;
  real.topics.push_back(Topic("after", 1, 1));
  ASSERT_EQ(h_.Call<CreateTopicsResponse>(real, 7).topics[0].error_code, 0);
  EXPECT_EQ(h_.image()->topic("dry-run"), nullptr);
}

TEST_F(CreateTopicsTest, ControllerErrorsComeBackPerTopicWithMessages) {
  CreateTopicsRequest first;
  first.topics.push_back(Topic("exists", 1, 1));
  ASSERT_EQ(h_.Call<CreateTopicsResponse>(first, 7).topics[0].error_code, 0);

  CreateTopicsRequest req;
  req.topics.push_back(Topic("exists", 1, 1));
  req.topics.push_back(Topic("bad/name", 1, 1));
  req.topics.push_back(Topic("too-replicated", 1, 5));  // 3 brokers
  auto bad_config = Topic("bad-config", 1, 1);
  CreateTopicsRequest::CreatableTopicConfig c;
  c.name = "retention.ms";
  c.value = "forever";
  bad_config.configs.push_back(c);
  req.topics.push_back(bad_config);
  auto unknown_config = Topic("unknown-config", 1, 1);
  c.name = "no.such.config";
  c.value = "1";
  unknown_config.configs.push_back(c);
  req.topics.push_back(unknown_config);
  req.topics.push_back(Topic("twice", 1, 1));
  req.topics.push_back(Topic("twice", 1, 1));
  req.topics.push_back(Topic("ok", 2, 1));
  CreateTopicsResponse r = h_.Call<CreateTopicsResponse>(req, 7);
  ASSERT_EQ(r.topics.size(), 8u);
  EXPECT_EQ(r.topics[0].error_code, 36);  // TOPIC_ALREADY_EXISTS
  EXPECT_EQ(r.topics[0].error_message, "Topic 'exists' already exists.");
  EXPECT_EQ(r.topics[0].num_partitions, -1);
  EXPECT_EQ(r.topics[1].error_code, 17);  // INVALID_TOPIC_EXCEPTION
  EXPECT_EQ(r.topics[2].error_code, 38);  // INVALID_REPLICATION_FACTOR
  EXPECT_EQ(r.topics[3].error_code, 40);  // INVALID_CONFIG
  EXPECT_EQ(r.topics[3].error_message,
            "Invalid value forever for configuration retention.ms: Not a number of type LONG");
  EXPECT_EQ(r.topics[4].error_code, 40);
  EXPECT_EQ(r.topics[4].error_message, "Unknown topic config name: no.such.config");
  EXPECT_EQ(r.topics[5].error_code, 42);  // INVALID_REQUEST
  EXPECT_EQ(r.topics[5].error_message, "Duplicate topic name.");
  EXPECT_EQ(r.topics[7].error_code, 0);
  EXPECT_NE(h_.image()->topic("ok"), nullptr);
  EXPECT_EQ(h_.image()->topic("bad-config"), nullptr);
}

TEST_F(CreateTopicsTest, V0AnswersWithCodesOnly) {
  CreateTopicsRequest req;
  req.topics.push_back(Topic("v0-topic", 1, 1));
  req.topics.push_back(Topic("v0-topic", 1, 1));
  CreateTopicsResponse r = h_.Call<CreateTopicsResponse>(req, 0);
  ASSERT_EQ(r.topics.size(), 2u);
  EXPECT_EQ(r.topics[0].error_code, 42);
}

TEST_F(CreateTopicsTest, NoControllerAnsweringIsRequestTimedOut) {
  h_.UseDeadController();
  CreateTopicsRequest req;
  req.topics.push_back(Topic("orphan", 1, 1));
  CreateTopicsResponse r = h_.Call<CreateTopicsResponse>(req, 7);
  ASSERT_EQ(r.topics.size(), 1u);
  EXPECT_EQ(r.topics[0].error_code, 7);  // REQUEST_TIMED_OUT: clients retry
  EXPECT_TRUE(r.topics[0].error_message.has_value());
}

}  // namespace
}  // namespace gregor::broker
