#include "broker/storage/segment.h"

#include "broker/storage/segment_cache.h"
#include "broker/storage/testing/batch_builder.h"
#include "broker/storage/testing/temp_dir.h"
#include "gtest/gtest.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::storage {
namespace {

using testing::MakeBatch;

class SegmentTest : public ::testing::Test {
 protected:
  std::shared_ptr<Segment> NewSegment(int64_t base, int64_t interval = 100) {
    return std::make_shared<Segment>(ctx_, dir_.path(), base, 0, interval);
  }
  std::shared_ptr<Segment> Existing(int64_t base, int64_t interval = 100) {
    uint64_t size = std::filesystem::file_size(dir_.Sub(Segment::FileName(base, ".log")));
    return std::make_shared<Segment>(ctx_, dir_.path(), base, size, interval);
  }

  // Appends `count` batches of `records` records each; returns their bytes.
  std::vector<std::string> Append(Segment& seg, int64_t first_offset, int count, int records = 3,
                                  int64_t ts = 1'700'000'000'000) {
    std::vector<std::string> out;
    int64_t off = first_offset;
    for (int i = 0; i < count; ++i) {
      std::string b = MakeBatch(off, records, 40, ts + i * 10);
      kafka::BatchHeader h = kafka::ParseBatchHeader(b.data());
      BatchInfo info{h.base_offset, h.last_offset(), h.max_timestamp,
                     static_cast<uint32_t>(b.size())};
      EXPECT_TRUE(seg.Append(b, {&info, 1}, 5).ok());
      out.push_back(b);
      off += records;
    }
    return out;
  }

  std::string ReadSlice(const SegmentSlice& s) {
    std::string out(s.length, '\0');
    auto n = s.file->ReadAt(s.position, out.data(), out.size());
    EXPECT_TRUE(n.ok());
    EXPECT_EQ(*n, s.length);
    return out;
  }

  std::string ReadAll(int64_t base) {
    auto s = ReadFileToString(Env::Default(), dir_.Sub(Segment::FileName(base, ".log")), 1 << 30);
    EXPECT_TRUE(s.ok());
    return *s;
  }

  testing::TempDir dir_;
  std::shared_ptr<const SegmentContext> ctx_ =
      SegmentContext::Make(Env::Default(), nullptr, 1 << 20);
};

TEST_F(SegmentTest, FileNamesAreTwentyDigitBaseOffsets) {
  EXPECT_EQ(Segment::FileName(52311, ".log"), "00000000000000052311.log");
  EXPECT_EQ(Segment::ParseFileName("00000000000000052311.index", ".index"), 52311);
  EXPECT_FALSE(Segment::ParseFileName("0000000000000052311.log", ".log").has_value());
  EXPECT_FALSE(Segment::ParseFileName("00000000000000052311.log.deleted", ".log").has_value());
  EXPECT_FALSE(Segment::ParseFileName("0000000000000005231x.log", ".log").has_value());
}

TEST_F(SegmentTest, AppendPublishesSizeAndNextOffset) {
  auto seg = NewSegment(100);
  ASSERT_TRUE(seg->CreateActive().ok());
  EXPECT_EQ(seg->size(), 0u);
  EXPECT_EQ(seg->next_offset(), 100);
  auto batches = Append(*seg, 100, 4);
  EXPECT_EQ(seg->next_offset(), 112);
  EXPECT_EQ(seg->size(), 4 * batches[0].size());
  EXPECT_EQ(ReadAll(100), batches[0] + batches[1] + batches[2] + batches[3]);
  EXPECT_GT(seg->offset_index_entries(), 0u);
  EXPECT_EQ(seg->roll_base_ms(), 5);
}

TEST_F(SegmentTest, ReadReturnsWholeBatchesFromTheOneHoldingTheStartOffset) {
  auto seg = NewSegment(0);
  ASSERT_TRUE(seg->CreateActive().ok());
  auto b = Append(*seg, 0, 5);                  // offsets 0..14, 3 per batch
  auto r = seg->Read(4, 1000, 1 << 20, false);  // offset 4 is in the second batch
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ(ReadSlice(**r), b[1] + b[2] + b[3] + b[4]);
  // Bounded by max_offset: batches holding offsets >= 9 are left out.
  r = seg->Read(0, 9, 1 << 20, false);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ(ReadSlice(**r), b[0] + b[1] + b[2]);
  // max_offset in the middle of a batch leaves that batch out too.
  r = seg->Read(0, 10, 1 << 20, false);
  EXPECT_EQ(ReadSlice(**r), b[0] + b[1] + b[2]);
  // Start at or past the end.
  r = seg->Read(15, 1000, 1 << 20, false);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST_F(SegmentTest, ReadCapsAtMaxBytesOnBatchBoundaries) {
  auto seg = NewSegment(0);
  ASSERT_TRUE(seg->CreateActive().ok());
  auto b = Append(*seg, 0, 6);
  const uint64_t n = b[0].size();
  auto r = seg->Read(0, 1000, 2 * n + n / 2, false);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->length, 2 * n);
  r = seg->Read(3, 1000, 2 * n, false);
  EXPECT_EQ(ReadSlice(**r), b[1] + b[2]);
}

TEST_F(SegmentTest, MaxBytesSmallerThanOneBatchHonoursMinOne) {
  auto seg = NewSegment(0);
  ASSERT_TRUE(seg->CreateActive().ok());
  auto b = Append(*seg, 0, 3);
  auto r = seg->Read(3, 1000, 10, /*min_one=*/false);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->length, 0u);
  r = seg->Read(3, 1000, 10, /*min_one=*/true);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ(ReadSlice(**r), b[1]);
  r = seg->Read(3, 1000, 0, /*min_one=*/true);
  EXPECT_EQ(ReadSlice(**r), b[1]);
  // min_one never goes past max_offset.
  r = seg->Read(3, 3, 10, /*min_one=*/true);
  EXPECT_EQ((*r)->length, 0u);
}

TEST_F(SegmentTest, ReadsFindBatchesWithoutTheRingAfterReload) {
  auto seg = NewSegment(0, /*interval=*/200);
  ASSERT_TRUE(seg->CreateActive().ok());
  auto b = Append(*seg, 0, 40);
  ASSERT_TRUE(seg->PersistIndexes(true).ok());
  seg->MakeInactive();
  auto again = Existing(0, 200);
  ASSERT_TRUE(again->Load(false).ok());
  EXPECT_EQ(again->next_offset(), 120);
  EXPECT_EQ(again->offset_index_entries(), seg->offset_index_entries());
  for (int i = 0; i < 40; i += 7) {
    auto r = again->Read(i * 3 + 1, 1000, b[0].size(), false);
    ASSERT_TRUE(r.ok() && r->has_value());
    EXPECT_EQ(ReadSlice(**r), b[i]) << i;
  }
  auto pos = again->FindPosition(60);
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(*pos, 20 * b[0].size());
  EXPECT_EQ(*again->FindPosition(1000), again->size());
}

TEST_F(SegmentTest, CorruptOrMissingIndexIsRebuiltOnLoad) {
  {
    auto seg = NewSegment(0, 200);
    ASSERT_TRUE(seg->CreateActive().ok());
    Append(*seg, 0, 30);
    ASSERT_TRUE(seg->PersistIndexes(true).ok());
  }
  // Flip bytes in the offset index: entries out of order.
  std::string idx_path = dir_.Sub(Segment::FileName(0, ".index"));
  auto idx = *ReadFileToString(Env::Default(), idx_path, 1 << 20);
  ASSERT_GE(idx.size(), 16u);
  std::swap(idx[3], idx[11]);
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), idx_path, idx).ok());
  auto seg = Existing(0, 200);
  ASSERT_TRUE(seg->Load(false).ok());
  EXPECT_EQ(seg->next_offset(), 90);
  EXPECT_GT(seg->offset_index_entries(), 0u);
  ASSERT_TRUE(seg->PersistIndexes(true).ok());
  auto rebuilt = *ReadFileToString(Env::Default(), idx_path, 1 << 20);
  EXPECT_TRUE(OffsetIndex::Decode(0, rebuilt, seg->size()).ok());

  // Missing index files.
  ASSERT_TRUE(Env::Default()->DeleteFile(idx_path).ok());
  ASSERT_TRUE(Env::Default()->DeleteFile(dir_.Sub(Segment::FileName(0, ".timeindex"))).ok());
  auto seg2 = Existing(0, 200);
  ASSERT_TRUE(seg2->Load(false).ok());
  EXPECT_EQ(seg2->next_offset(), 90);
  auto ts = seg2->MaxTimestamp();
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(ts->first, 1'700'000'000'000 + 29 * 10 + 2);
}

TEST_F(SegmentTest, IndexPointingAtWrongBatchIsRebuilt) {
  {
    auto seg = NewSegment(0, 200);
    ASSERT_TRUE(seg->CreateActive().ok());
    Append(*seg, 0, 30);
    ASSERT_TRUE(seg->PersistIndexes(true).ok());
  }
  std::string idx_path = dir_.Sub(Segment::FileName(0, ".index"));
  auto idx = *ReadFileToString(Env::Default(), idx_path, 1 << 20);
  idx[idx.size() - 5] ^= 1;  // last entry's relative offset
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), idx_path, idx).ok());
  auto seg = Existing(0, 200);
  ASSERT_TRUE(seg->Load(false).ok());
  auto r = seg->Read(45, 1000, 1 << 20, false);
  ASSERT_TRUE(r.ok() && r->has_value());
  auto h = kafka::ParseBatchHeader(ReadSlice(**r).data());
  EXPECT_EQ(h.base_offset, 45);
}

struct TailDamage {
  const char* name;
  std::function<void(std::string&)> damage;
  int survivors;  // of the 10 batches
};

TEST_F(SegmentTest, RecoveryCutsAtTheFirstBadByte) {
  const std::vector<TailDamage> cases = {
      {"torn mid-batch", [](std::string& f) { f.resize(f.size() - 20); }, 9},
      {"torn in header", [](std::string& f) { f.resize(f.size() - 200); }, 9},
      {"zeroed tail", [](std::string& f) { f.append(300, '\0'); }, 10},
      {"zeroed last batch", [](std::string& f) { std::fill(f.end() - 100, f.end(), '\0'); }, 9},
      {"garbage tail", [](std::string& f) { f.append("garbage garbage garbage garbage!!!"); }, 10},
      {"flipped byte", [](std::string& f) { f[f.size() - 30] ^= 0x40; }, 9},
      {"flipped byte mid-file", [](std::string& f) { f[f.size() / 2 + 50] ^= 0x01; }, 5},
      {"bad base offset mid-file", [](std::string& f) { f[f.size() / 2] ^= 0x01; }, 5},
  };
  for (const auto& c : cases) {
    testing::TempDir dir;
    auto ctx = SegmentContext::Make(Env::Default(), nullptr, 1 << 20);
    auto seg = std::make_shared<Segment>(ctx, dir.path(), 0, 0, 100);
    ASSERT_TRUE(seg->CreateActive().ok());
    std::vector<std::string> batches;
    for (int i = 0; i < 10; ++i) {
      std::string b = MakeBatch(i * 3, 3, 40);
      kafka::BatchHeader h = kafka::ParseBatchHeader(b.data());
      BatchInfo info{h.base_offset, h.last_offset(), h.max_timestamp, uint32_t(b.size())};
      ASSERT_TRUE(seg->Append(b, {&info, 1}, 1).ok());
      batches.push_back(b);
    }
    seg.reset();
    std::string path = dir.Sub(Segment::FileName(0, ".log"));
    std::string file = *ReadFileToString(Env::Default(), path, 1 << 20);
    c.damage(file);
    ASSERT_TRUE(WriteFileAtomically(Env::Default(), path, file).ok());

    auto again = std::make_shared<Segment>(ctx, dir.path(), 0, file.size(), 100);
    int seen = 0;
    auto cut = again->Recover(0, 0, [&](const kafka::BatchHeader&) { ++seen; });
    ASSERT_TRUE(cut.ok()) << c.name << ": " << cut.status();
    // Every surviving batch is one of the originals, whole.
    std::string after = *ReadFileToString(Env::Default(), path, 1 << 20);
    std::string expect;
    for (int i = 0; i < seen; ++i) expect += batches[i];
    EXPECT_EQ(after, expect) << c.name;
    EXPECT_EQ(seen, c.survivors) << c.name;
    EXPECT_EQ(again->next_offset(), seen * 3) << c.name;
    EXPECT_EQ(*cut, file.size() - after.size()) << c.name;
  }
}

TEST_F(SegmentTest, RecoveryRejectsOffsetsGoingBackwards) {
  auto seg = NewSegment(0);
  ASSERT_TRUE(seg->CreateActive().ok());
  Append(*seg, 0, 3);
  seg.reset();
  std::string bad = MakeBatch(2, 3, 40);  // overlaps the previous batch
  std::string path = dir_.Sub(Segment::FileName(0, ".log"));
  std::string file = *ReadFileToString(Env::Default(), path, 1 << 20);
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), path, file + bad).ok());
  auto again = Existing(0);
  auto cut = again->Recover(0, 0, nullptr);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(*cut, bad.size());
  EXPECT_EQ(again->next_offset(), 9);
}

TEST_F(SegmentTest, RecoveryTrustsWhatIsBelowTheRecoveryPoint) {
  auto seg = NewSegment(0, 100);
  ASSERT_TRUE(seg->CreateActive().ok());
  Append(*seg, 0, 20);
  ASSERT_TRUE(seg->PersistIndexes(true).ok());
  seg.reset();
  auto again = Existing(0, 100);
  int seen = 0;
  auto cut = again->Recover(45, 0, [&](const kafka::BatchHeader&) { ++seen; });
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(*cut, 0u);
  EXPECT_LT(seen, 20);  // started from an index entry below 45
  EXPECT_GE(seen, 5);
  EXPECT_EQ(again->next_offset(), 60);
}

TEST_F(SegmentTest, TruncateRemovesTheBatchHoldingTheOffsetAndAllAfter) {
  auto seg = NewSegment(0);
  ASSERT_TRUE(seg->CreateActive().ok());
  auto b = Append(*seg, 0, 10);
  auto removed = seg->TruncateTo(13);  // in batch 12..14
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 6 * b[0].size());
  EXPECT_EQ(seg->next_offset(), 12);
  EXPECT_EQ(seg->size(), 4 * b[0].size());
  // Exact boundary.
  ASSERT_TRUE(seg->TruncateTo(9).ok());
  EXPECT_EQ(seg->next_offset(), 9);
  // Past the end: nothing.
  EXPECT_EQ(*seg->TruncateTo(100), 0u);
  // Appending continues after the cut, and reads see the new data.
  Append(*seg, 9, 2);
  EXPECT_EQ(seg->next_offset(), 15);
  auto r = seg->Read(9, 1000, 1 << 20, false);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ(kafka::ParseBatchHeader(ReadSlice(**r).data()).base_offset, 9);
  // To the base: empty.
  ASSERT_TRUE(seg->TruncateTo(0).ok());
  EXPECT_EQ(seg->size(), 0u);
  EXPECT_EQ(seg->next_offset(), 0);
  EXPECT_EQ(seg->roll_base_ms(), -1);
}

TEST_F(SegmentTest, TruncatedIndexFilesAreRewrittenOnPersist) {
  auto seg = NewSegment(0, 100);
  ASSERT_TRUE(seg->CreateActive().ok());
  Append(*seg, 0, 30);
  ASSERT_TRUE(seg->PersistIndexes(true).ok());
  ASSERT_TRUE(seg->TruncateTo(30).ok());
  Append(*seg, 30, 5);
  ASSERT_TRUE(seg->PersistIndexes(true).ok());
  seg->MakeInactive();
  auto again = Existing(0, 100);
  ASSERT_TRUE(again->Load(false).ok());
  EXPECT_EQ(again->next_offset(), 45);
  EXPECT_EQ(again->offset_index_entries(), seg->offset_index_entries());
}

TEST_F(SegmentTest, FindsOffsetByTimestamp) {
  auto seg = NewSegment(0, 100);
  ASSERT_TRUE(seg->CreateActive().ok());
  const int64_t t0 = 1'700'000'000'000;
  Append(*seg, 0, 20, 3, t0);  // batch i: timestamps t0+10i .. t0+10i+2
  auto ts = seg->MaxTimestamp();
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(ts->first, t0 + 192);
  EXPECT_EQ(ts->second, 57);
  using TO = TimestampAndOffset;
  // Record j of batch i has offset 3i+j and timestamp t0+10i+j.
  EXPECT_EQ(*seg->FindOffsetByTimestamp(t0), (TO{t0, 0}));
  EXPECT_EQ(*seg->FindOffsetByTimestamp(t0 + 55), (TO{t0 + 60, 18}));
  EXPECT_EQ(*seg->FindOffsetByTimestamp(t0 + 51), (TO{t0 + 51, 16}));
  EXPECT_EQ(*seg->FindOffsetByTimestamp(t0 + 192), (TO{t0 + 192, 59}));
  EXPECT_FALSE(seg->FindOffsetByTimestamp(t0 + 193)->has_value());
  // Records below a minimum offset are skipped.
  EXPECT_EQ(*seg->FindOffsetByTimestamp(t0, 17), (TO{t0 + 52, 17}));
}

TEST_F(SegmentTest, CacheUnloadsInactiveSegmentsAndReadsReloadThem) {
  auto cache_ptr = std::make_shared<SegmentCache>(1);
  SegmentCache& cache = *cache_ptr;
  auto ctx = SegmentContext::Make(Env::Default(), cache_ptr, 1 << 20);
  std::vector<std::shared_ptr<Segment>> segs;
  for (int s = 0; s < 3; ++s) {
    auto seg = std::make_shared<Segment>(ctx, dir_.path(), s * 100, 0, 100);
    ASSERT_TRUE(seg->CreateActive().ok());
    Append(*seg, s * 100, 5);
    seg->MakeInactive();
    ASSERT_TRUE(seg->PersistIndexes(true).ok());
    segs.push_back(seg);
  }
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_FALSE(segs[0]->loaded());
  EXPECT_TRUE(segs[2]->loaded());
  auto r = segs[0]->Read(3, 1000, 1 << 20, false);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ(kafka::ParseBatchHeader(ReadSlice(**r).data()).base_offset, 3);
  EXPECT_TRUE(segs[0]->loaded());
  EXPECT_FALSE(segs[2]->loaded());
  // A reader's file survives the unload.
  auto r2 = segs[2]->Read(200, 1000, 1 << 20, false);
  ASSERT_TRUE(r2.ok() && r2->has_value());
  auto held = **r2;
  ASSERT_TRUE(segs[1]->Read(100, 1000, 100, true).ok());
  EXPECT_FALSE(segs[2]->loaded());
  EXPECT_EQ(ReadSlice(held).size(), held.length);
}

TEST_F(SegmentTest, DeletedSegmentKeepsServingHeldRegions) {
  auto seg = NewSegment(0);
  ASSERT_TRUE(seg->CreateActive().ok());
  auto b = Append(*seg, 0, 3);
  auto r = seg->Read(0, 1000, 1 << 20, false);
  ASSERT_TRUE(r.ok() && r->has_value());
  SegmentSlice held = **r;
  seg->MakeInactive();
  ASSERT_TRUE(seg->RenameForDeletion().ok());
  ASSERT_TRUE(seg->DeleteRenamedFiles().ok());
  EXPECT_FALSE(Env::Default()->FileExists(dir_.Sub(Segment::FileName(0, ".log"))));
  EXPECT_EQ(ReadSlice(held), b[0] + b[1] + b[2]);
}

}  // namespace
}  // namespace gregor::storage
