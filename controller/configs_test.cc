#include "controller/configs.h"

#include "common/metadata/delta.h"
#include "common/metadata/testing/records.h"
#include "gtest/gtest.h"

namespace gregor::controller {
namespace {

TEST(ConfigsTest, ValidValuesPass) {
  EXPECT_TRUE(ValidateTopicConfig("retention.ms", "-1").ok());
  EXPECT_TRUE(ValidateTopicConfig("retention.ms", " 1000 ").ok());
  EXPECT_TRUE(ValidateTopicConfig("cleanup.policy", "compact, delete").ok());
  EXPECT_TRUE(ValidateTopicConfig("cleanup.policy", "").ok());
  EXPECT_TRUE(ValidateTopicConfig("unclean.leader.election.enable", "TRUE").ok());
  EXPECT_TRUE(ValidateTopicConfig("min.cleanable.dirty.ratio", "0.25").ok());
  EXPECT_TRUE(ValidateTopicConfig("compression.gzip.level", "-1").ok());
  EXPECT_TRUE(ValidateTopicConfig("compression.gzip.level", "9").ok());
  EXPECT_TRUE(ValidateTopicConfig("message.timestamp.type", "LogAppendTime").ok());
  EXPECT_TRUE(ValidateBrokerConfig("log.retention.ms", "100").ok());
}

TEST(ConfigsTest, InvalidValuesGetKafkasMessages) {
  struct Case {
    const char* name;
    const char* value;
    const char* message;
  };
  const Case cases[] = {
      {"retention.ms", "abc", "Invalid value abc for configuration retention.ms: Not a number of type LONG"},
      {"retention.ms", "-2", "Invalid value -2 for configuration retention.ms: Value must be at least -1"},
      {"segment.bytes", "3000000000",
       "Invalid value 3000000000 for configuration segment.bytes: Not a number of type INT"},
      {"compression.gzip.level", "0",
       "Invalid value 0 for configuration compression.gzip.level: Value must be at least 1"},
      {"compression.gzip.level", "10",
       "Invalid value 10 for configuration compression.gzip.level: Value must be no more than 9"},
      {"min.cleanable.dirty.ratio", "x",
       "Invalid value x for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE"},
      {"preallocate", "1",
       "Invalid value 1 for configuration preallocate: Expected value to be either true or false"},
      {"message.timestamp.type", "createtime",
       "Invalid value createtime for configuration message.timestamp.type: String must be one of: "
       "CreateTime, LogAppendTime"},
      {"cleanup.policy", "delete,forever",
       "Invalid value forever for configuration cleanup.policy: String must be one of: compact, delete"},
      {"nope", "1", "Unknown topic config name: nope"},
  };
  for (const Case& c : cases) {
    ApiError e = ValidateTopicConfig(c.name, c.value);
    EXPECT_EQ(e.code, KafkaError::kInvalidConfig) << c.name << "=" << c.value;
    EXPECT_EQ(e.message, c.message);
  }
  EXPECT_EQ(ValidateBrokerConfig("retention.ms", "1").message, "Unknown broker config name: retention.ms");
}

TEST(ConfigsTest, NormalizeTrimsNumbersBooleansAndLists) {
  EXPECT_EQ(NormalizeConfigValue(*FindTopicConfig("retention.ms"), " 5 "), "5");
  EXPECT_EQ(NormalizeConfigValue(*FindTopicConfig("preallocate"), " TRUE"), "true");
  EXPECT_EQ(NormalizeConfigValue(*FindTopicConfig("cleanup.policy"), " compact , delete "), "compact,delete");
  EXPECT_EQ(NormalizeConfigValue(*FindTopicConfig("compression.type"), "lz4"), "lz4");
}

TEST(ConfigsTest, EffectiveValueFallsBackToClusterDefaultThenKafkaDefault) {
  using namespace metadata::testing;  // NOLINT
  metadata::MetadataDelta d(metadata::MetadataImage::Empty());
  ASSERT_TRUE(d.ReplayBatch(metadata::MetadataOffset(1),
                            Batch({Topic("t", gregor::Uuid(1, 1)),
                                   Config(metadata::CONFIG_RESOURCE_TOPIC, "t", "segment.ms", "10"),
                                   Config(metadata::CONFIG_RESOURCE_BROKER, "", "log.retention.ms", "20")}))
                  .ok());
  auto image = d.Apply();
  EXPECT_EQ(EffectiveTopicConfig(*image, "t", "segment.ms"), "10");
  EXPECT_EQ(EffectiveTopicConfig(*image, "t", "retention.ms"), "20");
  EXPECT_EQ(EffectiveTopicConfig(*image, "t", "cleanup.policy"), "delete");
  int by_source[6] = {};
  for (const auto& e : EffectiveTopicConfigs(*image, "t", nullptr)) ++by_source[static_cast<int>(e.source)];
  EXPECT_EQ(by_source[1], 1);
  EXPECT_EQ(by_source[3], 1);
  EXPECT_EQ(by_source[5], static_cast<int>(TopicConfigDefs().size()) - 2);
}

TEST(ConfigsTest, EveryTopicConfigDefaultIsValid) {
  for (const ConfigDef& def : TopicConfigDefs()) {
    EXPECT_TRUE(ValidateConfigValue(def, def.default_value).ok()) << def.name;
  }
  for (const ConfigDef& def : BrokerConfigDefs()) {
    EXPECT_TRUE(ValidateConfigValue(def, def.default_value).ok()) << def.name;
  }
}

}  // namespace
}  // namespace gregor::controller
