// QuorumController over an in-memory single-node log: pipelining, barriers,
// read-your-writes, failed proposals, leadership changes, liveness and
// snapshots. (The real Raft node is exercised by tests/integration.)
#include "controller/quorum_controller.h"

#include <atomic>
#include <deque>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/metadata/delta.h"
#include "controller/testing/in_memory_log.h"
#include "gtest/gtest.h"

namespace gregor::controller {
namespace {

using metadata::MetadataBatch;
using testing::InMemoryLog;

class QuorumControllerTest : public ::testing::Test {
 protected:
  QuorumControllerTest() {
    QuorumControllerOptions o;
    o.node_id = NodeId(1);
    o.voter_addresses = {{NodeId(1), "127.0.0.1:9001"}, {NodeId(2), "127.0.0.1:9002"}};
    o.random_seed = 7;
    o.tick_interval = std::chrono::milliseconds(10);
    o.controller.broker_session_timeout = std::chrono::milliseconds(1000);
    qc_ = std::make_unique<QuorumController>(o, &clock_);
    log_ = std::make_unique<InMemoryLog>(qc_.get());
    qc_->Start(log_.get());
  }
  ~QuorumControllerTest() override {
    qc_->Stop();
    log_.reset();
  }

  void BecomeLeader() {
    qc_->OnLeaderChange(NodeId(1), Term(1));
    // Wait until the controller thread has processed it.
    for (int i = 0; i < 1000 && !qc_->Stats().active; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_TRUE(qc_->Stats().active);
  }

  std::pair<controllerpb::RegisterBrokerResponse, int64_t> Register(int id) {
    controllerpb::RegisterBrokerRequest req;
    req.set_broker_id(id);
    req.mutable_incarnation_id()->set_hi(id);
    req.mutable_incarnation_id()->set_lo(1);
    auto r = qc_->Call<controllerpb::RegisterBrokerResponse>(
        true, [req](Controller& c, TimePoint now) { return c.RegisterBroker(req, now); });
    if (r.first.broker_epoch() == -1) r.first.set_broker_epoch(r.second);
    return r;
  }

  controllerpb::BrokerHeartbeatResponse Heartbeat(int id, int64_t epoch) {
    controllerpb::BrokerHeartbeatRequest req;
    req.set_broker_id(id);
    req.set_broker_epoch(epoch);
    req.set_current_metadata_offset(1'000'000);
    return qc_->Call<controllerpb::BrokerHeartbeatResponse>(
                   false, [req](Controller& c, TimePoint now) { return c.BrokerHeartbeat(req, now); })
        .first;
  }

  static controllerpb::CreateTopicsRequest Topic(const std::string& name) {
    controllerpb::CreateTopicsRequest req;
    auto* t = req.add_topics();
    t->set_name(name);
    t->set_num_partitions(1);
    t->set_replication_factor(1);
    return req;
  }

  controllerpb::CreateTopicsResponse CreateTopic(const std::string& name) {
    auto req = Topic(name);
    return qc_->Call<controllerpb::CreateTopicsResponse>(
                   false, [req](Controller& c, TimePoint) { return c.CreateTopics(req); })
        .first;
  }

  FakeClock clock_;
  std::unique_ptr<QuorumController> qc_;
  std::unique_ptr<InMemoryLog> log_;
};

TEST_F(QuorumControllerTest, NonLeaderAnswersNotControllerWithHint) {
  qc_->OnLeaderChange(NodeId(2), Term(3));
  auto r = CreateTopic("t");
  EXPECT_EQ(r.error().code(), static_cast<int>(KafkaError::kNotController));
  EXPECT_EQ(r.leader().leader_id(), 2);
  EXPECT_EQ(r.leader().leader_address(), "127.0.0.1:9002");
}

TEST_F(QuorumControllerTest, RegisterBrokerEpochIsTheCommitOffset) {
  BecomeLeader();
  auto [first, offset1] = Register(1);
  EXPECT_EQ(first.error().code(), 0);
  EXPECT_EQ(first.broker_epoch(), offset1);
  auto [second, offset2] = Register(2);
  EXPECT_EQ(second.broker_epoch(), offset2);
  EXPECT_GT(offset2, offset1);
  EXPECT_EQ(qc_->committed_image()->broker(BrokerId(2))->epoch.value(), offset2);
  EXPECT_TRUE(Heartbeat(1, offset1).error().code() == 0);
  EXPECT_FALSE(qc_->committed_image()->broker(BrokerId(1))->fenced);
  EXPECT_EQ(first.leader().leader_id(), 1);
}

TEST_F(QuorumControllerTest, PipelinedOperationsAllCommitInOrder) {
  BecomeLeader();
  auto [reg, epoch] = Register(1);
  Heartbeat(1, epoch);
  log_->Hold();  // let operations pile up in the pipeline
  constexpr int kOps = 50;
  absl::Mutex mu;
  std::vector<int64_t> offsets;
  std::atomic<int> done{0};
  for (int i = 0; i < kOps; ++i) {
    auto req = Topic("t" + std::to_string(i));
    qc_->Submit<controllerpb::CreateTopicsResponse>(
        false, [req](Controller& c, TimePoint) { return c.CreateTopics(req); },
        [&](controllerpb::CreateTopicsResponse r, int64_t offset) {
          EXPECT_EQ(r.topics(0).error().code(), 0) << r.ShortDebugString();
          absl::MutexLock lock(&mu);
          offsets.push_back(offset);
          ++done;
        });
  }
  // A duplicate while the first is still uncommitted is already refused
  // (validated against the speculative image), and answered only after the
  // pipeline ahead of it commits.
  absl::Notification dup_done;
  auto dup = Topic("t0");
  int64_t dup_offset = -1;
  qc_->Submit<controllerpb::CreateTopicsResponse>(
      false, [dup](Controller& c, TimePoint) { return c.CreateTopics(dup); },
      [&](controllerpb::CreateTopicsResponse r, int64_t offset) {
        EXPECT_EQ(r.topics(0).error().code(), static_cast<int>(KafkaError::kTopicAlreadyExists));
        dup_offset = offset;
        dup_done.Notify();
      });
  for (int i = 0; i < 200 && qc_->Stats().inflight < kOps; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(qc_->Stats().inflight, kOps);  // all proposed before any commit
  EXPECT_FALSE(dup_done.HasBeenNotified());
  log_->Release();
  dup_done.WaitForNotification();
  for (int i = 0; i < 1000 && done < kOps; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_EQ(done.load(), kOps);
  EXPECT_TRUE(std::is_sorted(offsets.begin(), offsets.end()));
  EXPECT_GE(dup_offset, offsets.back());
  EXPECT_EQ(qc_->committed_image()->topics().size(), static_cast<size_t>(kOps));
}

TEST_F(QuorumControllerTest, FailedProposalDropsSpeculativeState) {
  BecomeLeader();
  auto [reg, epoch] = Register(1);
  Heartbeat(1, epoch);
  log_->FailNext(1, absl::AbortedError("leadership lost"));
  auto r = CreateTopic("lost");
  EXPECT_EQ(r.error().code(), static_cast<int>(KafkaError::kNotController));
  EXPECT_EQ(qc_->committed_image()->topic("lost"), nullptr);
  // The retry is validated against the committed state again: it succeeds.
  auto retry = CreateTopic("lost");
  ASSERT_EQ(retry.topics_size(), 1);
  EXPECT_EQ(retry.topics(0).error().code(), 0);
  EXPECT_NE(qc_->committed_image()->topic("lost"), nullptr);
  EXPECT_EQ(qc_->Stats().operations_failed, 1);
}

TEST_F(QuorumControllerTest, LosingLeadershipFailsQueuedOperations) {
  BecomeLeader();
  auto [reg, epoch] = Register(1);
  Heartbeat(1, epoch);
  log_->Hold();
  absl::Notification done;
  auto req = Topic("x");
  qc_->Submit<controllerpb::CreateTopicsResponse>(
      false, [req](Controller& c, TimePoint) { return c.CreateTopics(req); },
      [&](controllerpb::CreateTopicsResponse r, int64_t) {
        EXPECT_EQ(r.error().code(), static_cast<int>(KafkaError::kNotController));
        EXPECT_EQ(r.leader().leader_id(), 2);
        done.Notify();
      });
  for (int i = 0; i < 200 && qc_->Stats().inflight == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  qc_->OnLeaderChange(NodeId(2), Term(2));
  done.WaitForNotification();
  log_->Release();
}

TEST_F(QuorumControllerTest, SilentBrokerIsFencedByTheTimer) {
  BecomeLeader();
  auto [r1, e1] = Register(1);
  auto [r2, e2] = Register(2);
  Heartbeat(1, e1);
  Heartbeat(2, e2);
  ASSERT_FALSE(qc_->committed_image()->broker(BrokerId(2))->fenced);
  // Advance in small steps (a jump would look like a controller stall); 1
  // keeps heartbeating, 2 does not.
  for (int step = 0; step < 300 && !qc_->committed_image()->broker(BrokerId(2))->fenced; ++step) {
    clock_.Advance(std::chrono::milliseconds(50));
    Heartbeat(1, e1);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_TRUE(qc_->committed_image()->broker(BrokerId(2))->fenced);
  EXPECT_FALSE(qc_->committed_image()->broker(BrokerId(1))->fenced);
  EXPECT_EQ(qc_->Stats().fenced_by_liveness, 1);
}

TEST_F(QuorumControllerTest, ControllerStallDoesNotFenceBrokers) {
  BecomeLeader();
  auto [r1, e1] = Register(1);
  Heartbeat(1, e1);
  clock_.Advance(std::chrono::seconds(30));  // the whole process was paused
  for (int i = 0; i < 20; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(qc_->committed_image()->broker(BrokerId(1))->fenced);
}

TEST_F(QuorumControllerTest, SnapshotRestoresTheSameImage) {
  BecomeLeader();
  auto [r1, e1] = Register(1);
  Heartbeat(1, e1);
  CreateTopic("a");
  CreateTopic("b");
  std::string snap = qc_->Snapshot();
  const auto offset = qc_->committed_image()->offset();
  FakeClock clock;
  QuorumController other(QuorumControllerOptions(), &clock);
  ASSERT_TRUE(other.Restore(snap, LogIndex(static_cast<uint64_t>(offset.value()))).ok());
  EXPECT_EQ(other.committed_image()->DebugString(), qc_->committed_image()->DebugString());
  EXPECT_FALSE(other.Restore("not a snapshot \xff\xff", LogIndex(3)).ok());
}

TEST_F(QuorumControllerTest, UnreadableEntryIsSkippedButAdvancesTheOffset) {
  log_->AppendForeign("\xff\xff garbage");
  metadata::MetadataOffset applied = qc_->WaitForApplied(metadata::MetadataOffset(0), std::chrono::seconds(5));
  EXPECT_EQ(applied, metadata::MetadataOffset(1));
  EXPECT_TRUE(qc_->committed_image()->brokers().empty());
}

}  // namespace
}  // namespace gregor::controller
