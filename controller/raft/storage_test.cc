// MemoryStorage: append with truncation, snapshots and compaction.
#include "controller/raft/storage.h"

#include <vector>

#include "gtest/gtest.h"

namespace gregor::controller::raft {
namespace {

std::vector<raftpb::Entry> Es(std::vector<std::pair<uint64_t, uint64_t>> it) {
  std::vector<raftpb::Entry> out;
  for (auto [i, t] : it) {
    raftpb::Entry e;
    e.set_index(i);
    e.set_term(t);
    e.set_data("d");
    out.push_back(e);
  }
  return out;
}

TEST(MemoryStorageTest, AppendReplacesTheTailFromTheFirstNewIndex) {
  MemoryStorage s({NodeId(1)});
  ASSERT_TRUE(s.Append(Es({{1, 1}, {2, 1}, {3, 1}})).ok());
  ASSERT_TRUE(s.Append(Es({{2, 2}})).ok());
  EXPECT_EQ(s.LastIndex(), LogIndex(2));
  EXPECT_EQ(*s.TermAt(LogIndex(2)), Term(2));
  EXPECT_EQ(s.LogBytes(), 2 * EntryBytes(Es({{1, 1}})[0]));
}

TEST(MemoryStorageTest, AppendWithGapOrHolesIsRefused) {
  MemoryStorage s({NodeId(1)});
  EXPECT_EQ(s.Append(Es({{2, 1}})).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Append(Es({{1, 1}, {3, 1}})).code(), absl::StatusCode::kInvalidArgument);
}

TEST(MemoryStorageTest, ReadsReportCompactedAndMissingIndexes) {
  MemoryStorage s({NodeId(1)});
  ASSERT_TRUE(s.Append(Es({{1, 1}, {2, 1}, {3, 2}, {4, 2}})).ok());
  ASSERT_TRUE(s.CreateSnapshot(LogIndex(3), "state", LogIndex(2)).ok());
  EXPECT_EQ(s.FirstIndex(), LogIndex(3));
  EXPECT_EQ(*s.TermAt(LogIndex(2)), Term(1));
  EXPECT_EQ(s.TermAt(LogIndex(1)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(s.TermAt(LogIndex(5)).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.Entries(LogIndex(2), LogIndex(4), 100).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(s.Entries(LogIndex(3), LogIndex(6), 100).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(s.Snapshot()->metadata().index(), 3u);
  EXPECT_EQ(s.Snapshot()->metadata().term(), 2u);
  EXPECT_EQ(s.Snapshot()->metadata().conf_state().voters_size(), 1);
}

TEST(MemoryStorageTest, SnapshotMustMoveForward) {
  MemoryStorage s({NodeId(1)});
  ASSERT_TRUE(s.Append(Es({{1, 1}, {2, 1}})).ok());
  ASSERT_TRUE(s.CreateSnapshot(LogIndex(2), "a", LogIndex(0)).ok());
  EXPECT_EQ(s.CreateSnapshot(LogIndex(1), "b", LogIndex(0)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.CreateSnapshot(LogIndex(3), "b", LogIndex(0)).code(), absl::StatusCode::kOutOfRange);
}

TEST(MemoryStorageTest, ApplySnapshotReplacesTheLog) {
  MemoryStorage s({NodeId(1)});
  ASSERT_TRUE(s.Append(Es({{1, 1}, {2, 1}})).ok());
  raftpb::Snapshot snap;
  snap.mutable_metadata()->set_index(10);
  snap.mutable_metadata()->set_term(4);
  snap.set_data("x");
  ASSERT_TRUE(s.ApplySnapshot(snap).ok());
  EXPECT_EQ(s.FirstIndex(), LogIndex(11));
  EXPECT_EQ(s.LastIndex(), LogIndex(10));
  EXPECT_EQ(*s.TermAt(LogIndex(10)), Term(4));
  EXPECT_EQ(s.LogBytes(), 0u);
  // Entries at or below the snapshot are skipped on append.
  ASSERT_TRUE(s.Append(Es({{9, 4}, {10, 4}, {11, 4}})).ok());
  EXPECT_EQ(s.LastIndex(), LogIndex(11));
  snap.mutable_metadata()->set_index(5);
  EXPECT_EQ(s.ApplySnapshot(snap).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(MemoryStorageTest, EntriesReturnAtLeastOneWithinByteLimit) {
  MemoryStorage s({NodeId(1)});
  ASSERT_TRUE(s.Append(Es({{1, 1}, {2, 1}, {3, 1}})).ok());
  EXPECT_EQ(s.Entries(LogIndex(1), LogIndex(4), 0)->size(), 1u);
  EXPECT_EQ(s.Entries(LogIndex(1), LogIndex(4), 1000)->size(), 3u);
}

}  // namespace
}  // namespace gregor::controller::raft
