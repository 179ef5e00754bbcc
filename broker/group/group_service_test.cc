#include "broker/group/group_service.h"

#include <span>

#include "absl/synchronization/mutex.h"
#include "broker/group/offsets_topic.h"
#include "broker/group/partitioner.h"
#include "broker/group/testing/test_broker.h"
#include "common/metadata/testing/records.h"
#include "glog/logging.h"
#include "gtest/gtest.h"
#include "proto/kafka/records/record_batch_builder.h"

namespace gregor::broker::group {
namespace {

using testing::TestBroker;
using testing::WaitFor;
namespace mt = ::gregor::metadata::testing;

constexpr int kPartitions = 4;

// One callback's answer, waited for.
template <typename T>
class Await {
 public:
  GroupCoordinator::Callback<T> cb() {
    auto s = state_;
    return [s](T r) {
      absl::MutexLock l(&s->mu);
      s->value = std::move(r);
      ++s->calls;
    };
  }
  bool ready() const {
    absl::MutexLock l(&state_->mu);
    return state_->value.has_value();
  }
  T Get() const {
    EXPECT_TRUE(WaitFor([this] { return ready(); })) << "no answer";
    absl::MutexLock l(&state_->mu);
    return state_->value.value_or(T{});
  }
  int calls() const {
    absl::MutexLock l(&state_->mu);
    return state_->calls;
  }

 private:
  struct State {
    absl::Mutex mu;
    std::optional<T> value;
    int calls = 0;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

RequestContext Ctx(int16_t v) { return RequestContext{v, "client", "/127.0.0.1"}; }

OffsetCommitRequest SimpleCommit(const std::string& group, int64_t offset) {
  OffsetCommitRequest r;
  r.group_id = group;
  OffsetCommitRequestPartition p;
  p.partition_index = 0;
  p.committed_offset = offset;
  r.topics.push_back({"t", {p}});
  return r;
}

JoinGroupRequest Join(const std::string& group, const std::string& member) {
  JoinGroupRequest r;
  r.group_id = group;
  r.member_id = member;
  r.session_timeout_ms = 45000;
  r.rebalance_timeout_ms = 300000;
  r.protocol_type = "consumer";
  r.protocols = {{"range", "m"}};
  return r;
}

// A batch of coordinator records as someone else may have written it.
std::string Batch(const std::vector<CoordinatorRecord>& records,
                  kafka::Compression codec = kafka::Compression::kNone) {
  kafka::RecordBatchBuilder b({.compression = codec});
  for (const CoordinatorRecord& r : records) {
    std::optional<std::string_view> v;
    if (r.value) v = std::string_view(*r.value);
    CHECK(b.Append(1000, std::string_view(r.key), v).ok());
  }
  return *b.Build();
}

class GroupServiceTest : public ::testing::Test {
 protected:
  GroupServiceOptions Options() {
    GroupServiceOptions o;
    o.coordinator.offsets_topic_num_partitions = kPartitions;
    o.coordinator.coordinator.group_initial_rebalance_delay_ms = 0;
    o.coordinator.random_seed = 7;
    o.loader.high_watermark_recheck = std::chrono::milliseconds(50);
    return o;
  }
  void StartService(GroupServiceOptions o) {
    service_ = std::make_unique<GroupService>(o, broker_.replicas(), broker_.clock());
    ASSERT_TRUE(service_->Start().ok());
  }
  void StartService() { StartService(Options()); }
  GroupCoordinator* coordinator() { return service_->coordinator(); }
  int32_t PartitionOf(const std::string& group) { return coordinator()->PartitionFor(group); }
  void WaitActive(const std::string& group) {
    ASSERT_TRUE(WaitFor([&] { return coordinator()->IsActive(PartitionOf(group)); }))
        << "partition " << PartitionOf(group) << " never loaded";
  }
  ErrorCode CommitError(const std::string& group, int64_t offset) {
    Await<OffsetCommitResponse> a;
    coordinator()->OffsetCommit(Ctx(9), SimpleCommit(group, offset), a.cb());
    return a.Get().topics.at(0).partitions.at(0).error;
  }
  OffsetFetchResponseGroup Fetch(const std::string& group) {
    Await<OffsetFetchResponse> a;
    OffsetFetchRequestGroup g;
    g.group_id = group;
    g.topics = std::vector<OffsetFetchRequestTopic>{{"t", {0}}};
    coordinator()->OffsetFetch(Ctx(9), {{g}, true}, a.cb());
    return a.Get().groups.at(0);
  }
  int64_t FetchOffset(const std::string& group) {
    OffsetFetchResponseGroup g = Fetch(group);
    EXPECT_EQ(g.error, ErrorCode::kNone);
    return g.topics.at(0).partitions.at(0).committed_offset;
  }
  // Appends a batch to __consumer_offsets-`partition` as leader.
  void AppendDirectly(int partition, std::string batch) {
    std::shared_ptr<Partition> p = broker_.OffsetsPartition(partition);
    ASSERT_NE(p, nullptr);
    auto out = p->AppendAsLeader(std::span<char>(batch.data(), batch.size()), 1, 1);
    ASSERT_EQ(out.error_code, 0) << out.error_message;
    ASSERT_TRUE(p->log()->Flush().ok());
  }

  TestBroker broker_;
  std::unique_ptr<GroupService> service_;
};

TEST_F(GroupServiceTest, CommitIsDurableAndARestartedBrokerLoadsItBack) {
  broker_.RegisterBrokers(1);
  StartService();  // before the topic exists: the loader follows the new leaderships
  broker_.CreateOffsetsTopic(kPartitions);
  WaitActive("g");
  ASSERT_EQ(CommitError("g", 42), ErrorCode::kNone);

  // Acknowledged means fsync'ed and below the high watermark.
  std::shared_ptr<Partition> p = broker_.OffsetsPartition(PartitionOf("g"));
  const Offset end = p->log_end_offset();
  EXPECT_GT(end.value(), 0);
  EXPECT_GE(p->log()->durable_offset(), end);
  EXPECT_GE(p->high_watermark(), end);
  // And the log holds the commit as Kafka's record.
  auto read = p->log()->Read(p->log_start_offset(), {});
  ASSERT_TRUE(read.ok());
  std::vector<CoordinatorRecord> records;
  CoordinatorBatchDecoder decoder;
  ASSERT_TRUE(decoder.DecodeBatches(*read->region.ReadAll(), &records).ok());
  bool found = false;
  for (const CoordinatorRecord& r : records) {
    auto key = DecodeKey(r.key);
    if (!key.ok() || !std::holds_alternative<OffsetCommitKey>(*key)) continue;
    EXPECT_EQ(std::get<OffsetCommitKey>(*key), (OffsetCommitKey{"g", "t", 0}));
    EXPECT_EQ(DecodeOffsetCommitValue(*r.value)->offset, 42);
    found = true;
  }
  EXPECT_TRUE(found);

  // Failover: the broker restarts over its logs; a new coordinator loads
  // the partition it leads (already led when the service starts).
  service_.reset();
  p.reset();
  broker_.Close();
  broker_.Open();
  StartService();
  WaitActive("g");
  EXPECT_EQ(FetchOffset("g"), 42);
  EXPECT_TRUE(WaitFor([&] { return service_->loader_stats().loads_completed == kPartitions; }));
  EXPECT_GE(service_->loader_stats().records_loaded, 1);
}

TEST_F(GroupServiceTest, LeadershipLossUnloadsAndParkedRequestsGetNotCoordinator) {
  broker_.RegisterBrokers(2);
  broker_.CreateOffsetsTopic(kPartitions, {1, 2}, {1});
  GroupServiceOptions o = Options();
  o.coordinator.coordinator.group_initial_rebalance_delay_ms = 600000;  // the join stays parked
  StartService(o);
  WaitActive("g");
  Await<JoinGroupResponse> first;
  coordinator()->JoinGroup(Ctx(9), Join("g", ""), first.cb());
  ASSERT_EQ(first.Get().error, ErrorCode::kMemberIdRequired);
  Await<JoinGroupResponse> parked;
  coordinator()->JoinGroup(Ctx(9), Join("g", first.Get().member_id), parked.cb());

  broker_.ChangeOffsetsLeader(PartitionOf("g"), 2, {1, 2});
  EXPECT_EQ(parked.Get().error, ErrorCode::kNotCoordinator);
  EXPECT_FALSE(coordinator()->IsActive(PartitionOf("g")));
  Await<HeartbeatResponse> hb;
  coordinator()->Heartbeat(Ctx(4), {"g", 1, first.Get().member_id, std::nullopt}, hb.cb());
  EXPECT_EQ(hb.Get().error, ErrorCode::kNotCoordinator);
  EXPECT_EQ(CommitError("g", 1), ErrorCode::kNotCoordinator);
  EXPECT_TRUE(WaitFor([&] { return service_->loader_stats().unloads == 1; }));

  // Leadership comes back (a new epoch): loaded again.
  broker_.ChangeOffsetsLeader(PartitionOf("g"), 1, {1});
  WaitActive("g");
  EXPECT_EQ(CommitError("g", 2), ErrorCode::kNone);
}

TEST_F(GroupServiceTest, CommitIsAnsweredOnlyOnceTheFollowerHasIt) {
  broker_.RegisterBrokers(2);
  broker_.CreateOffsetsTopic(kPartitions, {1, 2}, {1, 2});
  StartService();
  WaitActive("g");
  std::shared_ptr<Partition> p = broker_.OffsetsPartition(PartitionOf("g"));
  Await<OffsetCommitResponse> commit;
  coordinator()->OffsetCommit(Ctx(9), SimpleCommit("g", 5), commit.cb());
  ASSERT_TRUE(WaitFor([&] {
    return p->log_end_offset().value() > 0 && p->log()->durable_offset() >= p->log_end_offset();
  }));
  EXPECT_FALSE(commit.ready());  // on disk here, not yet on broker 2
  // Broker 2 fetches up to the end: the HW passes the batch.
  if (p->UpdateFollower(BrokerId(2), p->log_end_offset())) {
    broker_.replicas()->NotifyPartition(*p);
  }
  EXPECT_EQ(commit.Get().topics.at(0).partitions.at(0).error, ErrorCode::kNone);
  EXPECT_EQ(FetchOffset("g"), 5);

  // A commit still waiting for broker 2 when leadership moves away.
  Await<OffsetCommitResponse> lost;
  coordinator()->OffsetCommit(Ctx(9), SimpleCommit("g", 6), lost.cb());
  broker_.ChangeOffsetsLeader(PartitionOf("g"), 2, {1, 2});
  EXPECT_EQ(lost.Get().topics.at(0).partitions.at(0).error, ErrorCode::kNotCoordinator);
  EXPECT_EQ(lost.calls(), 1);
}

TEST_F(GroupServiceTest, FewerInSyncReplicasThanMinInsyncIsCoordinatorNotAvailable) {
  broker_.RegisterBrokers(1);
  broker_.CreateOffsetsTopic(kPartitions);
  broker_.Apply({mt::Config(metadata::CONFIG_RESOURCE_TOPIC, kOffsetsTopic,
                            "min.insync.replicas", "2")});
  StartService();
  WaitActive("g");
  EXPECT_EQ(CommitError("g", 1), ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(broker_.OffsetsPartition(PartitionOf("g"))->log_end_offset().value(), 0);
  broker_.Apply({mt::Config(metadata::CONFIG_RESOURCE_TOPIC, kOffsetsTopic,
                            "min.insync.replicas", "1")});
  EXPECT_EQ(CommitError("g", 1), ErrorCode::kNone);
}

TEST_F(GroupServiceTest, LoadsCompressedBatchesWrittenByOthers) {
  broker_.RegisterBrokers(1);
  broker_.CreateOffsetsTopic(kPartitions);
  const int partition = PartitionForGroup("g", kPartitions);
  AppendDirectly(partition, Batch({*MakeOffsetCommitRecord({"g", "t", 0}, {.offset = 70})},
                                  kafka::Compression::kGzip));
  AppendDirectly(partition, Batch({*MakeOffsetCommitRecord({"g", "t", 0}, {.offset = 77})},
                                  kafka::Compression::kZstd));
  StartService();
  WaitActive("g");
  EXPECT_EQ(FetchOffset("g"), 77);
}

TEST_F(GroupServiceTest, LoadWaitsForTheHighWatermarkBeforeServing) {
  broker_.RegisterBrokers(2);
  broker_.CreateOffsetsTopic(kPartitions, {1, 2}, {1, 2});
  const int partition = PartitionForGroup("g", kPartitions);
  // Written here, not yet replicated to broker 2: not committed.
  AppendDirectly(partition, Batch({*MakeOffsetCommitRecord({"g", "t", 0}, {.offset = 9})}));
  StartService();
  ASSERT_TRUE(WaitFor([&] { return service_->loader_stats().waiting_for_high_watermark == 1; }));
  EXPECT_EQ(Fetch("g").error, ErrorCode::kCoordinatorLoadInProgress);
  std::shared_ptr<Partition> p = broker_.OffsetsPartition(partition);
  if (p->UpdateFollower(BrokerId(2), p->log_end_offset())) {
    broker_.replicas()->NotifyPartition(*p);
  }
  WaitActive("g");
  EXPECT_EQ(FetchOffset("g"), 9);
  EXPECT_TRUE(WaitFor([&] { return service_->loader_stats().waiting_for_high_watermark == 0; }));
}

TEST_F(GroupServiceTest, CorruptRecordFailsTheLoadAndThePartitionIsNotServed) {
  broker_.RegisterBrokers(1);
  broker_.CreateOffsetsTopic(kPartitions);
  const int partition = PartitionForGroup("g", kPartitions);
  // Key version 1 (an offset commit) cut after its version.
  AppendDirectly(partition, Batch({CoordinatorRecord{std::string("\x00\x01\x00", 3), "v"}}));
  StartService();
  ASSERT_TRUE(WaitFor([&] { return service_->loader_stats().load_failures == 1; }));
  EXPECT_FALSE(coordinator()->IsActive(partition));
  EXPECT_EQ(CommitError("g", 1), ErrorCode::kNotCoordinator);
  // The other partitions are served.
  EXPECT_TRUE(
      WaitFor([&] { return service_->loader_stats().loads_completed == kPartitions - 1; }));
}

TEST_F(GroupServiceTest, StopAnswersParkedRequestsAndRefusesWrites) {
  broker_.RegisterBrokers(1);
  broker_.CreateOffsetsTopic(kPartitions);
  GroupServiceOptions o = Options();
  o.coordinator.coordinator.group_initial_rebalance_delay_ms = 600000;
  StartService(o);
  WaitActive("g");
  Await<JoinGroupResponse> first;
  coordinator()->JoinGroup(Ctx(9), Join("g", ""), first.cb());
  Await<JoinGroupResponse> parked;
  coordinator()->JoinGroup(Ctx(9), Join("g", first.Get().member_id), parked.cb());
  service_->Stop();
  EXPECT_EQ(parked.Get().error, ErrorCode::kNotCoordinator);
  EXPECT_EQ(CommitError("g", 1), ErrorCode::kNotCoordinator);
}

TEST(AsioCoordinatorTimerTest, FiresOnItsThreadAndCancelledTimersDoNot) {
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread t([&] { io.run(); });
  AsioCoordinatorTimer timer(&io, Clock::Real());
  std::atomic<int> fired{0};
  std::atomic<int> cancelled_fired{0};
  auto h = timer.Schedule(Clock::Real()->Now() + std::chrono::hours(1),
                          [&] { cancelled_fired++; });
  timer.Schedule(Clock::Real()->Now() + std::chrono::milliseconds(1), [&] { fired++; });
  timer.Schedule(Clock::Real()->Now() - std::chrono::seconds(1), [&] { fired++; });  // past
  timer.Cancel(h);
  EXPECT_TRUE(WaitFor([&] { return fired.load() == 2; }));
  EXPECT_TRUE(WaitFor([&] { return timer.armed() == 0; }));
  timer.CancelAll();
  timer.Schedule(Clock::Real()->Now(), [&] { fired++; });  // after CancelAll: never
  work.reset();
  io.stop();
  t.join();
  EXPECT_EQ(fired.load(), 2);
  EXPECT_EQ(cancelled_fired.load(), 0);
}

}  // namespace
}  // namespace gregor::broker::group
