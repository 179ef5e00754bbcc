#include "common/ui/metadata_view.h"

#include "common/metadata/delta.h"
#include "common/metadata/testing/records.h"
#include "glog/logging.h"
#include "gtest/gtest.h"

namespace gregor::ui {
namespace {

namespace mt = metadata::testing;

std::shared_ptr<const metadata::MetadataImage> Image() {
  const Uuid orders(1, 2), empty(3, 4);
  auto image = metadata::ImageFromRecords(
      metadata::MetadataOffset(10),
      mt::Batch({mt::RegisterBroker(1, 5, /*fenced=*/false, "rack-a"), mt::RegisterBroker(2, 6),
                 mt::Topic("orders", orders), mt::Topic("empty", empty),
                 mt::Partition(orders, 0, {1, 2}, {1}, 1, 3),
                 mt::Partition(orders, 1, {2, 1}, {2, 1}, -1)}));
  CHECK(image.ok()) << image.status();
  return *image;
}

TEST(MetadataViewTest, BrokersAndPartitionsComeFromTheImage) {
  ClusterView v;
  AddMetadata(*Image(), &v);
  ASSERT_EQ(v.brokers.size(), 2u);
  EXPECT_EQ(v.brokers[0].id, BrokerId(1));
  EXPECT_EQ(v.brokers[0].address, "127.0.0.1:9093");
  EXPECT_EQ(v.brokers[0].rack, "rack-a");
  EXPECT_EQ(v.brokers[0].epoch, 5);
  EXPECT_TRUE(v.brokers[0].alive);
  EXPECT_FALSE(v.brokers[0].fenced);
  EXPECT_FALSE(v.brokers[1].alive);
  EXPECT_TRUE(v.brokers[1].fenced);

  ASSERT_EQ(v.topics.size(), 2u);  // by name: "empty", "orders"
  EXPECT_EQ(v.topics[0].name, "empty");
  EXPECT_TRUE(v.topics[0].partitions.empty());
  const TopicView& orders = v.topics[1];
  EXPECT_EQ(orders.id, Uuid(1, 2).ToBase64());
  ASSERT_EQ(orders.partitions.size(), 2u);
  EXPECT_EQ(orders.partitions[0].leader, BrokerId(1));
  EXPECT_EQ(orders.partitions[0].leader_epoch, LeaderEpoch(3));
  EXPECT_EQ(orders.partitions[0].replicas, (std::vector<BrokerId>{BrokerId(1), BrokerId(2)}));
  EXPECT_EQ(orders.partitions[0].isr, (std::vector<BrokerId>{BrokerId(1)}));
  EXPECT_FALSE(orders.partitions[1].leader.has_value());  // offline
  EXPECT_FALSE(orders.partitions[0].high_watermark.has_value());

  nlohmann::json j = ToJson(v);
  EXPECT_EQ(j["summary"]["under_replicated_partitions"], 1);
  EXPECT_EQ(j["summary"]["offline_partitions"], 1);
  EXPECT_FALSE(v.truncated);
}

TEST(MetadataViewTest, PartitionsBeyondTheLimitAreCutAndFlagged) {
  ClusterView v;
  AddMetadata(*Image(), &v, /*max_partitions=*/1);
  EXPECT_TRUE(v.truncated);
  size_t partitions = 0;
  for (const TopicView& t : v.topics) partitions += t.partitions.size();
  EXPECT_EQ(partitions, 1u);
}

}  // namespace
}  // namespace gregor::ui
