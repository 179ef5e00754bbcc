#include "broker/kafka/handlers/find_coordinator.h"

#include "broker/kafka/handlers/test_group_server.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using testing::GroupTestServer;
using testing::GroupTestServerOptions;
using Request = kafka::FindCoordinatorRequest;
using Response = kafka::FindCoordinatorResponse;

TEST(FindCoordinatorTest, SingleKeyVersionsAnswerTheLeaderOfTheGroupsPartition) {
  GroupTestServer server;
  auto c = server.Connect("kafka-python-2.0.2");
  Request req;
  req.key = "g-kafka-python-2.0.2";
  Response v0 = c->Call<Response>(req, 0);  // kafka-python 2.0.2
  EXPECT_EQ(v0.error_code, 0);
  EXPECT_EQ(v0.node_id, 1);
  EXPECT_EQ(v0.host, "127.0.0.1");
  EXPECT_EQ(v0.port, 9093);  // broker 1's registered PLAINTEXT endpoint
  req.key_type = 0;
  Response v2 = c->Call<Response>(req, 2);  // librdkafka, kafkajs
  EXPECT_EQ(v2.error_code, 0);
  EXPECT_EQ(v2.error_message, "NONE");  // as Kafka 4.1.1 answered
  EXPECT_EQ(v2.node_id, 1);
  EXPECT_EQ(v2.port, 9093);
  Response v3 = c->Call<Response>(req, 3);
  EXPECT_EQ(v3.node_id, 1);
}

TEST(FindCoordinatorTest, BatchedKeysAreAnsweredEachInOrder) {
  GroupTestServer server;
  auto c = server.Connect("console-consumer");
  Request req;
  req.key_type = 0;
  req.coordinator_keys = {"g-java-console", "other"};
  Response r = c->Call<Response>(req, 6);  // Java 4.1.1, franz-go, kafka-python 3
  ASSERT_EQ(r.coordinators.size(), 2u);
  EXPECT_EQ(r.coordinators[0].key, "g-java-console");
  EXPECT_EQ(r.coordinators[1].key, "other");
  for (const auto& co : r.coordinators) {
    EXPECT_EQ(co.error_code, 0);
    EXPECT_EQ(co.error_message, "");
    EXPECT_EQ(co.node_id, 1);
    EXPECT_EQ(co.host, "127.0.0.1");
    EXPECT_EQ(co.port, 9093);
  }
}

TEST(FindCoordinatorTest, TransactionCoordinatorIsNotAvailableYet) {
  GroupTestServer server;
  auto c = server.Connect();
  Request req;
  req.key_type = 1;
  req.key = "txn";
  Response v2 = c->Call<Response>(req, 2);
  EXPECT_EQ(v2.error_code, 15);
  EXPECT_EQ(v2.node_id, -1);
  EXPECT_EQ(v2.host, "");
  EXPECT_EQ(v2.port, -1);
  req.coordinator_keys = {"txn"};
  Response v4 = c->Call<Response>(req, 4);
  ASSERT_EQ(v4.coordinators.size(), 1u);
  EXPECT_EQ(v4.coordinators[0].error_code, 15);
  EXPECT_NE(v4.coordinators[0].error_message, "");
}

TEST(FindCoordinatorTest, UnknownKeyTypeIsInvalidRequest) {
  GroupTestServer server;
  auto c = server.Connect();
  Request req;
  req.key_type = 7;
  req.coordinator_keys = {"x"};
  Response r = c->Call<Response>(req, 6);
  ASSERT_EQ(r.coordinators.size(), 1u);
  EXPECT_EQ(r.coordinators[0].error_code, 42);
}

TEST(FindCoordinatorTest, WithoutTheOffsetsTopicClientsAreToldToRetry) {
  // What kafka-python 2.0.2 saw from Kafka while __consumer_offsets was
  // being created: 15 with node -1, host "", port -1.
  GroupTestServerOptions o;
  o.create_offsets_topic = false;
  GroupTestServer server(o);
  auto c = server.Connect("kafka-python-2.0.2");
  Request req;
  req.key = "g";
  Response r = c->Call<Response>(req, 0);
  EXPECT_EQ(r.error_code, 15);
  EXPECT_EQ(r.node_id, -1);
  EXPECT_EQ(r.host, "");
  EXPECT_EQ(r.port, -1);
  // Once the topic exists and has leaders, the same request succeeds.
  server.broker().CreateOffsetsTopic(4);
  r = c->Call<Response>(req, 0);
  EXPECT_EQ(r.error_code, 0);
  EXPECT_EQ(r.node_id, 1);
}

}  // namespace
}  // namespace gregor::broker
