// The follower's truncation rules (KIP-101 / KIP-279): where it cuts for each
// kind of answer from the leader, never above its own log end.
#include "broker/replica/truncation.h"

#include <map>

#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using storage::EpochEndOffset;

// A follower log whose epochs start at the given offsets and ends at `leo`.
FollowerLogView View(std::map<int32_t, int64_t> epoch_starts, int64_t leo, int64_t hw = 0) {
  FollowerLogView v;
  v.log_end_offset = Offset(leo);
  v.high_watermark = Offset(hw);
  v.end_offset_for_epoch = [epoch_starts, leo](LeaderEpoch e) {
    auto it = epoch_starts.upper_bound(e.value());
    if (it == epoch_starts.begin()) return EpochEndOffset{};
    int64_t end = it == epoch_starts.end() ? leo : it->second;
    --it;
    return EpochEndOffset{LeaderEpoch(it->first), Offset(end)};
  };
  return v;
}

EpochEndOffset Answer(int32_t epoch, int64_t end) { return {LeaderEpoch(epoch), Offset(end)}; }

TEST(TruncationTest, SameEpochCutsAtTheSmallerEnd) {
  // Follower wrote 0..14 in epoch 1 as the old leader; the new leader ends epoch 1 at 10.
  auto d = DecideTruncation(Answer(1, 10), View({{1, 0}}, 15));
  EXPECT_EQ(d, (TruncationDecision{Offset(10), true}));
}

TEST(TruncationTest, FollowerBehindTheLeaderKeepsEverything) {
  auto d = DecideTruncation(Answer(1, 20), View({{1, 0}}, 15));
  EXPECT_EQ(d, (TruncationDecision{Offset(15), true}));
}

TEST(TruncationTest, UnknownEndFallsBackToTheHighWatermark) {
  auto d = DecideTruncation(EpochEndOffset{}, View({{1, 0}}, 15, 7));
  EXPECT_EQ(d, (TruncationDecision{Offset(7), true}));
}

TEST(TruncationTest, LeaderWithNoEpochAtOrBelowCutsAtTheLeadersEnd) {
  auto d = DecideTruncation(EpochEndOffset{storage::kUndefinedEpoch, Offset(4)}, View({{2, 0}}, 9));
  EXPECT_EQ(d, (TruncationDecision{Offset(4), true}));
}

TEST(TruncationTest, FollowerMissingTheLeadersEpochCutsAtItsOwnEarlierEpochAndAsksAgain) {
  // KIP-279: the follower has epochs 1 (0..) and 3 (20..); the leader answers
  // epoch 2 ending at 25. The follower's largest epoch <= 2 is 1, ending at 20.
  auto d = DecideTruncation(Answer(2, 25), View({{1, 0}, {3, 20}}, 30));
  EXPECT_EQ(d, (TruncationDecision{Offset(20), false}));
}

TEST(TruncationTest, NeverCutsAboveTheLogEnd) {
  auto d = DecideTruncation(Answer(5, 100), View({{5, 0}}, 3));
  EXPECT_EQ(d.truncate_to, Offset(3));
  EXPECT_TRUE(d.completed);
}

TEST(TruncationTest, OutOfRangeWithAShorterLeaderTruncatesToItsEnd) {
  EXPECT_EQ(DecideOutOfRange(Offset(50), Offset(0), Offset(40)),
            (OutOfRangeDecision{OutOfRangeDecision::Kind::kTruncateTo, Offset(40)}));
}

TEST(TruncationTest, OutOfRangeBelowTheLeadersStartRestartsThere) {
  EXPECT_EQ(DecideOutOfRange(Offset(5), Offset(100), Offset(200)),
            (OutOfRangeDecision{OutOfRangeDecision::Kind::kRestartAt, Offset(100)}));
}

TEST(TruncationTest, OutOfRangeInsideTheLeadersLogChangesNothing) {
  EXPECT_EQ(DecideOutOfRange(Offset(50), Offset(0), Offset(60)).kind,
            OutOfRangeDecision::Kind::kNothing);
}

}  // namespace
}  // namespace gregor::broker
