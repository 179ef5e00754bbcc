// RaftLog: the stable + unstable view, append/truncate, commit rules.
#include "controller/raft/log.h"

#include <vector>

#include "gtest/gtest.h"

namespace gregor::controller::raft {
namespace {

raftpb::Entry E(uint64_t index, uint64_t term) {
  raftpb::Entry e;
  e.set_index(index);
  e.set_term(term);
  return e;
}

std::vector<raftpb::Entry> Es(std::vector<std::pair<uint64_t, uint64_t>> it) {
  std::vector<raftpb::Entry> out;
  for (auto [i, t] : it) out.push_back(E(i, t));
  return out;
}

class LogTest : public ::testing::Test {
 protected:
  MemoryStorage storage_{{NodeId(1)}};
};

TEST_F(LogTest, EmptyLogStartsAtIndexOne) {
  RaftLog log(&storage_);
  EXPECT_EQ(log.FirstIndex(), LogIndex(1));
  EXPECT_EQ(log.LastIndex(), LogIndex(0));
  EXPECT_EQ(log.LastTerm(), Term(0));
  EXPECT_EQ(log.TermAt(LogIndex(0)), Term(0));
  EXPECT_FALSE(log.TermAt(LogIndex(1)).has_value());
}

TEST_F(LogTest, UnstableEntriesAreVisibleAndBecomeStable) {
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 1}})).ok());
  RaftLog log(&storage_);
  log.Append(Es({{3, 2}, {4, 2}}));
  EXPECT_EQ(log.LastIndex(), LogIndex(4));
  EXPECT_EQ(log.TermAt(LogIndex(3)), Term(2));
  EXPECT_EQ(log.unstable_entries().size(), 2u);
  EXPECT_EQ(log.StableLastIndex(), LogIndex(2));
  ASSERT_TRUE(storage_.Append(log.unstable_entries()).ok());
  log.StableTo(LogIndex(4), Term(2));
  EXPECT_TRUE(log.unstable_entries().empty());
  EXPECT_EQ(log.StableLastIndex(), LogIndex(4));
  EXPECT_EQ(log.LastIndex(), LogIndex(4));
}

TEST_F(LogTest, StableToWithStaleTermIsIgnored) {
  RaftLog log(&storage_);
  log.Append(Es({{1, 1}, {2, 1}}));
  log.Append(Es({{2, 2}}));  // truncated and replaced before persisting
  log.StableTo(LogIndex(2), Term(1));
  EXPECT_EQ(log.unstable_entries().size(), 2u);
}

TEST_F(LogTest, MaybeAppendTruncatesConflictingSuffix) {
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 1}, {3, 1}, {4, 1}})).ok());
  RaftLog log(&storage_);
  std::optional<LogIndex> last = log.MaybeAppend(LogIndex(2), Term(1), LogIndex(2),
                                                 Es({{3, 2}}));
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last, LogIndex(3));
  EXPECT_EQ(log.LastIndex(), LogIndex(3));
  EXPECT_EQ(log.TermAt(LogIndex(3)), Term(2));
  EXPECT_EQ(log.committed(), LogIndex(2));
}

TEST_F(LogTest, MaybeAppendKeepsMatchingEntriesAfterAShortAppend) {
  // An old, shorter append must not truncate entries that match (§3.5: the
  // follower deletes only on conflict).
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 1}, {3, 1}})).ok());
  RaftLog log(&storage_);
  ASSERT_TRUE(log.MaybeAppend(LogIndex(1), Term(1), LogIndex(0), Es({{2, 1}})).has_value());
  EXPECT_EQ(log.LastIndex(), LogIndex(3));
}

TEST_F(LogTest, MaybeAppendRejectsMismatchingPrevious) {
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 1}})).ok());
  RaftLog log(&storage_);
  EXPECT_FALSE(log.MaybeAppend(LogIndex(2), Term(2), LogIndex(0), Es({{3, 2}})).has_value());
  EXPECT_FALSE(log.MaybeAppend(LogIndex(5), Term(1), LogIndex(0), {}).has_value());
}

TEST_F(LogTest, CommitIsCappedByTheLastNewEntry) {
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 1}, {3, 5}})).ok());
  RaftLog log(&storage_);
  // The leader committed 10, but only 2 is known to match it.
  ASSERT_TRUE(log.MaybeAppend(LogIndex(1), Term(1), LogIndex(10), Es({{2, 1}})).has_value());
  EXPECT_EQ(log.committed(), LogIndex(2));
}

TEST_F(LogTest, OverwritingACommittedEntryIsABug) {
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 1}})).ok());
  RaftLog log(&storage_);
  log.CommitTo(LogIndex(2));
  EXPECT_DEATH(log.MaybeAppend(LogIndex(1), Term(1), LogIndex(2), Es({{2, 2}})),
               "conflicts with a committed entry");
}

TEST_F(LogTest, CommitBeyondLastIndexIsABug) {
  RaftLog log(&storage_);
  EXPECT_DEATH(log.CommitTo(LogIndex(3)), "commit index beyond the last index");
}

TEST_F(LogTest, MaybeCommitRequiresTheGivenTerm) {
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 2}})).ok());
  RaftLog log(&storage_);
  EXPECT_FALSE(log.MaybeCommit(LogIndex(2), Term(3)));
  EXPECT_TRUE(log.MaybeCommit(LogIndex(2), Term(2)));
  EXPECT_EQ(log.committed(), LogIndex(2));
}

TEST_F(LogTest, IsUpToDateComparesLastTermThenLength) {
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 2}, {3, 2}})).ok());
  RaftLog log(&storage_);
  EXPECT_TRUE(log.IsUpToDate(LogIndex(1), Term(3)));
  EXPECT_TRUE(log.IsUpToDate(LogIndex(3), Term(2)));
  EXPECT_TRUE(log.IsUpToDate(LogIndex(4), Term(2)));
  EXPECT_FALSE(log.IsUpToDate(LogIndex(2), Term(2)));
  EXPECT_FALSE(log.IsUpToDate(LogIndex(9), Term(1)));
}

TEST_F(LogTest, FindConflictByTermSkipsHigherTerms) {
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 1}, {3, 4}, {4, 4}, {5, 5}})).ok());
  RaftLog log(&storage_);
  EXPECT_EQ(log.FindConflictByTerm(LogIndex(5), Term(3)), std::make_pair(LogIndex(2), Term(1)));
  EXPECT_EQ(log.FindConflictByTerm(LogIndex(5), Term(4)), std::make_pair(LogIndex(4), Term(4)));
  EXPECT_EQ(log.FindConflictByTerm(LogIndex(9), Term(9)), std::make_pair(LogIndex(5), Term(5)));
}

TEST_F(LogTest, EntriesSpanStorageAndUnstableWithinByteLimit) {
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 1}})).ok());
  RaftLog log(&storage_);
  log.Append(Es({{3, 1}, {4, 1}}));
  absl::StatusOr<std::vector<raftpb::Entry>> all = log.EntriesFrom(LogIndex(1), 1 << 20);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 4u);
  absl::StatusOr<std::vector<raftpb::Entry>> two = log.EntriesFrom(LogIndex(2), 2 * 24);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);
  absl::StatusOr<std::vector<raftpb::Entry>> one = log.EntriesFrom(LogIndex(1), 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u) << "at least one entry";
}

TEST_F(LogTest, CompactedEntriesAreOutOfRange) {
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 1}, {3, 1}})).ok());
  ASSERT_TRUE(storage_.CreateSnapshot(LogIndex(2), "s", LogIndex(2)).ok());
  RaftLog log(&storage_);
  EXPECT_EQ(log.FirstIndex(), LogIndex(3));
  EXPECT_EQ(log.TermAt(LogIndex(2)), Term(1));
  EXPECT_FALSE(log.TermAt(LogIndex(1)).has_value());
  EXPECT_EQ(log.EntriesFrom(LogIndex(1), 100).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(log.applied(), LogIndex(2));
}

TEST_F(LogTest, RestartedLogResumesApplyingAfterTheSnapshotNotTheCompactionPoint) {
  // Found by the simulation: entries kept behind a snapshot for slow
  // followers were applied a second time on restart.
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}})).ok());
  storage_.SetHardState(HardState{Term(1), kNoNode, LogIndex(5)});
  ASSERT_TRUE(storage_.CreateSnapshot(LogIndex(4), "s", /*compact_to=*/LogIndex(2)).ok());
  RaftLog log(&storage_);
  EXPECT_EQ(log.FirstIndex(), LogIndex(3));
  EXPECT_EQ(log.applied(), LogIndex(4));
  std::vector<raftpb::Entry> next = log.NextCommittedEntries(1 << 20);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].index(), 5u);
}

TEST_F(LogTest, RestoreReplacesTheLogWithASnapshot) {
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 1}})).ok());
  RaftLog log(&storage_);
  raftpb::Snapshot snap;
  snap.mutable_metadata()->set_index(10);
  snap.mutable_metadata()->set_term(3);
  log.Restore(snap);
  EXPECT_EQ(log.FirstIndex(), LogIndex(11));
  EXPECT_EQ(log.LastIndex(), LogIndex(10));
  EXPECT_EQ(log.LastTerm(), Term(3));
  EXPECT_EQ(log.committed(), LogIndex(10));
  EXPECT_EQ(log.StableLastIndex(), LogIndex(0));
  EXPECT_FALSE(log.HasNextCommittedEntries());
  log.Append(Es({{11, 3}}));
  EXPECT_EQ(log.LastIndex(), LogIndex(11));
}

TEST_F(LogTest, NextCommittedEntriesAreBoundedAndStartAfterApplied) {
  ASSERT_TRUE(storage_.Append(Es({{1, 1}, {2, 1}, {3, 1}})).ok());
  RaftLog log(&storage_);
  log.CommitTo(LogIndex(3));
  EXPECT_EQ(log.NextCommittedEntries(1).size(), 1u);
  EXPECT_EQ(log.NextCommittedEntries(1 << 20).size(), 3u);
  log.AppliedTo(LogIndex(2));
  std::vector<raftpb::Entry> next = log.NextCommittedEntries(1 << 20);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].index(), 3u);
}

}  // namespace
}  // namespace gregor::controller::raft
