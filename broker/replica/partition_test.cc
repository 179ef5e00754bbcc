// Partition as leader: min.insync.replicas (NOT_ENOUGH_REPLICAS before the
// append, NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank while the
// acks=all append waited), the high watermark as the minimum over the ISR,
// ISR shrink/expand proposals, and epoch fencing of reads.
#include "broker/replica/partition.h"

#include <string>

#include "broker/storage/testing/log_fixture.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using metadata::PartitionRegistration;

constexpr BrokerId kMe{1};

PartitionRegistration Reg(std::vector<int32_t> isr, int32_t leader_epoch = 1,
                          int32_t partition_epoch = 1) {
  PartitionRegistration r;
  r.replicas = {BrokerId(1), BrokerId(2), BrokerId(3)};
  for (int32_t b : isr) r.isr.push_back(BrokerId(b));
  r.leader = kMe;
  r.leader_epoch = LeaderEpoch(leader_epoch);
  r.partition_epoch = PartitionEpoch(partition_epoch);
  return r;
}

class PartitionTest : public storage::testing::LogFixture {
 protected:
  PartitionTest() { options_.sync_before_ack = false; }

  std::unique_ptr<Partition> Make(int64_t lag_ms = 10'000) {
    PartitionOptions o;
    o.local_broker_id = kMe;
    o.replica_lag_time_max_ms = lag_ms;
    o.sync_before_ack = false;
    return std::make_unique<Partition>("orders", Uuid(), 0, OpenLog(), &clock_, o);
  }

  Partition::AppendOutcome Append(Partition& p, int records, int16_t acks, int32_t min_isr) {
    std::string b = storage::testing::MakeBatch(0, records, 16, clock_.WallMillis());
    return p.AppendAsLeader({b.data(), b.size()}, acks, min_isr);
  }

  static Partition::FollowerFetch FetchFrom(int32_t replica, int64_t offset, int32_t epoch = 1) {
    Partition::FollowerFetch f;
    f.replica_id = BrokerId(replica);
    f.fetch_offset = Offset(offset);
    f.current_leader_epoch = LeaderEpoch(epoch);
    f.last_fetched_epoch = LeaderEpoch(offset > 0 ? epoch : -1);
    return f;
  }
};

TEST_F(PartitionTest, AcksAllIsRefusedWithNotEnoughReplicasWhenTheIsrIsBelowTheMinimum) {
  auto p = Make();
  ASSERT_TRUE(p->MakeLeader(Reg({1})));
  Partition::AppendOutcome out = Append(*p, 3, -1, 2);
  EXPECT_EQ(out.error_code, errc::kNotEnoughReplicas);
  EXPECT_NE(out.error_message.find("min.isr"), std::string::npos) << out.error_message;
  EXPECT_EQ(p->log_end_offset(), Offset(0)) << "nothing may be appended";
}

TEST_F(PartitionTest, AcksOneIgnoresTheMinimumIsr) {
  auto p = Make();
  ASSERT_TRUE(p->MakeLeader(Reg({1})));
  Partition::AppendOutcome out = Append(*p, 3, 1, 2);
  EXPECT_EQ(out.error_code, errc::kNone);
  EXPECT_EQ(out.last_offset, Offset(2));
}

TEST_F(PartitionTest, AcksAllIsAcceptedWhenTheIsrMeetsTheMinimum) {
  auto p = Make();
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2})));
  Partition::AppendOutcome out = Append(*p, 3, -1, 2);
  ASSERT_EQ(out.error_code, errc::kNone);
  EXPECT_EQ(p->AcksAllOutcome(Offset(3), LeaderEpoch(1), 2), std::nullopt) << "follower has not fetched";
  p->ReadForFollower(FetchFrom(2, 3));
  EXPECT_EQ(p->AcksAllOutcome(Offset(3), LeaderEpoch(1), 2), errc::kNone);
}

TEST_F(PartitionTest, IsrShrinkWhileWaitingGivesNotEnoughReplicasAfterAppend) {
  auto p = Make();
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2})));
  ASSERT_EQ(Append(*p, 3, -1, 2).error_code, errc::kNone);
  // The controller commits an ISR without the follower before it fetched.
  p->OnIsrChangeResult(errc::kNone, Reg({1}, 1, 2));
  EXPECT_EQ(p->isr(), std::vector<BrokerId>{kMe});
  EXPECT_EQ(p->high_watermark(), Offset(3));
  EXPECT_EQ(p->AcksAllOutcome(Offset(3), LeaderEpoch(1), 2), errc::kNotEnoughReplicasAfterAppend);
  // With min.insync.replicas=1 the same append is fine.
  EXPECT_EQ(p->AcksAllOutcome(Offset(3), LeaderEpoch(1), 1), errc::kNone);
}

TEST_F(PartitionTest, AcksAllOutcomeIsNotLeaderAfterLeadershipWasLostInBetween) {
  auto p = Make();
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2})));
  ASSERT_EQ(Append(*p, 3, -1, 2).error_code, errc::kNone);
  PartitionRegistration f = Reg({1, 2}, 2, 2);
  f.leader = BrokerId(2);
  ASSERT_TRUE(p->MakeFollower(f));
  EXPECT_EQ(p->AcksAllOutcome(Offset(3), LeaderEpoch(1), 2), errc::kNotLeaderOrFollower);
  // Leader again: the log may have been truncated and refilled meanwhile.
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2}, 3, 3)));
  p->ReadForFollower(FetchFrom(2, 3, 3));
  EXPECT_EQ(p->AcksAllOutcome(Offset(3), LeaderEpoch(1), 2), errc::kNotLeaderOrFollower);
}

TEST_F(PartitionTest, AcksAllSurvivesALeaderEpochBumpThatKeepsTheLeader) {
  // Regression: completing a reassignment bumps the leader epoch without
  // moving the leader; acks=all appends waiting then failed with
  // NOT_LEADER_OR_FOLLOWER although their records stayed, and librdkafka
  // acknowledged the retries without an offset.
  auto p = Make();
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2})));
  ASSERT_EQ(Append(*p, 3, -1, 2).error_code, errc::kNone);
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2}, 2, 2)));
  EXPECT_EQ(p->AcksAllOutcome(Offset(3), LeaderEpoch(1), 2), std::nullopt);
  p->ReadForFollower(FetchFrom(2, 3, 2));
  EXPECT_EQ(p->AcksAllOutcome(Offset(3), LeaderEpoch(1), 2), errc::kNone);
}

TEST_F(PartitionTest, HighWatermarkIsTheSmallestFetchOffsetOverTheIsrAndNeverGoesBack) {
  auto p = Make();
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2, 3})));
  ASSERT_EQ(Append(*p, 10, 1, 1).error_code, errc::kNone);
  EXPECT_EQ(p->high_watermark(), Offset(0));
  p->ReadForFollower(FetchFrom(2, 10));
  EXPECT_EQ(p->high_watermark(), Offset(0)) << "follower 3 has nothing yet";
  p->ReadForFollower(FetchFrom(3, 4));
  EXPECT_EQ(p->high_watermark(), Offset(4));
  p->ReadForFollower(FetchFrom(3, 10));
  EXPECT_EQ(p->high_watermark(), Offset(10));
  // A follower that restarted with less does not pull the HW back.
  p->ReadForFollower(FetchFrom(3, 6));
  EXPECT_EQ(p->high_watermark(), Offset(10));
}

TEST_F(PartitionTest, ConsumersDoNotReadPastTheHighWatermark) {
  auto p = Make();
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2})));
  ASSERT_EQ(Append(*p, 5, 1, 1).error_code, errc::kNone);
  Partition::ReadOutcome r = p->ReadForConsumer(Offset(0), 1 << 20, true, false, LeaderEpoch(-1));
  EXPECT_EQ(r.error_code, errc::kNone);
  EXPECT_EQ(r.high_watermark, Offset(0));
  EXPECT_TRUE(r.region.empty());
  p->ReadForFollower(FetchFrom(2, 5));
  r = p->ReadForConsumer(Offset(0), 1 << 20, true, false, LeaderEpoch(-1));
  EXPECT_EQ(r.high_watermark, Offset(5));
  EXPECT_FALSE(r.region.empty());
}

TEST_F(PartitionTest, ReadsWithAnOlderLeaderEpochAreFenced) {
  auto p = Make();
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2}, 3, 3)));
  EXPECT_EQ(p->ReadForConsumer(Offset(0), 1024, true, false, LeaderEpoch(2)).error_code,
            errc::kFencedLeaderEpoch);
  EXPECT_EQ(p->ReadForConsumer(Offset(0), 1024, true, false, LeaderEpoch(4)).error_code,
            errc::kUnknownLeaderEpoch);
  EXPECT_EQ(p->ReadForConsumer(Offset(0), 1024, true, false, LeaderEpoch(3)).error_code,
            errc::kNone);
}

TEST_F(PartitionTest, LaggingFollowerIsProposedOutOfTheIsrAndCaughtUpOneBackIn) {
  auto p = Make(/*lag_ms=*/1000);
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2, 3})));
  ASSERT_EQ(Append(*p, 4, 1, 1).error_code, errc::kNone);
  p->ReadForFollower(FetchFrom(2, 4));
  EXPECT_EQ(p->ProposeIsrChange(), std::nullopt) << "nobody lags yet";
  clock_.Advance(std::chrono::milliseconds(1500));
  p->ReadForFollower(FetchFrom(2, 4));
  std::optional<Partition::IsrChange> c = p->ProposeIsrChange();
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->new_isr, (std::vector<BrokerId>{BrokerId(1), BrokerId(2)}));
  EXPECT_EQ(c->partition_epoch, PartitionEpoch(1));
  EXPECT_EQ(p->ProposeIsrChange(), std::nullopt) << "one change in flight at a time";
  // Until the controller commits it the HW still waits for follower 3.
  EXPECT_EQ(p->high_watermark(), Offset(0));
  p->OnIsrChangeResult(errc::kNone, Reg({1, 2}, 1, 2));
  EXPECT_EQ(p->high_watermark(), Offset(4));
  // Follower 3 catches up: it is proposed back.
  p->ReadForFollower(FetchFrom(3, 4));
  c = p->ProposeIsrChange();
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->new_isr.size(), 3u);
}

TEST_F(PartitionTest, RejectedIsrChangeLeavesTheIsrAsItWas) {
  auto p = Make(/*lag_ms=*/1000);
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2, 3})));
  clock_.Advance(std::chrono::milliseconds(1500));
  ASSERT_TRUE(p->ProposeIsrChange().has_value());
  p->OnIsrChangeResult(errc::kNotLeaderOrFollower, std::nullopt);
  EXPECT_EQ(p->isr().size(), 3u);
  EXPECT_TRUE(p->ProposeIsrChange().has_value()) << "may propose again";
}

TEST_F(PartitionTest, TruncatingAtTheLogEndDropsAnEmptyEpochThisReplicaLed) {
  // Regression: a replica that led epoch 2 without writing, then followed a
  // leader that never saw epoch 2, kept sending epoch 2 as its last fetched
  // epoch; the leader answered "diverging at epoch 1" and the truncation to
  // the log end was a no-op, forever.
  auto p = Make();
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2, 3}, 1, 1)));
  ASSERT_EQ(Append(*p, 3, 1, 1).error_code, errc::kNone);
  ASSERT_TRUE(p->MakeLeader(Reg({1, 2, 3}, 2, 2)));  // epoch 2 starts at 3, nothing written
  PartitionRegistration f = Reg({2, 3}, 3, 3);
  f.leader = BrokerId(2);
  ASSERT_TRUE(p->MakeFollower(f));
  EXPECT_EQ(p->follower_position().last_fetched_epoch, LeaderEpoch(2));
  ASSERT_TRUE(p->TruncateTo(Offset(3), LeaderEpoch(3)).ok());
  EXPECT_EQ(p->log_end_offset(), Offset(3));
  EXPECT_EQ(p->follower_position().last_fetched_epoch, LeaderEpoch(1));
}

}  // namespace
}  // namespace gregor::broker
