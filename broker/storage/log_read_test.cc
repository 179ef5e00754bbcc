#include <atomic>
#include <thread>

#include "broker/storage/log.h"
#include "broker/storage/storage_error.h"
#include "broker/storage/testing/log_fixture.h"

namespace gregor::storage {
namespace {

using testing::MakeBatch;

class LogReadTest : public testing::LogFixture {
 protected:
  static ReadOptions Opts(int64_t max_offset = INT64_MAX, uint64_t max_bytes = 1 << 20,
                          bool min_one = true) {
    return ReadOptions{Offset(max_offset), max_bytes, min_one};
  }
  static std::vector<int64_t> BaseOffsets(const FileRegion& r) {
    std::vector<int64_t> out;
    std::string bytes = *r.ReadAll();
    std::string_view rest = bytes;
    while (!rest.empty()) {
      size_t size = *kafka::NextBatchSize(rest, 1 << 30);
      out.push_back(kafka::ParseBatchHeader(rest.data()).base_offset);
      rest.remove_prefix(size);
    }
    return out;
  }
};

TEST_F(LogReadTest, EmptyLogReadsNothingAtZeroAndRefusesBeyond) {
  auto log = OpenLog();
  auto r = log->Read(Offset(0), Opts());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->region.empty());
  EXPECT_EQ(r->log_end_offset, Offset(0));
  EXPECT_EQ(GetStorageError(log->Read(Offset(1), Opts()).status()),
            StorageError::kOffsetOutOfRange);
  EXPECT_EQ(GetStorageError(log->Read(Offset(-1), Opts()).status()),
            StorageError::kOffsetOutOfRange);
}

TEST_F(LogReadTest, ReadAtTheLogEndIsEmptyAndPastItIsOutOfRange) {
  auto log = OpenLog();
  AppendRecords(*log, 3);
  auto r = log->Read(Offset(3), Opts());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->region.empty());
  auto bad = log->Read(Offset(4), Opts());
  EXPECT_EQ(GetStorageError(bad.status()), StorageError::kOffsetOutOfRange);
  EXPECT_TRUE(absl::IsOutOfRange(bad.status()));
}

TEST_F(LogReadTest, RegionHasAFileDescriptorForSendfile) {
  auto log = OpenLog();
  AppendRecords(*log, 3);
  auto r = log->Read(Offset(0), Opts());
  ASSERT_TRUE(r.ok());
  EXPECT_GE(r->region.fd(), 0);
  EXPECT_EQ(r->region.position, 0u);
  EXPECT_EQ(r->region.length, log->size_bytes());
}

TEST_F(LogReadTest, ReadStopsAtTheHighWatermark) {
  auto log = OpenLog();
  for (int i = 0; i < 5; ++i) AppendRecords(*log, 2);
  log->SetHighWatermark(Offset(6));
  auto r = log->Read(Offset(0), Opts(log->high_watermark().value()));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(BaseOffsets(r->region), (std::vector<int64_t>{0, 2, 4}));
  EXPECT_EQ(r->high_watermark, Offset(6));
  // Between the high watermark and the log end: nothing, not an error.
  r = log->Read(Offset(7), Opts(6));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->region.empty());
  // A follower reads to the log end.
  r = log->Read(Offset(7), Opts());
  EXPECT_EQ(BaseOffsets(r->region), (std::vector<int64_t>{6, 8}));
}

TEST_F(LogReadTest, MaxBytesSmallerThanOneBatch) {
  auto log = OpenLog();
  AppendRecords(*log, 5, 200);
  AppendRecords(*log, 5, 200);
  auto r = log->Read(Offset(0), Opts(INT64_MAX, 100, /*min_one=*/true));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(BaseOffsets(r->region), (std::vector<int64_t>{0}));
  r = log->Read(Offset(0), Opts(INT64_MAX, 100, /*min_one=*/false));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->region.empty());
}

TEST_F(LogReadTest, ReadFromTheMiddleOfABatchReturnsTheWholeBatch) {
  auto log = OpenLog();
  AppendRecords(*log, 10);
  AppendRecords(*log, 10);
  auto r = log->Read(Offset(15), Opts());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(BaseOffsets(r->region), (std::vector<int64_t>{10}));
}

TEST_F(LogReadTest, ReadsStayInOneSegmentAndCrossExactBoundaries) {
  config_.segment_bytes = 1024;
  auto log = OpenLog();
  for (int i = 0; i < 12; ++i) AppendRecords(*log, 2, 100);
  std::vector<int64_t> bases = log->SegmentBaseOffsets();
  ASSERT_GE(bases.size(), 3u);
  // From a segment's base offset exactly.
  auto r = log->Read(Offset(bases[1]), Opts());
  ASSERT_TRUE(r.ok());
  std::vector<int64_t> got = BaseOffsets(r->region);
  EXPECT_EQ(got.front(), bases[1]);
  EXPECT_LT(got.back(), bases[2]);  // one segment per read
  // From the last offset of a segment.
  r = log->Read(Offset(bases[2] - 1), Opts());
  EXPECT_EQ(BaseOffsets(r->region).front(), bases[2] - 2);
  // max_offset exactly at a segment boundary.
  r = log->Read(Offset(bases[0]), Opts(bases[1]));
  EXPECT_LT(BaseOffsets(r->region).back(), bases[1]);
  // Reading everything region by region sees every batch once.
  EXPECT_EQ(ReadHeaders(*log).size(), 12u);
}

TEST_F(LogReadTest, OffsetsBelowTheLogStartAreOutOfRange) {
  auto log = OpenLog();
  for (int i = 0; i < 5; ++i) AppendRecords(*log, 2);
  log->SetHighWatermark(Offset(10));
  ASSERT_TRUE(log->AdvanceLogStartOffset(Offset(4)).ok());
  EXPECT_EQ(GetStorageError(log->Read(Offset(3), Opts()).status()),
            StorageError::kOffsetOutOfRange);
  auto r = log->Read(Offset(4), Opts());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(BaseOffsets(r->region).front(), 4);
}

TEST_F(LogReadTest, FindsOffsetsByTimestampAcrossSegments) {
  config_.segment_bytes = 1024;
  auto log = OpenLog();
  const int64_t t0 = clock_.WallMillis();
  for (int i = 0; i < 20; ++i) {
    clock_.Advance(std::chrono::milliseconds(100));
    AppendRecords(*log, 2, 100);  // batch i: timestamps t0+100(i+1), +1
  }
  ASSERT_GE(log->segment_count(), 3);
  using TO = TimestampAndOffset;
  // Batch i holds offsets 2i (timestamp t0+100(i+1)) and 2i+1 (one ms later).
  EXPECT_EQ(**log->OffsetForTimestamp(0), (TO{t0 + 100, 0}));
  EXPECT_EQ(**log->OffsetForTimestamp(t0 + 1001), (TO{t0 + 1001, 19}));
  EXPECT_EQ(**log->OffsetForTimestamp(t0 + 1002), (TO{t0 + 1100, 20}));
  EXPECT_EQ(**log->OffsetForTimestamp(t0 + 2001), (TO{t0 + 2001, 39}));
  EXPECT_FALSE(log->OffsetForTimestamp(t0 + 2002)->has_value());
  auto max = log->MaxTimestampAndOffset();
  ASSERT_TRUE(max.ok() && max->has_value());
  EXPECT_EQ(**max, (TO{t0 + 2001, 39}));
  // After DeleteRecords, answers start at the log start.
  log->SetHighWatermark(log->log_end_offset());
  ASSERT_TRUE(log->AdvanceLogStartOffset(Offset(25)).ok());
  EXPECT_EQ(**log->OffsetForTimestamp(0), (TO{t0 + 1301, 25}));
}

TEST_F(LogReadTest, VisitsBatchHeadersFromAnOffset) {
  config_.segment_bytes = 1024;
  auto log = OpenLog();
  for (int i = 0; i < 12; ++i) AppendRecords(*log, 2, 100);
  std::vector<int64_t> seen;
  ASSERT_TRUE(log->VisitBatchHeaders(Offset(7),
                                     [&](const kafka::BatchHeader& h) {
                                       seen.push_back(h.base_offset);
                                       return true;
                                     })
                  .ok());
  ASSERT_EQ(seen.size(), 9u);
  EXPECT_EQ(seen.front(), 6);
  EXPECT_EQ(seen.back(), 22);
  seen.clear();
  ASSERT_TRUE(log->VisitBatchHeaders(Offset(0),
                                     [&](const kafka::BatchHeader& h) {
                                       seen.push_back(h.base_offset);
                                       return seen.size() < 3;
                                     })
                  .ok());
  EXPECT_EQ(seen.size(), 3u);
}

TEST_F(LogReadTest, ConcurrentReadersSeeWholeBatchesWhileAppendsContinue) {
  config_.segment_bytes = 64 << 10;
  auto log = OpenLog();
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<bool> bad{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      int64_t next = 0;
      while (!done.load() || next < log->log_end_offset().value()) {
        auto r = log->Read(Offset(next), ReadOptions{Offset(INT64_MAX), 8 << 10, true});
        if (!r.ok()) {
          bad = true;
          return;
        }
        if (r->region.empty()) continue;
        std::string bytes = *r->region.ReadAll();
        std::string_view rest = bytes;
        while (!rest.empty()) {
          auto size = kafka::NextBatchSize(rest, 1 << 30);
          if (!size.ok() || *size > rest.size() ||
              !kafka::ValidateBatch(rest.substr(0, *size)).ok() ||
              kafka::ParseBatchHeader(rest.data()).base_offset != next) {
            bad = true;
            return;
          }
          next = kafka::ParseBatchHeader(rest.data()).next_offset();
          rest.remove_prefix(*size);
        }
        ++reads;
      }
    });
  }
  for (int i = 0; i < 2000; ++i) AppendRecords(*log, 3, 64);
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_FALSE(bad.load());
  EXPECT_GT(reads.load(), 0);
  EXPECT_GT(log->segment_count(), 5);
}

}  // namespace
}  // namespace gregor::storage
