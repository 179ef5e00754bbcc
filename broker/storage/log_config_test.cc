#include "broker/storage/log_config.h"

#include "gtest/gtest.h"

namespace gregor::storage {
namespace {

TEST(LogConfigTest, DefaultsMatchKafka) {
  LogConfig c;
  EXPECT_EQ(c.segment_bytes, 1 << 30);
  EXPECT_EQ(c.index_interval_bytes, 4096);
  EXPECT_EQ(c.max_message_bytes, 1048588);
  EXPECT_TRUE(c.cleanup_delete);
  EXPECT_FALSE(c.cleanup_compact);
}

TEST(LogConfigTest, ParsesKafkaNamesAndIgnoresOtherKeys) {
  auto c = LogConfig::FromMap({{"segment.bytes", "1048576"},
                               {"retention.ms", "-1"},
                               {"cleanup.policy", "compact,delete"},
                               {"message.timestamp.type", "LogAppendTime"},
                               {"min.cleanable.dirty.ratio", "0.25"},
                               {"min.insync.replicas", "2"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->segment_bytes, 1048576);
  EXPECT_EQ(c->retention_ms, -1);
  EXPECT_TRUE(c->cleanup_compact);
  EXPECT_TRUE(c->cleanup_delete);
  EXPECT_EQ(c->timestamp_type, TimestampType::kLogAppendTime);
  EXPECT_DOUBLE_EQ(c->min_cleanable_dirty_ratio, 0.25);
  EXPECT_TRUE(LogConfig::IsStorageKey("flush.ms"));
  EXPECT_FALSE(LogConfig::IsStorageKey("min.insync.replicas"));
}

TEST(LogConfigTest, RejectsBadValuesNamingTheKey) {
  for (auto [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"segment.bytes", "10"},
                                                        {"segment.bytes", "4294967296"},
                                                        {"retention.ms", "-2"},
                                                        {"cleanup.policy", "forever"},
                                                        {"message.timestamp.type", "Now"},
                                                        {"flush.messages", "x"},
                                                        {"min.cleanable.dirty.ratio", "2"}}) {
    auto c = LogConfig::FromMap({{k, v}});
    ASSERT_FALSE(c.ok()) << k << "=" << v;
    EXPECT_NE(c.status().message().find(k), std::string::npos);
  }
}

TEST(LogConfigTest, LayersOverABase) {
  LogConfig base;
  base.retention_ms = 1000;
  auto c = LogConfig::FromMap({{"segment.ms", "60000"}}, base);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->retention_ms, 1000);
  EXPECT_EQ(c->segment_ms, 60000);
}

}  // namespace
}  // namespace gregor::storage
