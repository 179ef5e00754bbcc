#include "broker/storage/checkpoint_file.h"
#include "broker/storage/log.h"
#include "broker/storage/storage_error.h"
#include "broker/storage/testing/log_fixture.h"
#include "common/bytes.h"

namespace gregor::storage {
namespace {

using testing::BatchSpec;
using testing::BuildBatch;
using testing::MakeBatch;
using testing::MakeControlBatch;

class LogAppendTest : public testing::LogFixture {};

TEST_F(LogAppendTest, NewLogIsEmptyAtZero) {
  auto log = OpenLog();
  EXPECT_EQ(log->log_start_offset(), Offset(0));
  EXPECT_EQ(log->log_end_offset(), Offset(0));
  EXPECT_EQ(log->high_watermark(), Offset(0));
  EXPECT_EQ(log->segment_count(), 1);
  EXPECT_TRUE(env_.FileExists(dir_.Sub("orders-0/00000000000000000000.log")));
  // The epoch checkpoint appears with the first epoch.
  EXPECT_FALSE(env_.FileExists(dir_.Sub("orders-0/leader-epoch-checkpoint")));
  AppendRecords(*log, 1);
  EXPECT_TRUE(env_.FileExists(dir_.Sub("orders-0/leader-epoch-checkpoint")));
}

TEST_F(LogAppendTest, LeaderAppendAssignsOffsetsAndEpochInPlace) {
  auto log = OpenLog();
  std::string buf =
      MakeBatch(999, 3) + MakeBatch(999, 2);  // producers send base offset 0..anything
  auto r = log->AppendAsLeader({buf.data(), buf.size()}, LeaderEpoch(7));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->first_offset, Offset(0));
  EXPECT_EQ(r->last_offset, Offset(4));
  EXPECT_EQ(r->batch_count, 2);
  EXPECT_EQ(r->record_count, 5);
  EXPECT_EQ(r->log_append_time_ms, -1);
  EXPECT_EQ(log->log_end_offset(), Offset(5));
  // The caller's buffer was patched in place: offsets and epoch, CRC still valid.
  kafka::BatchHeader h0 = kafka::ParseBatchHeader(buf.data());
  kafka::BatchHeader h1 = kafka::ParseBatchHeader(buf.data() + h0.total_size());
  EXPECT_EQ(h0.base_offset, 0);
  EXPECT_EQ(h1.base_offset, 3);
  EXPECT_EQ(h0.partition_leader_epoch, 7);
  EXPECT_TRUE(kafka::ValidateBatch(std::string_view(buf.data(), h0.total_size())).ok());
  // And the file holds exactly those bytes.
  auto headers = ReadHeaders(*log);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[1].base_offset, 3);
  EXPECT_EQ(log->EpochEntries(), (std::vector<EpochEntry>{{LeaderEpoch(7), Offset(0)}}));
}

TEST_F(LogAppendTest, AppendIsOneWriteAndNoCopy) {
  auto log = OpenLog();
  AppendRecords(*log, 1);  // the first append of an epoch also writes the epoch checkpoint
  std::string buf = MakeBatch(0, 3) + MakeBatch(0, 3) + MakeBatch(0, 3);
  const int64_t writes_before = env_.write_count();
  ASSERT_TRUE(log->AppendAsLeader({buf.data(), buf.size()}, LeaderEpoch(0)).ok());
  EXPECT_EQ(env_.write_count() - writes_before, 1);
}

TEST_F(LogAppendTest, LogAppendTimeStampsTheBatch) {
  config_.timestamp_type = TimestampType::kLogAppendTime;
  auto log = OpenLog();
  clock_.SetWallMillis(1'800'000'000'000);
  std::string buf = MakeBatch(0, 2, 10, 1'000);
  auto r = log->AppendAsLeader({buf.data(), buf.size()}, LeaderEpoch(0));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->log_append_time_ms, 1'800'000'000'000);
  kafka::BatchHeader h = kafka::ParseBatchHeader(buf.data());
  EXPECT_TRUE(h.log_append_time());
  EXPECT_EQ(h.max_timestamp, 1'800'000'000'000);
  EXPECT_TRUE(kafka::ValidateBatch(buf).ok());
}

TEST_F(LogAppendTest, RejectsCorruptBatchesWithClearErrors) {
  auto log = OpenLog();
  std::string bad_crc = MakeBatch(0, 2);
  bad_crc[bad_crc.size() - 1] ^= 1;
  auto r = log->AppendAsLeader({bad_crc.data(), bad_crc.size()}, LeaderEpoch(0));
  EXPECT_EQ(GetStorageError(r.status()), StorageError::kCorruptMessage);

  std::string truncated = MakeBatch(0, 2);
  truncated.resize(truncated.size() - 3);
  r = log->AppendAsLeader({truncated.data(), truncated.size()}, LeaderEpoch(0));
  EXPECT_EQ(GetStorageError(r.status()), StorageError::kCorruptMessage);

  std::string bad_magic = MakeBatch(0, 2);
  bad_magic[kafka::batch_offsets::kMagic] = 1;
  r = log->AppendAsLeader({bad_magic.data(), bad_magic.size()}, LeaderEpoch(0));
  EXPECT_EQ(GetStorageError(r.status()), StorageError::kInvalidRecord);

  r = log->AppendAsLeader({}, LeaderEpoch(0));
  EXPECT_EQ(GetStorageError(r.status()), StorageError::kInvalidRecord);

  std::string garbage(100, 'x');
  r = log->AppendAsLeader({garbage.data(), garbage.size()}, LeaderEpoch(0));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(log->log_end_offset(), Offset(0));  // nothing was appended
}

TEST_F(LogAppendTest, CrcCheckCanBeLeftToTheGateway) {
  auto log = OpenLog();
  LeaderAppendOptions checked;
  checked.crc_verified = true;
  // Structure is still checked...
  std::string bad_magic = MakeBatch(0, 2);
  bad_magic[kafka::batch_offsets::kMagic] = 3;
  EXPECT_EQ(GetStorageError(
                log->AppendAsLeader({bad_magic.data(), bad_magic.size()}, LeaderEpoch(0), checked)
                    .status()),
            StorageError::kInvalidRecord);
  std::string short_batch = MakeBatch(0, 2);
  short_batch.resize(40);
  EXPECT_FALSE(
      log->AppendAsLeader({short_batch.data(), short_batch.size()}, LeaderEpoch(0), checked).ok());
  // ...but the CRC is not computed again.
  std::string b = MakeBatch(0, 2);
  b[b.size() - 1] ^= 1;
  EXPECT_TRUE(log->AppendAsLeader({b.data(), b.size()}, LeaderEpoch(0), checked).ok());
}

TEST_F(LogAppendTest, RejectsRecordCountNotMatchingOffsets) {
  auto log = OpenLog();
  BatchSpec spec;
  spec.records = {{"k", "v", 0}, {"k", "v", 0}};
  spec.extra_offset_delta = 3;  // lastOffsetDelta 4 for 2 records: only the cleaner makes these
  std::string b = BuildBatch(spec);
  auto r = log->AppendAsLeader({b.data(), b.size()}, LeaderEpoch(0));
  EXPECT_EQ(GetStorageError(r.status()), StorageError::kInvalidRecord);
  // A follower accepts it: the leader's log was compacted.
  b = BuildBatch(spec);
  auto f = log->AppendAsFollower({b.data(), b.size()});
  EXPECT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(log->log_end_offset(), Offset(5));
}

TEST_F(LogAppendTest, ControlBatchesOnlyFromTheCoordinator) {
  auto log = OpenLog();
  std::string marker = MakeControlBatch(0, 42, 1, true);
  auto r = log->AppendAsLeader({marker.data(), marker.size()}, LeaderEpoch(0));
  EXPECT_EQ(GetStorageError(r.status()), StorageError::kInvalidRecord);
  marker = MakeControlBatch(0, 42, 1, true);
  r = log->AppendAsLeader({marker.data(), marker.size()}, LeaderEpoch(0),
                          {.origin = AppendOrigin::kCoordinator});
  EXPECT_TRUE(r.ok()) << r.status();
}

TEST_F(LogAppendTest, EnforcesMaxMessageBytes) {
  config_.max_message_bytes = 500;
  auto log = OpenLog();
  std::string big = MakeBatch(0, 10, 100);
  auto r = log->AppendAsLeader({big.data(), big.size()}, LeaderEpoch(0));
  EXPECT_EQ(GetStorageError(r.status()), StorageError::kMessageTooLarge);
  std::string small = MakeBatch(0, 2, 100);
  EXPECT_TRUE(log->AppendAsLeader({small.data(), small.size()}, LeaderEpoch(0)).ok());
}

TEST_F(LogAppendTest, AppendLargerThanASegmentIsRefused) {
  config_.segment_bytes = 1024;
  auto log = OpenLog();
  std::string buf = MakeBatch(0, 10, 200);
  auto r = log->AppendAsLeader({buf.data(), buf.size()}, LeaderEpoch(0));
  EXPECT_EQ(GetStorageError(r.status()), StorageError::kRecordListTooLarge);
}

TEST_F(LogAppendTest, RollsBySegmentBytes) {
  config_.segment_bytes = 1024;
  auto log = OpenLog();
  for (int i = 0; i < 20; ++i) AppendRecords(*log, 2, 100);
  EXPECT_GT(log->segment_count(), 3);
  for (int64_t base : log->SegmentBaseOffsets()) {
    auto size = env_.FileSize(dir_.Sub("orders-0/" + Segment::FileName(base, ".log")));
    ASSERT_TRUE(size.ok());
    EXPECT_LE(*size, 1024u);
  }
  auto headers = ReadHeaders(*log);
  ASSERT_EQ(headers.size(), 20u);
  for (size_t i = 0; i < headers.size(); ++i) EXPECT_EQ(headers[i].base_offset, int64_t(i * 2));
}

TEST_F(LogAppendTest, RollsBySegmentMsOnTheInjectedClock) {
  config_.segment_ms = 60'000;
  auto log = OpenLog();
  AppendRecords(*log, 1);
  clock_.Advance(std::chrono::seconds(30));
  AppendRecords(*log, 1);
  EXPECT_EQ(log->segment_count(), 1);
  clock_.Advance(std::chrono::seconds(31));
  AppendRecords(*log, 1);
  EXPECT_EQ(log->SegmentBaseOffsets(), (std::vector<int64_t>{0, 2}));
}

TEST_F(LogAppendTest, RollsWhenTheOffsetIndexIsFull) {
  config_.segment_index_bytes = 64;  // 8 entries
  config_.index_interval_bytes = 0;  // an entry per batch after the first
  auto log = OpenLog();
  for (int i = 0; i < 30; ++i) AppendRecords(*log, 1);
  EXPECT_GE(log->segment_count(), 3);
  EXPECT_EQ(ReadHeaders(*log).size(), 30u);
}

TEST_F(LogAppendTest, FollowerAppendKeepsOffsetsAndEpochs) {
  auto log = OpenLog();
  BatchSpec a;
  a.base_offset = 0;
  a.leader_epoch = 2;
  a.records = {{"k", "v", 0}, {"k", "v", 0}};
  BatchSpec b = a;
  b.base_offset = 2;
  b.leader_epoch = 5;
  std::string buf = BuildBatch(a) + BuildBatch(b);
  auto r = log->AppendAsFollower({buf.data(), buf.size()});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->first_offset, Offset(0));
  EXPECT_EQ(r->last_offset, Offset(3));
  EXPECT_EQ(log->EpochEntries(),
            (std::vector<EpochEntry>{{LeaderEpoch(2), Offset(0)}, {LeaderEpoch(5), Offset(2)}}));
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(2)), (EpochEndOffset{LeaderEpoch(2), Offset(2)}));
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(5)), (EpochEndOffset{LeaderEpoch(5), Offset(4)}));
  auto persisted = ReadEpochCheckpoint(&env_, dir_.Sub("orders-0/leader-epoch-checkpoint"));
  ASSERT_TRUE(persisted.ok());
  EXPECT_EQ(*persisted, log->EpochEntries());
}

TEST_F(LogAppendTest, FollowerAppendChecksOffsets) {
  auto log = OpenLog();
  AppendRecords(*log, 5);
  std::string overlap = MakeBatch(3, 2);
  auto r = log->AppendAsFollower({overlap.data(), overlap.size()});
  EXPECT_EQ(GetStorageError(r.status()), StorageError::kUnexpectedAppendOffset);
  std::string backwards = MakeBatch(10, 2) + MakeBatch(11, 2);
  r = log->AppendAsFollower({backwards.data(), backwards.size()});
  EXPECT_EQ(GetStorageError(r.status()), StorageError::kInvalidRecord);
  // A gap (compacted leader) is accepted.
  std::string gap = MakeBatch(8, 2);
  r = log->AppendAsFollower({gap.data(), gap.size()});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(log->log_end_offset(), Offset(10));
  auto headers = ReadHeaders(*log);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[1].base_offset, 8);
}

TEST_F(LogAppendTest, NewEpochIsPersistedOnFirstAppend) {
  auto log = OpenLog();
  AppendRecords(*log, 3, 10, 1);
  AppendRecords(*log, 3, 10, 1);
  AppendRecords(*log, 3, 10, 4);
  EXPECT_EQ(log->EpochEntries(),
            (std::vector<EpochEntry>{{LeaderEpoch(1), Offset(0)}, {LeaderEpoch(4), Offset(6)}}));
  ASSERT_TRUE(log->AssignEpochStartOffset(LeaderEpoch(6), Offset(9)).ok());
  EXPECT_EQ(log->LatestEpoch(), LeaderEpoch(6));
  EXPECT_EQ(log->EndOffsetForEpoch(LeaderEpoch(4)), (EpochEndOffset{LeaderEpoch(4), Offset(9)}));
}

TEST_F(LogAppendTest, WriteErrorLeavesTheLogAsItWas) {
  auto log = OpenLog();
  AppendRecords(*log, 2);
  env_.FailWrites(1, absl::InternalError("EIO (injected)"));
  std::string b = MakeBatch(0, 2);
  EXPECT_FALSE(log->AppendAsLeader({b.data(), b.size()}, LeaderEpoch(0)).ok());
  EXPECT_EQ(log->log_end_offset(), Offset(2));
  AppendRecords(*log, 2);
  auto headers = ReadHeaders(*log);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[1].base_offset, 2);
}

TEST_F(LogAppendTest, DiskFullCutsThePartialWriteBack) {
  auto log = OpenLog();
  AppendRecords(*log, 2);
  const uint64_t size = log->size_bytes();
  env_.SetSpaceLeft(50);
  std::string b = MakeBatch(0, 5, 100);
  auto r = log->AppendAsLeader({b.data(), b.size()}, LeaderEpoch(0));
  EXPECT_TRUE(absl::IsResourceExhausted(r.status())) << r.status();
  EXPECT_EQ(log->size_bytes(), size);
  env_.SetSpaceLeft(-1);
  AppendRecords(*log, 2);
  EXPECT_EQ(ReadHeaders(*log).size(), 2u);
}

TEST_F(LogAppendTest, TopicIdIsWrittenAndChecked) {
  LogParams p = Params();
  p.topic_id = Uuid(1, 2);
  auto log = OpenLog(p);
  ASSERT_TRUE(log->Close().ok());
  log.reset();
  auto text = ReadFileToString(&env_, dir_.Sub("orders-0/partition.metadata"), 100);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*DecodePartitionMetadata(*text), Uuid(1, 2));
  p = Params();
  p.topic_id = Uuid(3, 4);
  EXPECT_TRUE(absl::IsFailedPrecondition(Log::Open(p).status()));
  p = Params();  // unknown id: adopts the one on disk
  auto again = Log::Open(p);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->topic_id(), Uuid(1, 2));
}

TEST_F(LogAppendTest, ClosedLogRefusesWrites) {
  auto log = OpenLog();
  ASSERT_TRUE(log->Close().ok());
  std::string b = MakeBatch(0, 1);
  EXPECT_EQ(GetStorageError(log->AppendAsLeader({b.data(), b.size()}, LeaderEpoch(0)).status()),
            StorageError::kLogClosed);
}

}  // namespace
}  // namespace gregor::storage
