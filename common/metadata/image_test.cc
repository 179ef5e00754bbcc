#include "common/metadata/image.h"

#include "common/metadata/delta.h"
#include "common/metadata/testing/records.h"
#include "gtest/gtest.h"

namespace gregor::metadata {
namespace {

using namespace testing;  // NOLINT: record builders

const gregor::Uuid kFoo(0x1111, 0x2222);
const gregor::Uuid kBar(0x3333, 0x4444);

std::shared_ptr<const MetadataImage> Rich() {
  MetadataDelta d(MetadataImage::Empty());
  int64_t offset = 1;
  auto replay = [&](const MetadataRecord& r) {
    absl::Status s = d.Replay(MetadataOffset(offset++), r);
    EXPECT_TRUE(s.ok()) << s;
  };
  replay(RegisterBroker(1, 0, true, "a"));
  replay(RegisterBroker(2, 0, true, "b"));
  replay(BrokerChange(1, 1, UNFENCE));
  replay(BrokerChange(2, 2, UNFENCE, true));
  replay(Config(CONFIG_RESOURCE_BROKER, "", "log.retention.ms", "100"));
  replay(Topic("foo", kFoo));
  replay(Config(CONFIG_RESOURCE_TOPIC, "foo", "cleanup.policy", "compact"));
  replay(Partition(kFoo, 0, {1, 2}, {1, 2}, 1));
  replay(Partition(kFoo, 1, {2, 1}, {2, 1}, 2));
  replay(PartitionChange(kFoo, 1, 1, std::vector{1}));
  replay(Topic("bar", kBar));
  replay(Partition(kBar, 0, {2}, {2}, 2, 3, 4));
  replay(ProducerIds(1, 1, 3000));
  return d.Apply();
}

TEST(MetadataImageTest, SnapshotRecordsRebuildTheSameImage) {
  auto image = Rich();
  MetadataBatch records = image->ToRecords();
  auto rebuilt = ImageFromRecords(image->offset(), records);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_EQ((*rebuilt)->DebugString(), image->DebugString());
  EXPECT_EQ((*rebuilt)->ToRecords().SerializeAsString(), records.SerializeAsString());
  EXPECT_EQ((*rebuilt)->offset(), image->offset());
  // Epochs survive even though the rebuilt records sit at another offset.
  EXPECT_EQ((*rebuilt)->broker(BrokerId(2))->epoch, BrokerEpoch(2));
  EXPECT_TRUE((*rebuilt)->broker(BrokerId(2))->in_controlled_shutdown);
  EXPECT_EQ(*(*rebuilt)->broker(BrokerId(1)), *image->broker(BrokerId(1)));
  EXPECT_EQ((*rebuilt)->next_producer_id(), 3000);
  EXPECT_EQ(*(*rebuilt)->partition(kFoo, PartitionId(1)), *image->partition(kFoo, PartitionId(1)));
}

TEST(MetadataImageTest, SnapshotOrderIsDeterministic) {
  MetadataBatch records = Rich()->ToRecords();
  std::vector<std::string> kinds;
  for (const auto& r : records.records()) kinds.push_back(RecordDebugString(r).substr(0, 12));
  // Brokers, broker configs, then topics by name (bar before foo) with their
  // configs and partitions, then producer ids.
  ASSERT_EQ(records.records_size(), 10);
  EXPECT_EQ(records.records(0).register_broker().broker_id(), 1);
  EXPECT_EQ(records.records(1).register_broker().broker_id(), 2);
  EXPECT_EQ(records.records(2).config().resource_type(), CONFIG_RESOURCE_BROKER);
  EXPECT_EQ(records.records(3).topic().name(), "bar");
  EXPECT_TRUE(records.records(4).has_partition());
  EXPECT_EQ(records.records(5).topic().name(), "foo");
  EXPECT_EQ(records.records(6).config().name(), "cleanup.policy");
  EXPECT_EQ(records.records(7).partition().partition_id(), 0);
  EXPECT_EQ(records.records(8).partition().partition_id(), 1);
  EXPECT_TRUE(records.records(9).has_producer_ids());
}

TEST(MetadataImageTest, ConfigAccessors) {
  auto image = Rich();
  EXPECT_EQ(image->config({CONFIG_RESOURCE_TOPIC, "foo"}, "cleanup.policy"), "compact");
  EXPECT_FALSE(image->config({CONFIG_RESOURCE_TOPIC, "foo"}, "retention.ms").has_value());
  EXPECT_FALSE(image->config({CONFIG_RESOURCE_TOPIC, "bar"}, "cleanup.policy").has_value());
}

TEST(MetadataImageTest, RecordDebugStringsAreReadable) {
  EXPECT_EQ(RecordDebugString(PartitionChange(kFoo, 3, 2, std::vector{2, 3})),
            "PartitionChange " + kFoo.ToBase64() + "-3 leader=2 isr=[2,3]");
  EXPECT_EQ(RecordDebugString(BrokerChange(1, 5, FENCE)), "BrokerRegistrationChange id=1 epoch=5 fence");
}

}  // namespace
}  // namespace gregor::metadata
