// ReplicaFetcher against a fake leader (LeaderEndpoint): truncation on the
// leader's diverging-epoch answers.
#include "broker/replica/replica_fetcher.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "broker/replica/partition.h"
#include "broker/storage/leader_epoch_cache.h"
#include "broker/storage/testing/log_fixture.h"
#include "gtest/gtest.h"

namespace gregor::broker {
namespace {

using metadata::PartitionRegistration;

constexpr BrokerId kMe{1};
constexpr BrokerId kLeader{2};

// A leader whose log has the epochs `epochs` and ends at `log_end`. It
// answers EpochEndOffset and Fetch as the ReplicaService does: a fetch whose
// last fetched epoch the leader cannot place at or beyond the fetch offset
// gets a diverging epoch; any other fetch gets no records and the HW.
class FakeLeader : public LeaderEndpoint {
 public:
  FakeLeader(std::vector<storage::EpochEntry> epochs, Offset log_end)
      : epochs_(std::move(epochs)), log_end_(log_end) {}

  absl::StatusOr<replicapb::FetchResponse> Fetch(const replicapb::FetchRequest& request,
                                                 std::chrono::milliseconds) override {
    absl::MutexLock l(&mu_);
    replicapb::FetchResponse resp;
    for (const auto& fp : request.partitions()) {
      last_fetched_epochs_.push_back(fp.last_fetched_epoch());
      auto* out = resp.add_partitions();
      *out->mutable_topic_id() = fp.topic_id();
      out->set_partition(fp.partition());
      out->set_high_watermark(log_end_.value());
      out->set_log_end_offset(log_end_.value());
      if (fp.last_fetched_epoch() >= 0) {
        storage::EpochEndOffset e =
            epochs_.EndOffsetFor(LeaderEpoch(fp.last_fetched_epoch()), log_end_);
        if (e.epoch.value() < fp.last_fetched_epoch() || e.end_offset.value() < fp.fetch_offset()) {
          ++diverging_answers_;
          out->mutable_diverging_epoch()->set_epoch(e.epoch.value());
          out->mutable_diverging_epoch()->set_end_offset(e.end_offset.value());
        }
      }
    }
    return resp;
  }

  absl::StatusOr<replicapb::EpochEndOffsetResponse> EpochEndOffset(
      const replicapb::EpochEndOffsetRequest& request, std::chrono::milliseconds) override {
    absl::MutexLock l(&mu_);
    replicapb::EpochEndOffsetResponse resp;
    for (const auto& rp : request.partitions()) {
      storage::EpochEndOffset e = epochs_.EndOffsetFor(LeaderEpoch(rp.leader_epoch()), log_end_);
      auto* out = resp.add_partitions();
      *out->mutable_topic_id() = rp.topic_id();
      out->set_partition(rp.partition());
      out->set_leader_epoch(e.epoch.value());
      out->set_end_offset(e.end_offset.value());
    }
    return resp;
  }

  void Interrupt() override {}
  std::string address() const override { return "fake-leader"; }

  std::vector<int32_t> last_fetched_epochs() const {
    absl::MutexLock l(&mu_);
    return last_fetched_epochs_;
  }
  int diverging_answers() const {
    absl::MutexLock l(&mu_);
    return diverging_answers_;
  }

 private:
  mutable absl::Mutex mu_;
  storage::LeaderEpochCache epochs_;
  Offset log_end_;
  std::vector<int32_t> last_fetched_epochs_ ABSL_GUARDED_BY(mu_);
  int diverging_answers_ ABSL_GUARDED_BY(mu_) = 0;
};

PartitionRegistration Reg(BrokerId leader, int32_t leader_epoch) {
  PartitionRegistration r;
  r.replicas = {BrokerId(1), BrokerId(2), BrokerId(3)};
  r.isr = r.replicas;
  r.leader = leader;
  r.leader_epoch = LeaderEpoch(leader_epoch);
  r.partition_epoch = PartitionEpoch(leader_epoch);
  return r;
}

class ReplicaFetcherTest : public storage::testing::LogFixture {
 protected:
  ReplicaFetcherTest() { options_.sync_before_ack = false; }

  std::shared_ptr<Partition> MakePartition(std::shared_ptr<storage::Log> log) {
    PartitionOptions o;
    o.local_broker_id = kMe;
    o.sync_before_ack = false;
    return std::make_shared<Partition>("orders", Uuid(7, 9), 0, std::move(log), &clock_, o);
  }

  ReplicaFetcherOptions FetcherOptions() {
    ReplicaFetcherOptions o;
    o.broker_id = kMe;
    o.sync_before_ack = false;
    o.max_wait_ms = 0;
    return o;
  }

  // Runs the fetcher's rounds by hand, moving the fake clock past any
  // back-off in between.
  void Rounds(ReplicaFetcher& f, int n) {
    for (int i = 0; i < n; ++i) {
      f.RunOnce();
      clock_.Advance(std::chrono::seconds(2));
    }
  }
};

// The replica led epoch 2 without appending (its epoch cache says 2@3), then
// lost leadership to broker 2, whose log has epochs 1@0 and 3@3 and ends at
// 3. The truncation point is exactly our log end: nothing to cut, but the
// 2@3 entry must go, or every fetch says "last fetched epoch 2", the leader
// answers "diverging after epoch 1 at 3" and the follower never catches up
// (the chaos runner's seed 3 found this: a paused leader resumed as a
// follower and stayed out of the ISR for good).
TEST_F(ReplicaFetcherTest, AnEpochLedWithoutAppendingIsDroppedAtTheTruncationPoint) {
  auto log = OpenLog();
  AppendRecords(*log, 3, 40, 1);  // offsets 0..2 in epoch 1
  auto p = MakePartition(log);
  ASSERT_TRUE(p->MakeLeader(Reg(kMe, 2)));
  ASSERT_EQ(log->LatestEpoch(), LeaderEpoch(2));
  ASSERT_TRUE(p->MakeFollower(Reg(kLeader, 3)));

  auto leader = std::make_unique<FakeLeader>(
      std::vector<storage::EpochEntry>{{LeaderEpoch(1), Offset(0)}, {LeaderEpoch(3), Offset(3)}},
      Offset(3));
  FakeLeader* fake = leader.get();
  ReplicaFetcher f(kLeader, std::move(leader), FetcherOptions(), &clock_);
  f.Add(p, LeaderEpoch(3));
  Rounds(f, 6);

  EXPECT_EQ(log->log_end_offset(), Offset(3)) << "no record was the leader's to remove";
  EXPECT_EQ(p->follower_position().last_fetched_epoch, LeaderEpoch(1));
  std::vector<int32_t> sent = fake->last_fetched_epochs();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back(), 1) << "the follower still announces the epoch it led without appending";
  EXPECT_EQ(fake->diverging_answers(), 0);
  EXPECT_EQ(f.state(Uuid(7, 9), 0), ReplicaFetcher::State::kFetching);
}

// The ordinary case still cuts records: the replica appended 2 records in
// epoch 2 that the new leader (epochs 1@0, 3@3) never had.
TEST_F(ReplicaFetcherTest, RecordsOfAnEpochTheLeaderLacksAreCut) {
  auto log = OpenLog();
  AppendRecords(*log, 3, 40, 1);
  auto p = MakePartition(log);
  ASSERT_TRUE(p->MakeLeader(Reg(kMe, 2)));
  AppendRecords(*log, 2, 40, 2);  // offsets 3..4 in epoch 2
  ASSERT_TRUE(p->MakeFollower(Reg(kLeader, 3)));

  auto leader = std::make_unique<FakeLeader>(
      std::vector<storage::EpochEntry>{{LeaderEpoch(1), Offset(0)}, {LeaderEpoch(3), Offset(3)}},
      Offset(3));
  FakeLeader* fake = leader.get();
  ReplicaFetcher f(kLeader, std::move(leader), FetcherOptions(), &clock_);
  f.Add(p, LeaderEpoch(3));
  Rounds(f, 6);

  EXPECT_EQ(log->log_end_offset(), Offset(3));
  EXPECT_EQ(p->follower_position().last_fetched_epoch, LeaderEpoch(1));
  EXPECT_EQ(fake->diverging_answers(), 0);
  EXPECT_EQ(f.stats().truncations, 1);
}

}  // namespace
}  // namespace gregor::broker
