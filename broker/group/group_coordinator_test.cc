#include "broker/group/group_coordinator.h"

#include <atomic>
#include <map>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "broker/group/partitioner.h"
#include "common/clock.h"
#include "glog/logging.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gregor::broker::group {
namespace {

using std::chrono::milliseconds;

// Timer the test fires by hand.
class FakeTimer : public CoordinatorTimer {
 public:
  Handle Schedule(MonoTime deadline, std::function<void()> fn) override {
    absl::MutexLock l(&mu_);
    Handle h = next_++;
    timers_[h] = {deadline, std::move(fn)};
    return h;
  }
  void Cancel(Handle h) override {
    absl::MutexLock l(&mu_);
    timers_.erase(h);
  }
  // Runs the callbacks due at `now`.
  void RunDue(MonoTime now) {
    std::vector<std::function<void()>> due;
    {
      absl::MutexLock l(&mu_);
      for (auto it = timers_.begin(); it != timers_.end();) {
        if (it->second.first <= now) {
          due.push_back(std::move(it->second.second));
          it = timers_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& fn : due) fn();
  }
  size_t armed() {
    absl::MutexLock l(&mu_);
    return timers_.size();
  }

 private:
  absl::Mutex mu_;
  Handle next_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<Handle, std::pair<MonoTime, std::function<void()>>> timers_ ABSL_GUARDED_BY(mu_);
};

// __consumer_offsets in memory: acknowledges at once, or when told.
class MemoryLog : public CoordinatorLog {
 public:
  void Append(int32_t partition, int32_t leader_epoch, std::string batch,
              std::function<void(absl::Status)> done) override {
    {
      absl::MutexLock l(&mu_);
      epochs_.push_back(leader_epoch);
    }
    bool ack_now;
    {
      absl::MutexLock l(&mu_);
      ack_now = auto_ack_;
      if (ack_now) {
        batches_[partition].push_back(batch);
      } else {
        pending_.push_back({partition, std::move(batch), std::move(done)});
      }
    }
    if (ack_now) done(absl::OkStatus());
  }
  void set_auto_ack(bool on) {
    absl::MutexLock l(&mu_);
    auto_ack_ = on;
  }
  size_t num_pending() {
    absl::MutexLock l(&mu_);
    return pending_.size();
  }
  void AckAll(absl::Status status = absl::OkStatus()) {
    std::vector<Pending> pending;
    {
      absl::MutexLock l(&mu_);
      pending.swap(pending_);
      if (status.ok()) {
        for (auto& p : pending) batches_[p.partition].push_back(p.batch);
      }
    }
    for (auto& p : pending) p.done(status);
  }
  // The leader epochs appends were made at, in order.
  std::vector<int32_t> epochs() {
    absl::MutexLock l(&mu_);
    return epochs_;
  }
  std::vector<CoordinatorRecord> Records(int32_t partition) {
    absl::MutexLock l(&mu_);
    std::vector<CoordinatorRecord> out;
    for (const std::string& b : batches_[partition]) {
      auto records = DecodeBatch(b);
      CHECK(records.ok()) << records.status();
      out.insert(out.end(), records->begin(), records->end());
    }
    return out;
  }

 private:
  struct Pending {
    int32_t partition;
    std::string batch;
    std::function<void(absl::Status)> done;
  };
  absl::Mutex mu_;
  bool auto_ack_ ABSL_GUARDED_BY(mu_) = true;
  std::map<int32_t, std::vector<std::string>> batches_ ABSL_GUARDED_BY(mu_);
  std::vector<Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::vector<int32_t> epochs_ ABSL_GUARDED_BY(mu_);
};

// Collects one callback's answer.
template <typename T>
struct Answer {
  std::shared_ptr<std::optional<T>> value = std::make_shared<std::optional<T>>();
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  GroupCoordinator::Callback<T> cb() {
    auto v = value;
    auto c = calls;
    return [v, c](T r) {
      *v = std::move(r);
      ++*c;
    };
  }
  bool ready() const { return value->has_value(); }
  const T& operator*() const { return **value; }
  const T* operator->() const { return &**value; }
};

RequestContext Ctx(int16_t v, const std::string& client = "client") {
  return RequestContext{v, client, "/127.0.0.1"};
}

JoinGroupRequest Join(const std::string& group, const std::string& member) {
  JoinGroupRequest r;
  r.group_id = group;
  r.member_id = member;
  r.session_timeout_ms = 45000;
  r.rebalance_timeout_ms = 300000;
  r.protocol_type = "consumer";
  r.protocols = {{"range", std::string("\x00\x00\x00\x00\x00\x01\x00\x01t", 9)}};
  return r;
}

class GroupCoordinatorTest : public ::testing::Test {
 protected:
  static constexpr int32_t kPartitions = 4;

  GroupCoordinatorTest() { Make(); }

  void Make() {
    GroupCoordinatorOptions o;
    o.offsets_topic_num_partitions = kPartitions;
    o.random_seed = 99;
    coordinator_ = std::make_unique<GroupCoordinator>(o, &clock_, &timer_, &log_, &encoder_);
  }
  void LoadAll(int32_t epoch = 1) {
    for (int32_t p = 0; p < kPartitions; ++p) {
      coordinator_->BeginLoad(p, epoch);
      ASSERT_TRUE(coordinator_->LoadRecords(p, epoch, log_.Records(p)).ok());
      coordinator_->CompleteLoad(p, epoch);
    }
  }
  void Advance(int64_t ms) {
    clock_.Advance(milliseconds(ms));
    timer_.RunDue(clock_.Now());
  }
  // KIP-394 join; returns the member id and the parked second join.
  std::pair<std::string, Answer<JoinGroupResponse>> JoinTwoStep(const std::string& group) {
    Answer<JoinGroupResponse> first;
    coordinator_->JoinGroup(Ctx(9), Join(group, ""), first.cb());
    CHECK(first.ready());
    CHECK_EQ(ToInt(first->error), ToInt(ErrorCode::kMemberIdRequired));
    Answer<JoinGroupResponse> second;
    coordinator_->JoinGroup(Ctx(9), Join(group, first->member_id), second.cb());
    return {first->member_id, second};
  }
  // One member through join and sync; returns its id.
  std::string FormGroup(const std::string& group) {
    auto [id, join] = JoinTwoStep(group);
    Advance(3000);
    CHECK(join.ready());
    Answer<SyncGroupResponse> sync;
    coordinator_->SyncGroup(Ctx(5), {group, 1, id, std::nullopt, "consumer", "range", {{id, "a"}}},
                            sync.cb());
    CHECK(sync.ready());
    return id;
  }
  OffsetCommitRequest Commit(const std::string& group, int32_t gen, const std::string& member,
                             int64_t offset) {
    OffsetCommitRequest r;
    r.group_id = group;
    r.generation_id_or_member_epoch = gen;
    r.member_id = member;
    OffsetCommitRequestPartition p;
    p.partition_index = 0;
    p.committed_offset = offset;
    r.topics.push_back({"t", {p}});
    return r;
  }
  int64_t FetchOffset(const std::string& group) {
    Answer<OffsetFetchResponse> a;
    OffsetFetchRequestGroup g;
    g.group_id = group;
    g.topics = std::vector<OffsetFetchRequestTopic>{{"t", {0}}};
    coordinator_->OffsetFetch(Ctx(9), {{g}, true}, a.cb());
    CHECK(a.ready());
    return a->groups.at(0).topics.at(0).partitions.at(0).committed_offset;
  }

  FakeClock clock_;
  FakeTimer timer_;
  MemoryLog log_;
  CoordinatorBatchEncoder encoder_;
  std::unique_ptr<GroupCoordinator> coordinator_;
};

TEST_F(GroupCoordinatorTest, GroupsGoToTheirPartitionOthersAreNotCoordinator) {
  EXPECT_EQ(coordinator_->PartitionFor("hello"), PartitionForGroup("hello", kPartitions));
  int32_t mine = coordinator_->PartitionFor("g");
  coordinator_->BeginLoad(mine, 1);
  coordinator_->CompleteLoad(mine, 1);
  std::string other = "x";
  while (coordinator_->PartitionFor(other) == mine) other += "x";
  Answer<JoinGroupResponse> a;
  coordinator_->JoinGroup(Ctx(9), Join(other, ""), a.cb());
  ASSERT_TRUE(a.ready());
  EXPECT_EQ(a->error, ErrorCode::kNotCoordinator);
  Answer<JoinGroupResponse> b;
  coordinator_->JoinGroup(Ctx(9), Join("g", ""), b.cb());
  EXPECT_EQ(b->error, ErrorCode::kMemberIdRequired);
}

TEST_F(GroupCoordinatorTest, LoadingPartitionAsksClientsToRetry) {
  int32_t p = coordinator_->PartitionFor("g");
  coordinator_->BeginLoad(p, 1);
  Answer<JoinGroupResponse> join;
  coordinator_->JoinGroup(Ctx(9), Join("g", ""), join.cb());
  EXPECT_EQ(join->error, ErrorCode::kCoordinatorLoadInProgress);
  Answer<HeartbeatResponse> hb;
  coordinator_->Heartbeat(Ctx(4), {"g", 1, "m", std::nullopt}, hb.cb());
  EXPECT_EQ(hb->error, ErrorCode::kNone);  // as Kafka answers while loading
  EXPECT_EQ(coordinator_->ListGroups(Ctx(5), {}).error, ErrorCode::kCoordinatorLoadInProgress);
  coordinator_->CompleteLoad(p, 1);
  EXPECT_TRUE(coordinator_->IsActive(p));
}

TEST_F(GroupCoordinatorTest, JoinSyncCommitFetchThroughTheLog) {
  LoadAll();
  auto [id, join] = JoinTwoStep("g");
  EXPECT_FALSE(join.ready());
  Advance(2999);
  EXPECT_FALSE(join.ready());
  Advance(1);  // the initial rebalance delay, fired by the timer
  ASSERT_TRUE(join.ready());
  EXPECT_EQ(join->generation_id, 1);
  EXPECT_EQ(join->leader, id);

  log_.set_auto_ack(false);
  Answer<SyncGroupResponse> sync;
  coordinator_->SyncGroup(Ctx(5), {"g", 1, id, std::nullopt, "consumer", "range", {{id, "mine"}}},
                          sync.cb());
  EXPECT_FALSE(sync.ready());  // waits for the assignment to be replicated
  ASSERT_EQ(log_.num_pending(), 1u);
  log_.AckAll();
  ASSERT_TRUE(sync.ready());
  EXPECT_EQ(sync->assignment, "mine");

  Answer<OffsetCommitResponse> commit;
  coordinator_->OffsetCommit(Ctx(9), Commit("g", 1, id, 42), commit.cb());
  EXPECT_FALSE(commit.ready());
  log_.AckAll();
  ASSERT_TRUE(commit.ready());
  EXPECT_EQ(commit->topics[0].partitions[0].error, ErrorCode::kNone);
  log_.set_auto_ack(true);
  EXPECT_EQ(FetchOffset("g"), 42);
  EXPECT_EQ(*join.calls, 1);
  EXPECT_EQ(*commit.calls, 1);

  // The log holds Kafka-format records: the empty group, its assignment,
  // the offset.
  std::vector<CoordinatorRecord> records = log_.Records(coordinator_->PartitionFor("g"));
  ASSERT_EQ(records.size(), 3u);
  auto key = DecodeKey(records[2].key);
  EXPECT_EQ(std::get<OffsetCommitKey>(*key), (OffsetCommitKey{"g", "t", 0}));
}

TEST_F(GroupCoordinatorTest, NewLeaderRebuildsGroupsAndOffsetsFromTheLog) {
  LoadAll();
  std::string id = FormGroup("g");
  Answer<OffsetCommitResponse> commit;
  coordinator_->OffsetCommit(Ctx(9), Commit("g", 1, id, 7), commit.cb());
  ASSERT_TRUE(commit.ready());

  // Leadership moves to another broker: a fresh coordinator over the same log.
  coordinator_.reset();
  Make();
  LoadAll(2);
  EXPECT_EQ(FetchOffset("g"), 7);
  // Writes of the new state carry its leader epoch (the log refuses others).
  Answer<OffsetCommitResponse> again;
  coordinator_->OffsetCommit(Ctx(9), Commit("g", 1, id, 8), again.cb());
  ASSERT_TRUE(again.ready());
  EXPECT_EQ(log_.epochs().back(), 2);
  EXPECT_EQ(log_.epochs().front(), 1);
  Answer<HeartbeatResponse> hb;
  coordinator_->Heartbeat(Ctx(4), {"g", 1, id, std::nullopt}, hb.cb());
  EXPECT_EQ(hb->error, ErrorCode::kNone);  // the member is known, same generation
  auto d = coordinator_->DescribeGroups(Ctx(6), {{"g"}, false});
  EXPECT_EQ(d.groups[0].group_state, "Stable");
  EXPECT_EQ(d.groups[0].members.at(0).member_assignment, "a");
}

TEST_F(GroupCoordinatorTest, UnloadAnswersParkedRequestsAndRefusesNewOnes) {
  LoadAll();
  auto [id, join] = JoinTwoStep("g");
  int32_t p = coordinator_->PartitionFor("g");
  log_.set_auto_ack(false);
  Answer<OffsetCommitResponse> commit;
  coordinator_->OffsetCommit(Ctx(9), Commit("simple", -1, "", 1), commit.cb());
  coordinator_->Unload(p, 1);
  coordinator_->Unload(coordinator_->PartitionFor("simple"), 1);
  ASSERT_TRUE(join.ready());
  EXPECT_EQ(join->error, ErrorCode::kNotCoordinator);
  ASSERT_TRUE(commit.ready());
  EXPECT_EQ(commit->topics[0].partitions[0].error, ErrorCode::kNotCoordinator);
  log_.AckAll();  // late acknowledgements are ignored
  EXPECT_EQ(*commit.calls, 1);
  Answer<HeartbeatResponse> hb;
  coordinator_->Heartbeat(Ctx(4), {"g", 1, id, std::nullopt}, hb.cb());
  EXPECT_EQ(hb->error, ErrorCode::kNotCoordinator);
  Advance(10000);  // no timer of the unloaded partition fires
}

TEST_F(GroupCoordinatorTest, BatchedFetchSpansPartitionsInRequestOrder) {
  // Three groups on different partitions; one partition not ours.
  std::vector<std::string> groups;
  std::set<int32_t> used;
  for (int i = 0; groups.size() < 3; ++i) {
    std::string g = "group-" + std::to_string(i);
    if (used.insert(coordinator_->PartitionFor(g)).second) groups.push_back(g);
  }
  for (int i = 0; i < 2; ++i) {
    int32_t p = coordinator_->PartitionFor(groups[i]);
    coordinator_->BeginLoad(p, 1);
    coordinator_->CompleteLoad(p, 1);
    Answer<OffsetCommitResponse> c;
    coordinator_->OffsetCommit(Ctx(9), Commit(groups[i], -1, "", 10 + i), c.cb());
  }
  OffsetFetchRequest req;
  for (const std::string& g : {groups[2], groups[1], groups[0]}) {
    OffsetFetchRequestGroup rg;
    rg.group_id = g;
    req.groups.push_back(rg);  // all partitions
  }
  Answer<OffsetFetchResponse> a;
  coordinator_->OffsetFetch(Ctx(9), req, a.cb());
  ASSERT_TRUE(a.ready());
  ASSERT_EQ(a->groups.size(), 3u);
  EXPECT_EQ(a->groups[0].group_id, groups[2]);
  EXPECT_EQ(a->groups[0].error, ErrorCode::kNotCoordinator);
  EXPECT_EQ(a->groups[1].topics.at(0).partitions.at(0).committed_offset, 11);
  EXPECT_EQ(a->groups[2].topics.at(0).partitions.at(0).committed_offset, 10);

  Answer<DeleteGroupsResponse> del;
  coordinator_->DeleteGroups(Ctx(2), {{groups[0], groups[2]}}, del.cb());
  ASSERT_TRUE(del.ready());
  EXPECT_EQ(del->results[0].group_id, groups[0]);
  EXPECT_EQ(del->results[0].error, ErrorCode::kNone);
  EXPECT_EQ(del->results[1].error, ErrorCode::kNotCoordinator);
}

TEST_F(GroupCoordinatorTest, ListAndDescribeCoverEveryLoadedPartition) {
  LoadAll();
  FormGroup("a");
  FormGroup("b");
  Answer<OffsetCommitResponse> c;
  coordinator_->OffsetCommit(Ctx(9), Commit("c", -1, "", 1), c.cb());
  ListGroupsResponse all = coordinator_->ListGroups(Ctx(5), {});
  EXPECT_EQ(all.error, ErrorCode::kNone);
  EXPECT_EQ(all.groups.size(), 3u);
  ListGroupsResponse stable = coordinator_->ListGroups(Ctx(5), {{"Stable"}, {}});
  EXPECT_EQ(stable.groups.size(), 2u);
  auto cgd = coordinator_->ConsumerGroupDescribe(Ctx(1), {{"a"}, false});
  EXPECT_EQ(cgd.groups[0].error, ErrorCode::kGroupIdNotFound);
  EXPECT_EQ(cgd.groups[0].error_message, "Group a is not a consumer group.");
}

TEST_F(GroupCoordinatorTest, SessionTimersRunThroughTheInjectedTimer) {
  LoadAll();
  std::string id = FormGroup("g");
  EXPECT_GT(timer_.armed(), 0u);
  Advance(44000);
  auto d = coordinator_->DescribeGroups(Ctx(6), {{"g"}, false});
  EXPECT_EQ(d.groups[0].members.size(), 1u);
  Advance(2000);  // no heartbeat for 46 s: the member is gone
  d = coordinator_->DescribeGroups(Ctx(6), {{"g"}, false});
  EXPECT_TRUE(d.groups[0].members.empty());
  EXPECT_EQ(d.groups[0].group_state, "Empty");
  (void)id;
}

TEST_F(GroupCoordinatorTest, ConcurrentClientsAreEachAnsweredOnce) {
  LoadAll();
  // Acknowledge from another thread while several threads commit and fetch.
  log_.set_auto_ack(false);
  std::atomic<bool> stop{false};
  std::thread acker([&] {
    while (!stop) {
      log_.AckAll();
      std::this_thread::yield();
    }
  });
  constexpr int kThreads = 4, kPerThread = 200;
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string g = "g" + std::to_string((t * kPerThread + i) % 17);
        coordinator_->OffsetCommit(Ctx(9), Commit(g, -1, "", i),
                                   [&](OffsetCommitResponse r) {
                                     EXPECT_EQ(r.topics[0].partitions[0].error, ErrorCode::kNone);
                                     ++answered;
                                   });
        OffsetFetchRequestGroup rg;
        rg.group_id = g;
        coordinator_->OffsetFetch(Ctx(9), {{rg}, true}, [&](OffsetFetchResponse) { ++answered; });
      }
    });
  }
  for (auto& c : clients) c.join();
  while (answered < 2 * kThreads * kPerThread) std::this_thread::yield();
  stop = true;
  acker.join();
  EXPECT_EQ(answered, 2 * kThreads * kPerThread);
}

TEST_F(GroupCoordinatorTest, EmptyGroupIdsAreInvalidBeforeRouting) {
  LoadAll();
  Answer<OffsetCommitResponse> commit;
  coordinator_->OffsetCommit(Ctx(9), Commit("", -1, "", 1), commit.cb());
  ASSERT_TRUE(commit.ready());
  EXPECT_EQ(commit->topics.at(0).partitions.at(0).error, ErrorCode::kInvalidGroupId);

  Answer<OffsetFetchResponse> fetch;
  OffsetFetchRequestGroup empty, known;
  known.group_id = "g";
  coordinator_->OffsetFetch(Ctx(9), {{empty, known}, false}, fetch.cb());
  ASSERT_TRUE(fetch.ready());
  ASSERT_EQ(fetch->groups.size(), 2u);
  EXPECT_EQ(fetch->groups[0].error, ErrorCode::kInvalidGroupId);
  EXPECT_EQ(fetch->groups[1].group_id, "g");
  EXPECT_EQ(fetch->groups[1].error, ErrorCode::kNone);

  Answer<DeleteGroupsResponse> del;
  coordinator_->DeleteGroups(Ctx(2), {{"", "nope"}}, del.cb());
  ASSERT_TRUE(del.ready());
  ASSERT_EQ(del->results.size(), 2u);
  EXPECT_EQ(del->results[0].error, ErrorCode::kInvalidGroupId);
  EXPECT_EQ(del->results[1].group_id, "nope");
  EXPECT_EQ(del->results[1].error, ErrorCode::kGroupIdNotFound);
}

}  // namespace
}  // namespace gregor::broker::group
