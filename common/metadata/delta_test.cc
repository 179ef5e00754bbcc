#include "common/metadata/delta.h"

#include "common/metadata/testing/records.h"
#include "gtest/gtest.h"

namespace gregor::metadata {
namespace {

using namespace testing;  // NOLINT: record builders

const gregor::Uuid kFoo(0x1111, 0x2222);
const gregor::Uuid kBar(0x3333, 0x4444);

// Replays `records` at increasing offsets starting at 1, one batch each.
std::shared_ptr<const MetadataImage> Build(std::initializer_list<MetadataRecord> records) {
  MetadataDelta delta(MetadataImage::Empty());
  int64_t offset = 1;
  for (const auto& r : records) {
    absl::Status s = delta.Replay(MetadataOffset(offset++), r);
    EXPECT_TRUE(s.ok()) << s << " on " << RecordDebugString(r);
  }
  return delta.Apply();
}

std::shared_ptr<const MetadataImage> ThreeBrokersAndFoo() {
  return Build({RegisterBroker(1), RegisterBroker(2), RegisterBroker(3), Topic("foo", kFoo),
                Partition(kFoo, 0, {1, 2, 3}, {1, 2, 3}, 1),
                Partition(kFoo, 1, {2, 3, 1}, {2, 3, 1}, 2)});
}

TEST(MetadataDeltaTest, EmptyImageHasNothing) {
  auto image = MetadataImage::Empty();
  EXPECT_EQ(image->offset(), MetadataOffset(0));
  EXPECT_TRUE(image->brokers().empty());
  EXPECT_TRUE(image->topics().empty());
  EXPECT_EQ(image->next_producer_id(), 0);
}

TEST(MetadataDeltaTest, RegisterBrokerWithZeroEpochTakesTheRecordOffset) {
  MetadataDelta delta(MetadataImage::Empty());
  ASSERT_TRUE(delta.Replay(MetadataOffset(42), RegisterBroker(5, 0, true, "r1")).ok());
  auto image = delta.Apply();
  const BrokerRegistration* b = image->broker(BrokerId(5));
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->epoch, BrokerEpoch(42));
  EXPECT_EQ(b->rack, "r1");
  EXPECT_TRUE(b->fenced);
  EXPECT_FALSE(b->IsActive());
  EXPECT_EQ(image->offset(), MetadataOffset(42));
}

TEST(MetadataDeltaTest, RegisterBrokerKeepsAnExplicitEpoch) {
  MetadataDelta delta(MetadataImage::Empty());
  ASSERT_TRUE(delta.Replay(MetadataOffset(42), RegisterBroker(5, 17)).ok());
  EXPECT_EQ(delta.Apply()->broker(BrokerId(5))->epoch, BrokerEpoch(17));
}

TEST(MetadataDeltaTest, ReRegistrationReplacesTheOldRegistration) {
  auto image = Build({RegisterBroker(1), BrokerChange(1, 1, UNFENCE)});
  ASSERT_FALSE(image->broker(BrokerId(1))->fenced);
  MetadataDelta delta(image);
  ASSERT_TRUE(delta.Replay(MetadataOffset(9), RegisterBroker(1, 0, true, "", {8, 8})).ok());
  const BrokerRegistration* b = delta.Apply()->broker(BrokerId(1));
  EXPECT_EQ(b->epoch, BrokerEpoch(9));
  EXPECT_EQ(b->incarnation_id, gregor::Uuid(8, 8));
  EXPECT_TRUE(b->fenced);
}

TEST(MetadataDeltaTest, FenceUnfenceAndControlledShutdown) {
  auto image = Build({RegisterBroker(1), BrokerChange(1, 1, UNFENCE)});
  EXPECT_TRUE(image->broker(BrokerId(1))->IsActive());
  MetadataDelta delta(image);
  ASSERT_TRUE(delta.Replay(MetadataOffset(3), BrokerChange(1, 1, FENCE_NONE, true)).ok());
  EXPECT_TRUE(delta.current().broker(BrokerId(1))->in_controlled_shutdown);
  EXPECT_FALSE(delta.current().broker(BrokerId(1))->IsActive());
  ASSERT_TRUE(delta.Replay(MetadataOffset(4), BrokerChange(1, 1, FENCE)).ok());
  EXPECT_TRUE(delta.current().broker(BrokerId(1))->fenced);
}

TEST(MetadataDeltaTest, BrokerChangeWithWrongEpochIsRejected) {
  auto image = Build({RegisterBroker(1)});
  MetadataDelta delta(image);
  absl::Status s = delta.Replay(MetadataOffset(2), BrokerChange(1, 99, UNFENCE));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(delta.current().broker(BrokerId(1))->fenced);
}

TEST(MetadataDeltaTest, BrokerChangeOfUnknownBrokerIsRejected) {
  MetadataDelta delta(MetadataImage::Empty());
  EXPECT_EQ(delta.Replay(MetadataOffset(1), BrokerChange(1, 1, UNFENCE)).code(),
            absl::StatusCode::kNotFound);
}

TEST(MetadataDeltaTest, UnregisterRemovesTheBroker) {
  auto image = Build({RegisterBroker(1)});
  MetadataDelta delta(image);
  MetadataRecord r;
  r.mutable_unregister_broker()->set_broker_id(1);
  r.mutable_unregister_broker()->set_broker_epoch(1);
  ASSERT_TRUE(delta.Replay(MetadataOffset(2), r).ok());
  EXPECT_EQ(delta.Apply()->broker(BrokerId(1)), nullptr);
}

TEST(MetadataDeltaTest, TopicAndPartitionsAreFoundByNameAndId) {
  auto image = ThreeBrokersAndFoo();
  const TopicImage* foo = image->topic("foo");
  ASSERT_NE(foo, nullptr);
  EXPECT_EQ(foo, image->topic(kFoo));
  EXPECT_EQ(foo->num_partitions(), 2);
  EXPECT_EQ(image->total_partitions(), 2);
  const PartitionRegistration* p1 = image->partition(kFoo, PartitionId(1));
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(p1->leader, BrokerId(2));
  EXPECT_EQ(p1->replicas, Ids({2, 3, 1}));
  EXPECT_EQ(image->topic("bar"), nullptr);
  EXPECT_EQ(image->partition(kFoo, PartitionId(2)), nullptr);
}

TEST(MetadataDeltaTest, DuplicateTopicNameOrIdIsRejected) {
  auto image = ThreeBrokersAndFoo();
  MetadataDelta delta(image);
  EXPECT_EQ(delta.Replay(MetadataOffset(10), Topic("foo", kBar)).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(delta.Replay(MetadataOffset(10), Topic("bar", kFoo)).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(delta.Replay(MetadataOffset(10), Topic("bar", gregor::Uuid())).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MetadataDeltaTest, PartitionOfUnknownTopicIsRejected) {
  MetadataDelta delta(MetadataImage::Empty());
  EXPECT_EQ(delta.Replay(MetadataOffset(1), Partition(kFoo, 0, {1}, {1}, 1)).code(),
            absl::StatusCode::kNotFound);
}

TEST(MetadataDeltaTest, InvalidPartitionRecordIsRejected) {
  auto image = ThreeBrokersAndFoo();
  MetadataDelta delta(image);
  // Leader 4 is not a replica.
  EXPECT_EQ(delta.Replay(MetadataOffset(10), Partition(kFoo, 2, {1, 2}, {1, 2}, 4)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(delta.current().topic(kFoo)->num_partitions(), 2);
}

TEST(MetadataDeltaTest, PartitionChangeUpdatesOnlyThatPartition) {
  auto image = ThreeBrokersAndFoo();
  MetadataDelta delta(image);
  ASSERT_TRUE(delta.Replay(MetadataOffset(10), PartitionChange(kFoo, 0, 2, std::vector{2, 3})).ok());
  auto next = delta.Apply();
  const PartitionRegistration* p0 = next->partition(kFoo, PartitionId(0));
  EXPECT_EQ(p0->leader, BrokerId(2));
  EXPECT_EQ(p0->isr, Ids({2, 3}));
  EXPECT_EQ(p0->leader_epoch, LeaderEpoch(1));
  EXPECT_EQ(p0->partition_epoch, PartitionEpoch(1));
  // The old image is untouched.
  EXPECT_EQ(image->partition(kFoo, PartitionId(0))->leader, BrokerId(1));
  // Partition 1 is shared, not copied.
  EXPECT_EQ(image->topic(kFoo)->partition(PartitionId(1)),
            next->topic(kFoo)->partition(PartitionId(1)));
}

TEST(MetadataDeltaTest, PartitionChangeOfOneTopicSharesEveryOtherTopic) {
  MetadataDelta builder(MetadataImage::Empty());
  ASSERT_TRUE(builder.Replay(MetadataOffset(1), RegisterBroker(1)).ok());
  for (int t = 0; t < 200; ++t) {
    gregor::Uuid id(100, t + 1);
    ASSERT_TRUE(builder.Replay(MetadataOffset(2), Topic("t" + std::to_string(t), id)).ok());
    ASSERT_TRUE(builder.Replay(MetadataOffset(2), Partition(id, 0, {1}, {1}, 1)).ok());
  }
  auto image = builder.Apply();
  MetadataDelta delta(image);
  ASSERT_TRUE(delta.Replay(MetadataOffset(3), PartitionChange(gregor::Uuid(100, 50), 0, 1, {})).ok());
  auto next = delta.Apply();
  int shared = 0;
  for (const auto& [id, topic] : next->topics()) {
    if (image->topic_ptr(id) == topic) ++shared;
  }
  EXPECT_EQ(shared, 199);
  EXPECT_EQ(delta.changed_topics().size(), 1u);
}

TEST(MetadataDeltaTest, PartitionChangeThatBreaksInvariantsIsRejected) {
  auto image = ThreeBrokersAndFoo();
  MetadataDelta delta(image);
  EXPECT_EQ(delta.Replay(MetadataOffset(10), PartitionChange(kFoo, 0, 4, std::nullopt)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(delta.Replay(MetadataOffset(10), PartitionChange(kFoo, 7, 1, std::nullopt)).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(delta.current().partition(kFoo, PartitionId(0))->partition_epoch, PartitionEpoch(0));
}

TEST(MetadataDeltaTest, RemoveTopicDropsPartitionsNameAndConfigs) {
  auto image = Build({RegisterBroker(1), Topic("foo.bar", kFoo), Partition(kFoo, 0, {1}, {1}, 1),
                      Config(CONFIG_RESOURCE_TOPIC, "foo.bar", "retention.ms", "1000")});
  ASSERT_EQ(image->CollidingTopic("foo_bar"), "foo.bar");
  ASSERT_TRUE(image->config({CONFIG_RESOURCE_TOPIC, "foo.bar"}, "retention.ms").has_value());
  MetadataDelta delta(image);
  ASSERT_TRUE(delta.Replay(MetadataOffset(10), RemoveTopic(kFoo)).ok());
  auto next = delta.Apply();
  EXPECT_EQ(next->topic(kFoo), nullptr);
  EXPECT_EQ(next->topic("foo.bar"), nullptr);
  EXPECT_EQ(next->total_partitions(), 0);
  EXPECT_EQ(next->configs({CONFIG_RESOURCE_TOPIC, "foo.bar"}), nullptr);
  EXPECT_FALSE(next->CollidingTopic("foo_bar").has_value());
}

TEST(MetadataDeltaTest, RemoveOfUnknownTopicIsRejected) {
  MetadataDelta delta(MetadataImage::Empty());
  EXPECT_EQ(delta.Replay(MetadataOffset(1), RemoveTopic(kFoo)).code(), absl::StatusCode::kNotFound);
}

TEST(MetadataDeltaTest, CollidingTopicNames) {
  auto image = Build({Topic("a.b", kFoo)});
  EXPECT_EQ(image->CollidingTopic("a_b"), "a.b");
  EXPECT_FALSE(image->CollidingTopic("a.b").has_value());  // the same topic
  EXPECT_FALSE(image->CollidingTopic("ab").has_value());
}

TEST(MetadataDeltaTest, ConfigSetOverwriteAndDelete) {
  auto image = Build({Config(CONFIG_RESOURCE_BROKER, "", "log.retention.ms", "5"),
                      Config(CONFIG_RESOURCE_BROKER, "", "log.retention.ms", "6"),
                      Config(CONFIG_RESOURCE_BROKER, "1", "log.retention.ms", "7")});
  EXPECT_EQ(image->config({CONFIG_RESOURCE_BROKER, ""}, "log.retention.ms"), "6");
  EXPECT_EQ(image->config({CONFIG_RESOURCE_BROKER, "1"}, "log.retention.ms"), "7");
  MetadataDelta delta(image);
  ASSERT_TRUE(delta.Replay(MetadataOffset(9),
                           Config(CONFIG_RESOURCE_BROKER, "", "log.retention.ms", std::nullopt))
                  .ok());
  auto next = delta.Apply();
  EXPECT_EQ(next->configs({CONFIG_RESOURCE_BROKER, ""}), nullptr);
  EXPECT_EQ(next->config({CONFIG_RESOURCE_BROKER, "1"}, "log.retention.ms"), "7");
}

TEST(MetadataDeltaTest, ConfigOfUnknownTopicOrResourceTypeIsRejected) {
  MetadataDelta delta(MetadataImage::Empty());
  EXPECT_EQ(delta.Replay(MetadataOffset(1), Config(CONFIG_RESOURCE_TOPIC, "nope", "a", "b")).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(delta.Replay(MetadataOffset(1), Config(CONFIG_RESOURCE_UNKNOWN, "", "a", "b")).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MetadataDeltaTest, ProducerIdsOnlyMoveForward) {
  auto image = Build({RegisterBroker(1), ProducerIds(1, 1, 1000)});
  EXPECT_EQ(image->next_producer_id(), 1000);
  MetadataDelta delta(image);
  EXPECT_EQ(delta.Replay(MetadataOffset(5), ProducerIds(1, 1, 1000)).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(delta.Replay(MetadataOffset(5), ProducerIds(1, 1, 2000)).ok());
  EXPECT_EQ(delta.Apply()->next_producer_id(), 2000);
}

TEST(MetadataDeltaTest, EmptyRecordIsRejected) {
  MetadataDelta delta(MetadataImage::Empty());
  EXPECT_EQ(delta.Replay(MetadataOffset(1), MetadataRecord()).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MetadataDeltaTest, OffsetsMustNotGoBackwards) {
  MetadataDelta delta(MetadataImage::Empty());
  ASSERT_TRUE(delta.Replay(MetadataOffset(5), RegisterBroker(1)).ok());
  EXPECT_FALSE(delta.Replay(MetadataOffset(4), RegisterBroker(2)).ok());
  EXPECT_TRUE(delta.Replay(MetadataOffset(5), RegisterBroker(2)).ok());
}

TEST(MetadataDeltaTest, NoOpAndAdvanceOffsetOnlyMoveTheOffset) {
  auto image = ThreeBrokersAndFoo();
  MetadataDelta delta(image);
  MetadataRecord noop;
  noop.mutable_no_op();
  ASSERT_TRUE(delta.Replay(MetadataOffset(20), noop).ok());
  delta.AdvanceOffset(MetadataOffset(25));
  auto next = delta.Apply();
  EXPECT_EQ(next->offset(), MetadataOffset(25));
  EXPECT_EQ(next->ToRecords().SerializeAsString(), image->ToRecords().SerializeAsString());
}

TEST(MetadataDeltaTest, BatchIsAllOrNothing) {
  auto image = ThreeBrokersAndFoo();
  MetadataDelta delta(image);
  MetadataBatch batch = Batch({Topic("bar", kBar), Partition(kBar, 0, {1}, {1}, 1),
                               PartitionChange(kFoo, 9, 1, std::nullopt)});  // unknown partition
  absl::Status s = delta.ReplayBatch(MetadataOffset(10), batch);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find("record 2"), std::string::npos) << s;
  EXPECT_EQ(delta.current().topic("bar"), nullptr);
  EXPECT_EQ(delta.current().offset(), image->offset());
  EXPECT_TRUE(delta.changed_topics().empty());
}

TEST(MetadataDeltaTest, ApplyCanBeCalledRepeatedly) {
  MetadataDelta delta(MetadataImage::Empty());
  ASSERT_TRUE(delta.Replay(MetadataOffset(1), RegisterBroker(1)).ok());
  auto first = delta.Apply();
  ASSERT_TRUE(delta.Replay(MetadataOffset(2), RegisterBroker(2)).ok());
  auto second = delta.Apply();
  EXPECT_EQ(first->brokers().size(), 1u);
  EXPECT_EQ(second->brokers().size(), 2u);
}

}  // namespace
}  // namespace gregor::metadata
