// DeleteTopics and CreatePartitions against a real controller.
#include "broker/kafka/handlers/delete_topics.h"

#include "broker/kafka/handlers/create_partitions.h"
#include "broker/kafka/handlers/create_topics.h"
#include "broker/kafka/handlers/test_harness.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using kafka::CreatePartitionsRequest;
using kafka::CreatePartitionsResponse;
using kafka::CreateTopicsRequest;
using kafka::CreateTopicsResponse;
using kafka::DeleteTopicsRequest;
using kafka::DeleteTopicsResponse;
using testing::AdminHarness;
using testing::HarnessOptions;

class TopicAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.dispatcher().Add(std::make_unique<CreateTopicsHandler>(&h_.context()));
    h_.dispatcher().Add(std::make_unique<DeleteTopicsHandler>(&h_.context()));
    h_.dispatcher().Add(std::make_unique<CreatePartitionsHandler>(&h_.context()));
    h_.Start();
  }

  gregor::Uuid Create(const std::string& name, int32_t partitions) {
    CreateTopicsRequest req;
    CreateTopicsRequest::CreatableTopic t;
    t.name = name;
    t.num_partitions = partitions;
    t.replication_factor = 1;
    req.topics.push_back(t);
    CreateTopicsResponse r = h_.Call<CreateTopicsResponse>(req, 7);
    EXPECT_EQ(r.topics[0].error_code, 0);
    return r.topics[0].topic_id;
  }

  static DeleteTopicsRequest::DeleteTopicState ByName(const std::string& name) {
    DeleteTopicsRequest::DeleteTopicState s;
    s.name = name;
    return s;
  }
  static DeleteTopicsRequest::DeleteTopicState ById(gregor::Uuid id) {
    DeleteTopicsRequest::DeleteTopicState s;
    s.topic_id = id;
    return s;
  }

  AdminHarness h_{HarnessOptions{.with_controller = true}};
};

TEST_F(TopicAdminTest, DeleteByNameAndByIdInV6) {
  gregor::Uuid a = Create("a", 1);
  gregor::Uuid b = Create("b", 2);
  DeleteTopicsRequest req;
  req.topics = {ByName("a"), ById(b), ByName("missing"), ById(gregor::Uuid(9, 9))};
  req.timeout_ms = 30000;
  DeleteTopicsResponse r = h_.Call<DeleteTopicsResponse>(req, 6);
  ASSERT_EQ(r.responses.size(), 4u);
  EXPECT_EQ(r.responses[0].name, "a");
  EXPECT_EQ(r.responses[0].error_code, 0);
  EXPECT_EQ(r.responses[0].topic_id, a);
  EXPECT_EQ(r.responses[1].name, "b");  // named by id: Kafka fills in the name
  EXPECT_EQ(r.responses[1].topic_id, b);
  EXPECT_EQ(r.responses[1].error_code, 0);
  EXPECT_EQ(r.responses[2].error_code, 3);    // UNKNOWN_TOPIC_OR_PARTITION
  EXPECT_EQ(r.responses[3].error_code, 100);  // UNKNOWN_TOPIC_ID
  EXPECT_EQ(r.responses[3].name, std::nullopt);
  // Gone from this broker's image when the answer arrives.
  EXPECT_EQ(h_.image()->topic("a"), nullptr);
  EXPECT_EQ(h_.image()->topic(b), nullptr);
}

TEST_F(TopicAdminTest, DeleteRefusesAmbiguousEntries) {
  gregor::Uuid a = Create("a", 1);
  DeleteTopicsRequest req;
  auto both = ByName("a");
  both.topic_id = a;
  req.topics = {both, DeleteTopicsRequest::DeleteTopicState(), ById(a), ById(a)};
  DeleteTopicsResponse r = h_.Call<DeleteTopicsResponse>(req, 6);
  ASSERT_EQ(r.responses.size(), 4u);
  EXPECT_EQ(r.responses[0].error_code, 42);
  EXPECT_EQ(r.responses[0].error_message, "You may not specify both topic name and topic id.");
  EXPECT_EQ(r.responses[1].error_code, 42);
  EXPECT_EQ(r.responses[2].error_code, 42);
  EXPECT_EQ(r.responses[2].error_message, "Duplicate topic id.");
  EXPECT_NE(h_.image()->topic("a"), nullptr);
}

TEST_F(TopicAdminTest, DeleteByNamesBeforeV6) {
  Create("old", 1);
  DeleteTopicsRequest req;
  req.topic_names = {"old", "old2"};
  req.timeout_ms = 30000;
  for (int16_t v : {1, 4}) {
    DeleteTopicsResponse r = h_.Call<DeleteTopicsResponse>(req, v);
    ASSERT_EQ(r.responses.size(), 2u);
    EXPECT_EQ(r.responses[1].error_code, 3);
    if (v == 1) EXPECT_EQ(r.responses[0].error_code, 0);
  }
  EXPECT_EQ(h_.image()->topic("old"), nullptr);
}

TEST(TopicDeletionDisabledTest, IsRefusedAsKafkaDoes) {
  AdminHarness h(HarnessOptions{.with_controller = true, .configure = [](BrokerConfig& c) {
                                  c.delete_topic_enable = false;
                                }});
  h.dispatcher().Add(std::make_unique<DeleteTopicsHandler>(&h.context()));
  h.Start();
  DeleteTopicsRequest req;
  req.topic_names = {"x"};
  EXPECT_EQ(h.Call<DeleteTopicsResponse>(req, 5).responses[0].error_code, 73);  // TOPIC_DELETION_DISABLED
  EXPECT_EQ(h.Call<DeleteTopicsResponse>(req, 2).responses[0].error_code, 42);
}

TEST_F(TopicAdminTest, CreatePartitionsGrowsTheTopicAndWaitsForTheNewLeaders) {
  gregor::Uuid id = Create("grow", 1);
  CreatePartitionsRequest req;
  CreatePartitionsRequest::CreatePartitionsTopic t;
  t.name = "grow";
  t.count = 3;
  t.assignments = std::nullopt;
  req.topics.push_back(t);
  req.timeout_ms = 30000;
  CreatePartitionsResponse r = h_.Call<CreatePartitionsResponse>(req, 3);
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].name, "grow");
  EXPECT_EQ(r.results[0].error_code, 0);
  EXPECT_EQ(r.results[0].error_message, std::nullopt);
  const metadata::TopicImage* topic = h_.image()->topic(id);
  ASSERT_NE(topic, nullptr);
  EXPECT_EQ(topic->num_partitions(), 3);
}

TEST_F(TopicAdminTest, CreatePartitionsWithAnAssignment) {
  gregor::Uuid id = Create("placed", 1);
  CreatePartitionsRequest req;
  CreatePartitionsRequest::CreatePartitionsTopic t;
  t.name = "placed";
  t.count = 2;
  CreatePartitionsRequest::CreatePartitionsAssignment a;
  a.broker_ids = {3};
  t.assignments = std::vector<CreatePartitionsRequest::CreatePartitionsAssignment>{a};
  req.topics.push_back(t);
  req.timeout_ms = 30000;
  CreatePartitionsResponse r = h_.Call<CreatePartitionsResponse>(req, 0);
  ASSERT_EQ(r.results[0].error_code, 0) << r.results[0].error_message.value_or("");
  const metadata::PartitionRegistration* p = h_.image()->partition(id, PartitionId(1));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->replicas, (std::vector<BrokerId>{BrokerId(3)}));
}

TEST_F(TopicAdminTest, CreatePartitionsErrorsAndValidateOnly) {
  Create("fixed", 2);
  CreatePartitionsRequest req;
  CreatePartitionsRequest::CreatePartitionsTopic shrink;
  shrink.name = "fixed";
  shrink.count = 1;
  CreatePartitionsRequest::CreatePartitionsTopic missing;
  missing.name = "missing";
  missing.count = 4;
  CreatePartitionsRequest::CreatePartitionsTopic dry;
  dry.name = "fixed";
  dry.count = 5;
  req.topics = {shrink, missing};
  CreatePartitionsResponse r = h_.Call<CreatePartitionsResponse>(req, 2);
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0].error_code, 37);  // INVALID_PARTITIONS
  EXPECT_EQ(r.results[0].error_message,
            "Topic fixed currently has 2 partitions, which is higher than the requested 1.");
  EXPECT_EQ(r.results[1].error_code, 3);

  CreatePartitionsRequest check;
  check.topics = {dry};
  check.validate_only = true;
  EXPECT_EQ(h_.Call<CreatePartitionsResponse>(check, 3).results[0].error_code, 0);
  Create("barrier", 1);  // a later commit: the dry run would be visible by now
  EXPECT_EQ(h_.image()->topic("fixed")->num_partitions(), 2);
}

}  // namespace
}  // namespace gregor::broker
