#include "broker/storage/leader_epoch_cache.h"

#include "gtest/gtest.h"

namespace gregor::storage {
namespace {

EpochEntry E(int32_t epoch, int64_t start) { return {LeaderEpoch(epoch), Offset(start)}; }

TEST(LeaderEpochCacheTest, AssignAppendsNewEpochsAndIgnoresRepeats) {
  LeaderEpochCache c;
  EXPECT_TRUE(c.Assign(LeaderEpoch(0), Offset(0)));
  EXPECT_FALSE(c.Assign(LeaderEpoch(0), Offset(5)));  // same epoch, later offset
  EXPECT_TRUE(c.Assign(LeaderEpoch(2), Offset(10)));
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{E(0, 0), E(2, 10)}));
  EXPECT_EQ(c.LatestEpoch(), LeaderEpoch(2));
  EXPECT_EQ(c.PreviousEpoch(), LeaderEpoch(0));
}

TEST(LeaderEpochCacheTest, AssignIgnoresNegativeValues) {
  LeaderEpochCache c;
  EXPECT_FALSE(c.Assign(LeaderEpoch(-1), Offset(0)));
  EXPECT_FALSE(c.Assign(LeaderEpoch(1), Offset(-1)));
  EXPECT_TRUE(c.empty());
}

TEST(LeaderEpochCacheTest, AssignSameEpochEarlierOffsetReplacesEntry) {
  LeaderEpochCache c({E(1, 0), E(3, 20)});
  EXPECT_TRUE(c.Assign(LeaderEpoch(3), Offset(15)));
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{E(1, 0), E(3, 15)}));
}

TEST(LeaderEpochCacheTest, AssignRemovesEntriesThatConflict) {
  LeaderEpochCache c({E(1, 0), E(3, 20), E(4, 30)});
  // A lower epoch starting after everything removes the higher epochs.
  EXPECT_TRUE(c.Assign(LeaderEpoch(2), Offset(40)));
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{E(1, 0), E(2, 40)}));
  // A higher epoch starting earlier removes entries starting at or after it.
  EXPECT_TRUE(c.Assign(LeaderEpoch(5), Offset(0)));
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{E(5, 0)}));
}

TEST(LeaderEpochCacheTest, EndOffsetForFollowsKafkaSemantics) {
  LeaderEpochCache c({E(1, 0), E(3, 20), E(5, 50)});
  const Offset leo(70);
  // Undefined epoch.
  EXPECT_EQ(c.EndOffsetFor(kUndefinedEpoch, leo), EpochEndOffset{});
  // Latest epoch: the log end offset.
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(5), leo), (EpochEndOffset{LeaderEpoch(5), leo}));
  // Known epoch: where the next epoch starts.
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(1), leo), (EpochEndOffset{LeaderEpoch(1), Offset(20)}));
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(3), leo), (EpochEndOffset{LeaderEpoch(3), Offset(50)}));
  // Unknown epoch between known ones: the largest known below it.
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(2), leo), (EpochEndOffset{LeaderEpoch(1), Offset(20)}));
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(4), leo), (EpochEndOffset{LeaderEpoch(3), Offset(50)}));
  // Older than everything: the requested epoch ends where the first starts.
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(0), leo), (EpochEndOffset{LeaderEpoch(0), Offset(0)}));
  // Newer than everything: undefined.
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(6), leo), EpochEndOffset{});
}

TEST(LeaderEpochCacheTest, EndOffsetForOnEmptyCacheIsUndefined) {
  LeaderEpochCache c;
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(0), Offset(10)), EpochEndOffset{});
}

TEST(LeaderEpochCacheTest, TruncateFromEndRemovesEntriesStartingAtOrAfter) {
  LeaderEpochCache c({E(1, 0), E(3, 20), E(5, 50)});
  EXPECT_FALSE(c.TruncateFromEnd(Offset(51)));
  EXPECT_TRUE(c.TruncateFromEnd(Offset(50)));
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{E(1, 0), E(3, 20)}));
  EXPECT_TRUE(c.TruncateFromEnd(Offset(0)));
  EXPECT_TRUE(c.empty());
}

TEST(LeaderEpochCacheTest, TruncateFromStartMovesTheCoveringEntry) {
  LeaderEpochCache c({E(1, 0), E(3, 20), E(5, 50)});
  EXPECT_FALSE(c.TruncateFromStart(Offset(0)));
  EXPECT_TRUE(c.TruncateFromStart(Offset(30)));
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{E(3, 30), E(5, 50)}));
  EXPECT_TRUE(c.TruncateFromStart(Offset(50)));
  EXPECT_EQ(c.entries(), (std::vector<EpochEntry>{E(5, 50)}));
  EXPECT_FALSE(c.TruncateFromStart(Offset(50)));
}

TEST(LeaderEpochCacheTest, EpochForOffset) {
  LeaderEpochCache c({E(1, 10), E(3, 20)});
  EXPECT_EQ(c.EpochForOffset(Offset(5)), std::nullopt);
  EXPECT_EQ(c.EpochForOffset(Offset(10)), LeaderEpoch(1));
  EXPECT_EQ(c.EpochForOffset(Offset(19)), LeaderEpoch(1));
  EXPECT_EQ(c.EpochForOffset(Offset(25)), LeaderEpoch(3));
}

}  // namespace
}  // namespace gregor::storage
