#include "common/metadata/delta.h"
#include "common/metadata/testing/records.h"
#include "gtest/gtest.h"

namespace gregor::metadata {
namespace {

using namespace testing;  // NOLINT: record builders

const gregor::Uuid kFoo(0x1111, 0x2222);
const gregor::Uuid kBar(0x3333, 0x4444);

std::shared_ptr<const MetadataImage> Base() {
  MetadataDelta d(MetadataImage::Empty());
  MetadataBatch b = Batch({RegisterBroker(1), RegisterBroker(2), RegisterBroker(3),
                           Topic("foo", kFoo), Partition(kFoo, 0, {1, 2}, {1, 2}, 1),
                           Partition(kFoo, 1, {2, 3}, {2, 3}, 2), Topic("bar", kBar),
                           Partition(kBar, 0, {3, 1}, {3, 1}, 3)});
  EXPECT_TRUE(d.ReplayBatch(MetadataOffset(1), b).ok());
  return d.Apply();
}

std::vector<std::string> Names(const std::vector<LocalPartition>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.topic + "-" + std::to_string(p.partition.value()));
  return out;
}

using V = std::vector<std::string>;

TEST(LocalChangesTest, SnapshotOnEmptyImageListsEveryLocalPartition) {
  MetadataDelta d(MetadataImage::Empty());
  ASSERT_TRUE(d.ReplayBatch(MetadataOffset(5), Base()->ToRecords()).ok());
  LocalReplicaChanges c = d.LocalChanges(BrokerId(1));
  EXPECT_EQ(Names(c.leaders), (V{"foo-0"}));
  EXPECT_EQ(Names(c.followers), (V{"bar-0"}));
  EXPECT_TRUE(c.deletes.empty());
  c = d.LocalChanges(BrokerId(2));
  EXPECT_EQ(Names(c.leaders), (V{"foo-1"}));
  EXPECT_EQ(Names(c.followers), (V{"foo-0"}));
}

TEST(LocalChangesTest, LeaderChangeMovesPartitionBetweenLists) {
  MetadataDelta d(Base());
  ASSERT_TRUE(d.Replay(MetadataOffset(10), PartitionChange(kFoo, 0, 2, std::vector{2})).ok());
  LocalReplicaChanges one = d.LocalChanges(BrokerId(1));
  EXPECT_TRUE(one.leaders.empty());
  EXPECT_EQ(Names(one.followers), (V{"foo-0"}));
  LocalReplicaChanges two = d.LocalChanges(BrokerId(2));
  EXPECT_EQ(Names(two.leaders), (V{"foo-0"}));
  ASSERT_EQ(two.leaders.size(), 1u);
  EXPECT_EQ(two.leaders[0].registration->leader_epoch, LeaderEpoch(1));
  EXPECT_EQ(two.leaders[0].topic_id, kFoo);
  // Broker 3 is not a replica of foo-0: nothing to do.
  EXPECT_TRUE(d.LocalChanges(BrokerId(3)).empty());
}

TEST(LocalChangesTest, LeaderlessPartitionIsAFollowerChange) {
  MetadataDelta d(Base());
  ASSERT_TRUE(d.Replay(MetadataOffset(10), PartitionChange(kFoo, 1, -1, std::vector{3})).ok());
  EXPECT_EQ(Names(d.LocalChanges(BrokerId(2)).followers), (V{"foo-1"}));
  EXPECT_EQ(Names(d.LocalChanges(BrokerId(3)).followers), (V{"foo-1"}));
}

TEST(LocalChangesTest, DeletedTopicIsDeletedOnItsReplicasOnly) {
  MetadataDelta d(Base());
  ASSERT_TRUE(d.Replay(MetadataOffset(10), RemoveTopic(kFoo)).ok());
  EXPECT_EQ(Names(d.LocalChanges(BrokerId(2)).deletes), (V{"foo-0", "foo-1"}));
  EXPECT_EQ(Names(d.LocalChanges(BrokerId(3)).deletes), (V{"foo-1"}));
  LocalReplicaChanges one = d.LocalChanges(BrokerId(1));
  EXPECT_EQ(Names(one.deletes), (V{"foo-0"}));
  EXPECT_EQ(one.deletes[0].topic_id, kFoo);
  ASSERT_NE(one.deletes[0].registration, nullptr);
  EXPECT_EQ(one.deletes[0].registration->leader, BrokerId(1));
}

TEST(LocalChangesTest, ChangedThenDeletedInOneDeltaIsOnlyADelete) {
  MetadataDelta d(Base());
  ASSERT_TRUE(d.Replay(MetadataOffset(10), PartitionChange(kFoo, 0, 2, std::vector{2})).ok());
  ASSERT_TRUE(d.Replay(MetadataOffset(11), RemoveTopic(kFoo)).ok());
  LocalReplicaChanges two = d.LocalChanges(BrokerId(2));
  EXPECT_TRUE(two.leaders.empty());
  EXPECT_EQ(Names(two.deletes), (V{"foo-0", "foo-1"}));
}

TEST(LocalChangesTest, RecreatedTopicDeletesOldAndCreatesNew) {
  const gregor::Uuid kFoo2(0x5555, 0x6666);
  MetadataDelta d(Base());
  ASSERT_TRUE(d.Replay(MetadataOffset(10), RemoveTopic(kFoo)).ok());
  ASSERT_TRUE(d.Replay(MetadataOffset(11), Topic("foo", kFoo2)).ok());
  ASSERT_TRUE(d.Replay(MetadataOffset(11), Partition(kFoo2, 0, {1}, {1}, 1)).ok());
  LocalReplicaChanges one = d.LocalChanges(BrokerId(1));
  ASSERT_EQ(one.deletes.size(), 1u);
  EXPECT_EQ(one.deletes[0].topic_id, kFoo);
  ASSERT_EQ(one.leaders.size(), 1u);
  EXPECT_EQ(one.leaders[0].topic_id, kFoo2);
}

TEST(LocalChangesTest, ReplicaRemovedByReassignmentIsDeleted) {
  MetadataDelta d(Base());
  ASSERT_TRUE(
      d.Replay(MetadataOffset(10), PartitionChange(kFoo, 0, 1, std::vector{1, 3}, std::vector{1, 3}))
          .ok());
  EXPECT_EQ(Names(d.LocalChanges(BrokerId(2)).deletes), (V{"foo-0"}));
  EXPECT_EQ(Names(d.LocalChanges(BrokerId(3)).followers), (V{"foo-0"}));
  EXPECT_EQ(Names(d.LocalChanges(BrokerId(1)).leaders), (V{"foo-0"}));
}

TEST(LocalChangesTest, BrokerOnlyChangesProduceNoPartitionWork) {
  MetadataDelta d(Base());
  ASSERT_TRUE(d.Replay(MetadataOffset(10), BrokerChange(1, 1, UNFENCE)).ok());
  EXPECT_TRUE(d.LocalChanges(BrokerId(1)).empty());
  EXPECT_TRUE(d.brokers_changed());
}

TEST(LocalChangesTest, DiffBetweenImagesMatchesTheDelta) {
  auto base = Base();
  MetadataDelta d(base);
  ASSERT_TRUE(d.Replay(MetadataOffset(10), PartitionChange(kFoo, 0, 2, std::vector{2})).ok());
  ASSERT_TRUE(d.Replay(MetadataOffset(11), RemoveTopic(kBar)).ok());
  auto after = d.Apply();
  for (int b = 1; b <= 3; ++b) {
    LocalReplicaChanges from_delta = d.LocalChanges(BrokerId(b));
    LocalReplicaChanges from_diff = DiffLocalChanges(*base, *after, BrokerId(b));
    EXPECT_EQ(Names(from_diff.leaders), Names(from_delta.leaders)) << b;
    EXPECT_EQ(Names(from_diff.followers), Names(from_delta.followers)) << b;
    EXPECT_EQ(Names(from_diff.deletes), Names(from_delta.deletes)) << b;
  }
  // A snapshot rebuilt from records shares nothing but compares equal: no work.
  auto rebuilt = ImageFromRecords(after->offset(), after->ToRecords());
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_TRUE(DiffLocalChanges(*after, **rebuilt, BrokerId(1)).empty());
}

}  // namespace
}  // namespace gregor::metadata
