// DeleteRecords, DescribeLogDirs and DescribeProducers on the partitions of a
// real ReplicaManager (logs in a temporary directory).
#include "broker/kafka/handlers/delete_records.h"

#include <set>

#include "broker/kafka/handlers/describe_log_dirs.h"
#include "broker/kafka/handlers/describe_producers.h"
#include "broker/kafka/handlers/test_harness.h"
#include "broker/storage/testing/batch_builder.h"
#include "common/metadata/testing/records.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using kafka::DeleteRecordsRequest;
using kafka::DeleteRecordsResponse;
using kafka::DescribeLogDirsRequest;
using kafka::DescribeLogDirsResponse;
using kafka::DescribeProducersRequest;
using kafka::DescribeProducersResponse;
using testing::AdminHarness;
namespace rec = metadata::testing;

class LocalPartitionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.dispatcher().Add(std::make_unique<DeleteRecordsHandler>(&h_.context()));
    h_.dispatcher().Add(std::make_unique<DescribeLogDirsHandler>(&h_.context()));
    h_.dispatcher().Add(std::make_unique<DescribeProducersHandler>(&h_.context()));
    h_.Start();
    // mixed-0 is led here, mixed-1 by broker 2 (this broker follows it).
    h_.AddTopic("mixed", 2, {1, 2});
    h_.AddTopic("solo", 3, {1});
  }

  // Appends `batch` to a partition led here and moves its high watermark.
  void Append(const std::string& topic, int32_t partition, std::string batch) {
    std::shared_ptr<Partition> p = h_.replicas().Get(topic, partition);
    ASSERT_NE(p, nullptr);
    Partition::AppendOutcome out = p->AppendAsLeader({batch.data(), batch.size()}, 1, 1);
    ASSERT_EQ(out.error_code, 0) << out.error_message;
    h_.replicas().OnLeaderAppend(p, Offset(out.last_offset.value() + 1));
  }
  void AppendRecords(const std::string& topic, int32_t partition, int n) {
    Append(topic, partition, storage::testing::MakeBatch(0, n, 100));
  }

  static DeleteRecordsRequest Delete(const std::string& topic,
                                     std::vector<std::pair<int32_t, int64_t>> offsets) {
    DeleteRecordsRequest req;
    DeleteRecordsRequest::DeleteRecordsTopic t;
    t.name = topic;
    for (auto [p, o] : offsets) {
      DeleteRecordsRequest::DeleteRecordsPartition part;
      part.partition_index = p;
      part.offset = o;
      t.partitions.push_back(part);
    }
    req.topics.push_back(t);
    req.timeout_ms = 30000;
    return req;
  }

  AdminHarness h_;
};

TEST_F(LocalPartitionsTest, DeleteRecordsMovesTheLogStartUpToTheHighWatermark) {
  for (int i = 0; i < 3; ++i) AppendRecords("solo", 0, 10);
  ASSERT_EQ(h_.replicas().Get("solo", 0)->high_watermark(), Offset(30));
  DeleteRecordsResponse r =
      h_.Call<DeleteRecordsResponse>(Delete("solo", {{0, 15}, {1, -1}, {2, 1}}), 2);
  ASSERT_EQ(r.topics.size(), 1u);
  const auto& parts = r.topics[0].partitions;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].error_code, 0);
  EXPECT_EQ(parts[0].low_watermark, 15);
  EXPECT_EQ(h_.replicas().Get("solo", 0)->log_start_offset(), Offset(15));
  EXPECT_EQ(parts[1].error_code, 0);  // empty partition: -1 is its HW, 0
  EXPECT_EQ(parts[1].low_watermark, 0);
  EXPECT_EQ(parts[2].error_code, 1);  // OFFSET_OUT_OF_RANGE: beyond HW 0
  EXPECT_EQ(parts[2].low_watermark, -1);

  // -1 means the high watermark; an earlier offset changes nothing.
  r = h_.Call<DeleteRecordsResponse>(Delete("solo", {{0, -1}}), 0);
  EXPECT_EQ(r.topics[0].partitions[0].low_watermark, 30);
  r = h_.Call<DeleteRecordsResponse>(Delete("solo", {{0, 5}}), 1);
  EXPECT_EQ(r.topics[0].partitions[0].error_code, 0);
  EXPECT_EQ(r.topics[0].partitions[0].low_watermark, 30);
}

TEST_F(LocalPartitionsTest, DeleteRecordsErrors) {
  AppendRecords("mixed", 0, 5);
  DeleteRecordsRequest req = Delete("mixed", {{0, 6}, {0, -2}, {1, 0}, {7, 0}});
  DeleteRecordsRequest ghost = Delete("ghost", {{0, 0}});
  req.topics.push_back(ghost.topics[0]);
  DeleteRecordsResponse r = h_.Call<DeleteRecordsResponse>(req, 1);
  ASSERT_EQ(r.topics.size(), 2u);
  const auto& parts = r.topics[0].partitions;
  EXPECT_EQ(parts[0].error_code, 1);   // OFFSET_OUT_OF_RANGE
  EXPECT_EQ(parts[1].error_code, 1);   // negative, not -1
  EXPECT_EQ(parts[2].error_code, 6);   // NOT_LEADER_OR_FOLLOWER: broker 2 leads
  EXPECT_EQ(parts[3].error_code, 3);   // UNKNOWN_TOPIC_OR_PARTITION
  EXPECT_EQ(r.topics[1].partitions[0].error_code, 3);
}

TEST_F(LocalPartitionsTest, DeleteRecordsRefusesCompactedTopics) {
  h_.Apply({rec::Config(metadata::CONFIG_RESOURCE_TOPIC, "solo", "cleanup.policy", "compact")});
  AppendRecords("solo", 0, 5);
  DeleteRecordsResponse r = h_.Call<DeleteRecordsResponse>(Delete("solo", {{0, 2}}), 2);
  EXPECT_EQ(r.topics[0].partitions[0].error_code, 44);  // POLICY_VIOLATION
}

TEST_F(LocalPartitionsTest, DescribeLogDirsListsEveryPartitionInItsDirectory) {
  AppendRecords("solo", 1, 20);
  DescribeLogDirsRequest all;
  all.topics = std::nullopt;
  for (int16_t v : {0, 1, 2, 3, 4}) {
    DescribeLogDirsResponse r = h_.Call<DescribeLogDirsResponse>(all, v);
    ASSERT_EQ(r.results.size(), 2u) << "v" << v;
    std::set<std::pair<std::string, int32_t>> seen;
    int64_t solo1_size = -1;
    for (const auto& dir : r.results) {
      EXPECT_EQ(dir.error_code, 0);
      EXPECT_EQ(dir.log_dir.front(), '/');
      if (v >= 4) {
        EXPECT_GT(dir.total_bytes, 0);
        EXPECT_GE(dir.usable_bytes, 0);
      } else {
        EXPECT_EQ(dir.total_bytes, -1);
      }
      for (const auto& t : dir.topics) {
        for (const auto& p : t.partitions) {
          EXPECT_TRUE(seen.emplace(t.name, p.partition_index).second);
          EXPECT_EQ(p.offset_lag, 0);
          EXPECT_FALSE(p.is_future_key);
          if (t.name == "solo" && p.partition_index == 1) solo1_size = p.partition_size;
        }
      }
    }
    // Every partition hosted here: mixed-0/1 and solo-0/1/2.
    EXPECT_EQ(seen.size(), 5u) << "v" << v;
    EXPECT_GT(solo1_size, 20 * 100) << "v" << v;
  }
  EXPECT_NE(h_.Call<DescribeLogDirsResponse>(all, 0).results[0].log_dir,
            h_.Call<DescribeLogDirsResponse>(all, 0).results[1].log_dir);

  DescribeLogDirsRequest some;
  DescribeLogDirsRequest::DescribableLogDirTopic t;
  t.topic = "solo";
  t.partitions = {2};
  some.topics = std::vector<DescribeLogDirsRequest::DescribableLogDirTopic>{t};
  DescribeLogDirsResponse r = h_.Call<DescribeLogDirsResponse>(some, 2);
  int partitions = 0;
  for (const auto& dir : r.results) {
    for (const auto& topic : dir.topics) {
      EXPECT_EQ(topic.name, "solo");
      partitions += static_cast<int>(topic.partitions.size());
    }
  }
  EXPECT_EQ(partitions, 1);
}

TEST_F(LocalPartitionsTest, DescribeProducersShowsIdempotentProducerState) {
  storage::testing::BatchSpec spec;
  spec.producer_id = 42;
  spec.producer_epoch = 3;
  spec.base_sequence = 0;
  spec.base_timestamp = 1'700'000'000'123;
  for (int i = 0; i < 10; ++i) spec.records.push_back({"k", "v", i});
  Append("solo", 0, storage::testing::BuildBatch(spec));
  AppendRecords("solo", 0, 3);  // not idempotent: no producer state

  DescribeProducersRequest req;
  DescribeProducersRequest::TopicRequest t;
  t.name = "solo";
  t.partition_indexes = {0, 1};
  req.topics.push_back(t);
  t.name = "mixed";
  t.partition_indexes = {1, 5};
  req.topics.push_back(t);
  DescribeProducersResponse r = h_.Call<DescribeProducersResponse>(req, 0);
  ASSERT_EQ(r.topics.size(), 2u);
  const auto& solo0 = r.topics[0].partitions[0];
  EXPECT_EQ(solo0.error_code, 0);
  ASSERT_EQ(solo0.active_producers.size(), 1u);
  EXPECT_EQ(solo0.active_producers[0].producer_id, 42);
  EXPECT_EQ(solo0.active_producers[0].producer_epoch, 3);
  EXPECT_EQ(solo0.active_producers[0].last_sequence, 9);
  EXPECT_EQ(solo0.active_producers[0].current_txn_start_offset, -1);
  EXPECT_EQ(solo0.active_producers[0].coordinator_epoch, -1);
  EXPECT_TRUE(r.topics[0].partitions[1].active_producers.empty());
  EXPECT_EQ(r.topics[1].partitions[0].error_code, 6);  // follower here
  EXPECT_EQ(r.topics[1].partitions[1].error_code, 3);
}

}  // namespace
}  // namespace gregor::broker
