// DescribeConfigs (Java TopicCommand --describe sends v4), AlterConfigs and
// IncrementalAlterConfigs (against a real controller).
#include "broker/kafka/handlers/describe_configs.h"

#include <map>

#include "broker/kafka/handlers/alter_configs.h"
#include "broker/kafka/handlers/config_catalog.h"
#include "broker/kafka/handlers/incremental_alter_configs.h"
#include "broker/kafka/handlers/test_harness.h"
#include "controller/client/controller_client.h"
#include "common/metadata/testing/records.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using kafka::AlterConfigsRequest;
using kafka::AlterConfigsResponse;
using kafka::DescribeConfigsRequest;
using kafka::DescribeConfigsResponse;
using kafka::IncrementalAlterConfigsRequest;
using kafka::IncrementalAlterConfigsResponse;
using testing::AdminHarness;
using testing::HarnessOptions;
namespace rec = metadata::testing;

using ConfigResult = DescribeConfigsResponse::DescribeConfigsResourceResult;

DescribeConfigsRequest Describe(int8_t type, const std::string& name,
                                std::optional<std::vector<std::string>> keys = std::nullopt) {
  DescribeConfigsRequest req;
  DescribeConfigsRequest::DescribeConfigsResource r;
  r.resource_type = type;
  r.resource_name = name;
  r.configuration_keys = std::move(keys);
  req.resources.push_back(std::move(r));
  return req;
}

std::map<std::string, ConfigResult> ByName(const DescribeConfigsResponse& r) {
  std::map<std::string, ConfigResult> out;
  for (const auto& c : r.results.at(0).configs) out[c.name] = c;
  return out;
}

// Kafka 4.1.1's answer to TopicCommand --describe (observed): every topic
// config with its default value and type. (Kafka also lists
// remote.log.copy.disable and remote.log.delete.on.disable, tiered-storage
// switches Gregor does not have.)
struct Expected {
  const char* name;
  const char* value;
  int8_t type;
};
const Expected kKafkaTopicDefaults[] = {
    {"compression.type", "producer", 2},
    {"leader.replication.throttled.replicas", "", 7},
    {"remote.storage.enable", "false", 1},
    {"segment.jitter.ms", "0", 5},
    {"local.retention.ms", "-2", 5},
    {"cleanup.policy", "delete", 7},
    {"flush.ms", "9223372036854775807", 5},
    {"follower.replication.throttled.replicas", "", 7},
    {"compression.lz4.level", "9", 3},
    {"segment.bytes", "1073741824", 3},
    {"retention.ms", "604800000", 5},
    {"compression.gzip.level", "-1", 3},
    {"flush.messages", "9223372036854775807", 5},
    {"compression.zstd.level", "3", 3},
    {"max.compaction.lag.ms", "9223372036854775807", 5},
    {"file.delete.delay.ms", "60000", 5},
    {"max.message.bytes", "1048588", 3},
    {"min.compaction.lag.ms", "0", 5},
    {"message.timestamp.type", "CreateTime", 2},
    {"local.retention.bytes", "-2", 5},
    {"preallocate", "false", 1},
    {"min.cleanable.dirty.ratio", "0.5", 6},
    {"index.interval.bytes", "4096", 3},
    {"unclean.leader.election.enable", "false", 1},
    {"retention.bytes", "-1", 5},
    {"delete.retention.ms", "86400000", 5},
    {"message.timestamp.after.max.ms", "3600000", 5},
    {"message.timestamp.before.max.ms", "9223372036854775807", 5},
    {"segment.ms", "604800000", 5},
    {"segment.index.bytes", "10485760", 3},
};

class DescribeConfigsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.dispatcher().Add(std::make_unique<DescribeConfigsHandler>(&h_.context()));
    h_.Start();
    h_.AddTopic("anchor", 3, {1, 2, 3});
    h_.Apply({rec::Config(metadata::CONFIG_RESOURCE_TOPIC, "anchor", "min.insync.replicas", "2")});
  }
  AdminHarness h_;
};

TEST_F(DescribeConfigsTest, V4TopicDescribeMatchesKafkasAnswer) {
  DescribeConfigsResponse r = h_.Call<DescribeConfigsResponse>(Describe(2, "anchor"), 4);
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].error_code, 0);
  EXPECT_EQ(r.results[0].error_message, "");
  EXPECT_EQ(r.results[0].resource_type, 2);
  EXPECT_EQ(r.results[0].resource_name, "anchor");
  auto configs = ByName(r);
  for (const Expected& e : kKafkaTopicDefaults) {
    auto it = configs.find(e.name);
    ASSERT_NE(it, configs.end()) << e.name;
    EXPECT_EQ(it->second.value, e.value) << e.name;
    EXPECT_EQ(it->second.config_type, e.type) << e.name;
    EXPECT_EQ(it->second.config_source, 5) << e.name;
    EXPECT_FALSE(it->second.read_only) << e.name;
    EXPECT_FALSE(it->second.is_sensitive) << e.name;
    EXPECT_TRUE(it->second.synonyms.empty()) << e.name;
    EXPECT_EQ(it->second.documentation, std::nullopt) << e.name;
  }
  const ConfigResult& min_isr = configs.at("min.insync.replicas");
  EXPECT_EQ(min_isr.value, "2");
  EXPECT_EQ(min_isr.config_source, 1);
  EXPECT_EQ(min_isr.config_type, 3);
  EXPECT_EQ(configs.size(), std::size(kKafkaTopicDefaults) + 1);
}

TEST_F(DescribeConfigsTest, V0ReportsIsDefault) {
  DescribeConfigsResponse r = h_.Call<DescribeConfigsResponse>(Describe(2, "anchor"), 0);
  auto configs = ByName(r);
  EXPECT_TRUE(configs.at("retention.ms").is_default);
  EXPECT_FALSE(configs.at("min.insync.replicas").is_default);
}

TEST_F(DescribeConfigsTest, SynonymsFollowKafkasPrecedence) {
  h_.Apply({rec::Config(metadata::CONFIG_RESOURCE_TOPIC, "anchor", "retention.ms", "1000"),
            rec::Config(metadata::CONFIG_RESOURCE_BROKER, "", "log.retention.ms", "2000"),
            rec::Config(metadata::CONFIG_RESOURCE_BROKER, "1", "log.segment.bytes", "4096")});
  DescribeConfigsRequest req = Describe(2, "anchor");
  req.include_synonyms = true;
  auto configs = ByName(h_.Call<DescribeConfigsResponse>(req, 1));
  const ConfigResult& retention = configs.at("retention.ms");
  EXPECT_EQ(retention.value, "1000");
  ASSERT_EQ(retention.synonyms.size(), 3u);
  EXPECT_EQ(retention.synonyms[0].name, "retention.ms");
  EXPECT_EQ(retention.synonyms[0].source, 1);
  EXPECT_EQ(retention.synonyms[1].name, "log.retention.ms");
  EXPECT_EQ(retention.synonyms[1].value, "2000");
  EXPECT_EQ(retention.synonyms[1].source, 3);
  EXPECT_EQ(retention.synonyms[2].value, "604800000");
  EXPECT_EQ(retention.synonyms[2].source, 5);
  const ConfigResult& segment = configs.at("segment.bytes");
  EXPECT_EQ(segment.value, "4096");
  EXPECT_EQ(segment.config_source, 2);  // this broker's dynamic config
}

TEST(DescribeConfigsStaticTest, TheBrokersOwnSettingsAreStaticBrokerConfig) {
  AdminHarness h(HarnessOptions{.configure = [](BrokerConfig& c) {
    c.default_log_config.retention_ms = 3600000;
    c.min_insync_replicas = 2;
  }});
  h.dispatcher().Add(std::make_unique<DescribeConfigsHandler>(&h.context()));
  h.Start();
  h.AddTopic("t", 1, {1});
  DescribeConfigsRequest req = Describe(2, "t", std::vector<std::string>{"retention.ms", "min.insync.replicas", "segment.ms"});
  req.include_synonyms = true;
  auto configs = ByName(h.Call<DescribeConfigsResponse>(req, 4));
  ASSERT_EQ(configs.size(), 3u);
  EXPECT_EQ(configs.at("retention.ms").value, "3600000");
  EXPECT_EQ(configs.at("retention.ms").config_source, 4);
  EXPECT_EQ(configs.at("retention.ms").synonyms[0].name, "log.retention.ms");
  EXPECT_EQ(configs.at("min.insync.replicas").value, "2");
  EXPECT_EQ(configs.at("min.insync.replicas").config_source, 4);
  EXPECT_EQ(configs.at("segment.ms").config_source, 5);
}

TEST_F(DescribeConfigsTest, DocumentationOnlyWhenAsked) {
  DescribeConfigsRequest req = Describe(2, "anchor", std::vector<std::string>{"cleanup.policy"});
  req.include_documentation = true;
  auto configs = ByName(h_.Call<DescribeConfigsResponse>(req, 3));
  ASSERT_EQ(configs.size(), 1u);
  ASSERT_TRUE(configs.at("cleanup.policy").documentation.has_value());
  EXPECT_NE(configs.at("cleanup.policy").documentation->find("compact"), std::string::npos);
}

TEST_F(DescribeConfigsTest, KeysThatAreNotConfigsAreLeftOut) {
  auto configs = ByName(h_.Call<DescribeConfigsResponse>(
      Describe(2, "anchor", std::vector<std::string>{"retention.ms", "no.such.key"}), 4));
  EXPECT_EQ(configs.size(), 1u);
  EXPECT_EQ(configs.count("retention.ms"), 1u);
}

TEST_F(DescribeConfigsTest, MissingOrIllegalTopics) {
  DescribeConfigsRequest req = Describe(2, "ghost");
  DescribeConfigsRequest::DescribeConfigsResource bad;
  bad.resource_type = 2;
  bad.resource_name = "no spaces";
  req.resources.push_back(bad);
  DescribeConfigsRequest::DescribeConfigsResource logger;
  logger.resource_type = 8;
  logger.resource_name = "1";
  req.resources.push_back(logger);
  DescribeConfigsResponse r = h_.Call<DescribeConfigsResponse>(req, 4);
  ASSERT_EQ(r.results.size(), 3u);
  EXPECT_EQ(r.results[0].error_code, 3);
  EXPECT_EQ(r.results[0].error_message, "");  // as Kafka 4.1.1
  EXPECT_EQ(r.results[0].resource_name, "ghost");
  EXPECT_TRUE(r.results[0].configs.empty());
  EXPECT_EQ(r.results[1].error_code, 17);
  EXPECT_EQ(r.results[1].error_message,
            "Topic name is invalid: 'no spaces' contains one or more characters other than "
            "ASCII alphanumerics, '.', '_' and '-'");
  EXPECT_EQ(r.results[2].error_code, 42);
}

TEST_F(DescribeConfigsTest, BrokerResource) {
  h_.Apply({rec::Config(metadata::CONFIG_RESOURCE_BROKER, "", "log.retention.ms", "5000")});
  auto mine = ByName(h_.Call<DescribeConfigsResponse>(Describe(4, "1"), 4));
  EXPECT_EQ(mine.at("node.id").value, "1");
  EXPECT_EQ(mine.at("node.id").config_source, 4);
  EXPECT_TRUE(mine.at("node.id").read_only);
  EXPECT_EQ(mine.at("num.partitions").value, "2");  // the harness sets it
  EXPECT_EQ(mine.at("log.retention.ms").value, "5000");
  EXPECT_EQ(mine.at("log.retention.ms").config_source, 3);
  EXPECT_FALSE(mine.at("log.retention.ms").read_only);
  EXPECT_EQ(mine.at("min.insync.replicas").config_source, 5);
  EXPECT_EQ(mine.at("broker.rack").value, std::nullopt);

  auto defaults = ByName(h_.Call<DescribeConfigsResponse>(Describe(4, ""), 4));
  ASSERT_EQ(defaults.size(), 1u);
  EXPECT_EQ(defaults.at("log.retention.ms").config_source, 3);

  DescribeConfigsResponse other = h_.Call<DescribeConfigsResponse>(Describe(4, "2"), 4);
  EXPECT_EQ(other.results[0].error_code, 42);
  EXPECT_EQ(other.results[0].error_message,
            "Unexpected broker id, expected 1 or empty string, but received 2");
}

// ---- AlterConfigs / IncrementalAlterConfigs through the controller ----

class AlterConfigsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.dispatcher().Add(std::make_unique<DescribeConfigsHandler>(&h_.context()));
    h_.dispatcher().Add(std::make_unique<AlterConfigsHandler>(&h_.context()));
    h_.dispatcher().Add(std::make_unique<IncrementalAlterConfigsHandler>(&h_.context()));
    h_.Start();
    controllerpb::CreateTopicsRequest ct;
    auto* t = ct.add_topics();
    t->set_name("events");
    t->set_num_partitions(1);
    t->set_replication_factor(1);
    auto created = h_.controller_client()->CreateTopics(ct);
    ASSERT_TRUE(created.ok() && created->topics(0).error().code() == 0);
    ASSERT_TRUE(h_.WaitFor([](const metadata::MetadataImage& i) { return i.topic("events"); }));
  }

  static IncrementalAlterConfigsRequest Incremental(int8_t type, const std::string& name,
                                                    std::vector<std::tuple<std::string, int8_t, std::optional<std::string>>> ops) {
    IncrementalAlterConfigsRequest req;
    IncrementalAlterConfigsRequest::AlterConfigsResource r;
    r.resource_type = type;
    r.resource_name = name;
    for (auto& [key, op, value] : ops) {
      IncrementalAlterConfigsRequest::AlterableConfig c;
      c.name = key;
      c.config_operation = op;
      c.value = value;
      r.configs.push_back(c);
    }
    req.resources.push_back(r);
    return req;
  }

  std::optional<std::string> TopicConfig(const std::string& key) {
    return h_.image()->config({metadata::CONFIG_RESOURCE_TOPIC, "events"}, key);
  }

  AdminHarness h_{HarnessOptions{.with_controller = true}};
};

TEST_F(AlterConfigsTest, IncrementalSetDeleteAppendSubtract) {
  auto r = h_.Call<IncrementalAlterConfigsResponse>(
      Incremental(2, "events", {{"retention.ms", 0, "1000"}, {"cleanup.policy", 2, "compact"}}), 1);
  ASSERT_EQ(r.responses.size(), 1u);
  EXPECT_EQ(r.responses[0].error_code, 0) << r.responses[0].error_message.value_or("");
  EXPECT_EQ(r.responses[0].error_message, std::nullopt);
  EXPECT_EQ(r.responses[0].resource_type, 2);
  EXPECT_EQ(r.responses[0].resource_name, "events");
  ASSERT_TRUE(h_.WaitFor([&](const metadata::MetadataImage&) { return TopicConfig("retention.ms") == "1000"; }));
  EXPECT_EQ(TopicConfig("cleanup.policy"), "delete,compact");

  // DescribeConfigs on this broker shows the new value as a topic config.
  auto configs = ByName(h_.Call<DescribeConfigsResponse>(
      Describe(2, "events", std::vector<std::string>{"retention.ms"}), 4));
  EXPECT_EQ(configs.at("retention.ms").value, "1000");
  EXPECT_EQ(configs.at("retention.ms").config_source, 1);

  r = h_.Call<IncrementalAlterConfigsResponse>(
      Incremental(2, "events", {{"retention.ms", 1, std::nullopt}, {"cleanup.policy", 3, "delete"}}), 0);
  EXPECT_EQ(r.responses[0].error_code, 0);
  ASSERT_TRUE(h_.WaitFor([&](const metadata::MetadataImage&) { return !TopicConfig("retention.ms"); }));
  EXPECT_EQ(TopicConfig("cleanup.policy"), "compact");
}

TEST_F(AlterConfigsTest, ErrorsComeFromTheController) {
  IncrementalAlterConfigsRequest req = Incremental(2, "events", {{"no.such.config", 0, "1"}});
  auto more = Incremental(2, "ghost", {{"retention.ms", 0, "1"}});
  req.resources.push_back(more.resources[0]);
  auto bad_value = Incremental(2, "events", {{"retention.ms", 0, "soon"}});
  auto logger = Incremental(8, "1", {{"kafka.server", 0, "DEBUG"}});
  req.resources.push_back(logger.resources[0]);
  auto r = h_.Call<IncrementalAlterConfigsResponse>(req, 1);
  ASSERT_EQ(r.responses.size(), 3u);
  EXPECT_EQ(r.responses[0].error_code, 40);  // INVALID_CONFIG
  EXPECT_EQ(r.responses[0].error_message, "Unknown topic config name: no.such.config");
  EXPECT_EQ(r.responses[1].error_code, 3);
  EXPECT_EQ(r.responses[2].error_code, 42);
  EXPECT_EQ(r.responses[2].resource_type, 8);
  auto bad = h_.Call<IncrementalAlterConfigsResponse>(bad_value, 1);
  EXPECT_EQ(bad.responses[0].error_code, 40);
}

TEST_F(AlterConfigsTest, ValidateOnlyChangesNothing) {
  IncrementalAlterConfigsRequest req = Incremental(2, "events", {{"retention.ms", 0, "1234"}});
  req.validate_only = true;
  EXPECT_EQ(h_.Call<IncrementalAlterConfigsResponse>(req, 1).responses[0].error_code, 0);
  // A real change afterwards commits; the validation left nothing behind.
  auto real = Incremental(2, "events", {{"segment.ms", 0, "60000"}});
  EXPECT_EQ(h_.Call<IncrementalAlterConfigsResponse>(real, 1).responses[0].error_code, 0);
  ASSERT_TRUE(h_.WaitFor([&](const metadata::MetadataImage&) { return TopicConfig("segment.ms").has_value(); }));
  EXPECT_EQ(TopicConfig("retention.ms"), std::nullopt);
}

TEST_F(AlterConfigsTest, AlterConfigsReplacesTheWholeSet) {
  AlterConfigsRequest req;
  AlterConfigsRequest::AlterConfigsResource r;
  r.resource_type = 2;
  r.resource_name = "events";
  AlterConfigsRequest::AlterableConfig a;
  a.name = "retention.ms";
  a.value = "100";
  AlterConfigsRequest::AlterableConfig b;
  b.name = "segment.ms";
  b.value = "200";
  r.configs = {a, b};
  req.resources = {r};
  auto resp = h_.Call<AlterConfigsResponse>(req, 0);
  ASSERT_EQ(resp.responses[0].error_code, 0);
  ASSERT_TRUE(h_.WaitFor([&](const metadata::MetadataImage&) { return TopicConfig("segment.ms") == "200"; }));
  req.resources[0].configs = {b};
  ASSERT_EQ(h_.Call<AlterConfigsResponse>(req, 2).responses[0].error_code, 0);
  ASSERT_TRUE(h_.WaitFor([&](const metadata::MetadataImage&) { return !TopicConfig("retention.ms"); }));
  EXPECT_EQ(TopicConfig("segment.ms"), "200");
}

TEST_F(AlterConfigsTest, ClusterDefaultReachesTopicDescriptions) {
  auto r = h_.Call<IncrementalAlterConfigsResponse>(
      Incremental(4, "", {{"log.retention.ms", 0, "7777"}}), 1);
  ASSERT_EQ(r.responses[0].error_code, 0) << r.responses[0].error_message.value_or("");
  ASSERT_TRUE(h_.WaitFor([](const metadata::MetadataImage& i) {
    return i.config({metadata::CONFIG_RESOURCE_BROKER, ""}, "log.retention.ms").has_value();
  }));
  auto configs = ByName(h_.Call<DescribeConfigsResponse>(
      Describe(2, "events", std::vector<std::string>{"retention.ms"}), 4));
  EXPECT_EQ(configs.at("retention.ms").value, "7777");
  EXPECT_EQ(configs.at("retention.ms").config_source, 3);
}

TEST_F(AlterConfigsTest, NoControllerIsRequestTimedOut) {
  h_.UseDeadController();
  auto r = h_.Call<IncrementalAlterConfigsResponse>(
      Incremental(2, "events", {{"retention.ms", 0, "1"}}), 1);
  EXPECT_EQ(r.responses[0].error_code, 7);
}

}  // namespace
}  // namespace gregor::broker
