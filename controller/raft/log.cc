#include "controller/raft/log.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace gregor::controller::raft {

RaftLog::RaftLog(const Storage* storage) : storage_(storage) {
  unstable_offset_ = storage_->LastIndex() + 1;
  // The state machine restarts from the stored snapshot, which may be newer
  // than the compaction point (entries before it can be kept for followers).
  applied_ = LogIndex(storage_->Snapshot()->metadata().index());
  CHECK_GE(applied_ + 1, storage_->FirstIndex()) << "log compacted beyond the stored snapshot";
  committed_ = std::max(storage_->InitialHardState().commit, applied_);
  CHECK_LE(committed_, LastIndex()) << "stored commit index beyond the stored log";
}

LogIndex RaftLog::FirstIndex() const {
  if (unstable_snapshot_) return LogIndex(unstable_snapshot_->metadata().index() + 1);
  return storage_->FirstIndex();
}

LogIndex RaftLog::LastIndex() const {
  if (!unstable_.empty()) return unstable_offset_ + (unstable_.size() - 1);
  if (unstable_snapshot_) return LogIndex(unstable_snapshot_->metadata().index());
  return storage_->LastIndex();
}

Term RaftLog::LastTerm() const {
  std::optional<Term> t = TermAt(LastIndex());
  CHECK(t.has_value()) << "no term for last index " << LastIndex();
  return *t;
}

std::optional<Term> RaftLog::UnstableTerm(LogIndex i) const {
  if (i < unstable_offset_) {
    if (unstable_snapshot_ && LogIndex(unstable_snapshot_->metadata().index()) == i) {
      return Term(unstable_snapshot_->metadata().term());
    }
    return std::nullopt;
  }
  size_t k = static_cast<size_t>(i - unstable_offset_);
  if (k >= unstable_.size()) return std::nullopt;
  return TermOf(unstable_[k]);
}

std::optional<Term> RaftLog::TermAt(LogIndex i) const {
  if (i + 1 < FirstIndex() || i > LastIndex()) return std::nullopt;
  if (std::optional<Term> t = UnstableTerm(i)) return t;
  absl::StatusOr<Term> t = storage_->TermAt(i);
  if (!t.ok()) return std::nullopt;
  return *t;
}

bool RaftLog::MatchTerm(LogIndex i, Term t) const {
  std::optional<Term> have = TermAt(i);
  return have.has_value() && *have == t;
}

bool RaftLog::IsUpToDate(LogIndex last_index, Term last_term) const {
  Term my_term = LastTerm();
  return last_term > my_term || (last_term == my_term && last_index >= LastIndex());
}

absl::StatusOr<std::vector<raftpb::Entry>> RaftLog::EntriesFrom(LogIndex lo,
                                                                size_t max_bytes) const {
  CHECK_LE(lo, LastIndex() + 1);
  if (lo > LastIndex()) return std::vector<raftpb::Entry>{};
  return Slice(lo, LastIndex() + 1, max_bytes);
}

absl::StatusOr<std::vector<raftpb::Entry>> RaftLog::Slice(LogIndex lo, LogIndex hi,
                                                          size_t max_bytes) const {
  CHECK_LE(hi, LastIndex() + 1) << "slice [" << lo << ", " << hi << ")";
  std::vector<raftpb::Entry> out;
  if (lo >= hi) return out;
  if (lo < FirstIndex()) {
    return absl::OutOfRangeError(absl::StrCat("index ", lo.value(), " compacted (first ",
                                              FirstIndex().value(), ")"));
  }
  size_t bytes = 0;
  if (lo < unstable_offset_) {
    LogIndex stable_hi = std::min(hi, unstable_offset_);
    absl::StatusOr<std::vector<raftpb::Entry>> stored = storage_->Entries(lo, stable_hi, max_bytes);
    if (!stored.ok()) return stored.status();
    for (const raftpb::Entry& e : *stored) bytes += EntryBytes(e);
    out = std::move(*stored);
    if (LogIndex(lo.value() + out.size()) < stable_hi) return out;  // hit the byte limit
  }
  for (LogIndex i = std::max(lo, unstable_offset_); i < hi; ++i) {
    const raftpb::Entry& e = unstable_[i - unstable_offset_];
    bytes += EntryBytes(e);
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

LogIndex RaftLog::FindConflict(const std::vector<raftpb::Entry>& entries) const {
  for (const raftpb::Entry& e : entries) {
    if (!MatchTerm(IndexOf(e), TermOf(e))) return IndexOf(e);
  }
  return LogIndex(0);
}

std::optional<LogIndex> RaftLog::MaybeAppend(LogIndex prev_index, Term prev_term, LogIndex commit,
                                             const std::vector<raftpb::Entry>& entries) {
  if (!MatchTerm(prev_index, prev_term)) return std::nullopt;
  LogIndex last_new = prev_index + entries.size();
  LogIndex conflict = FindConflict(entries);
  if (conflict != LogIndex(0)) {
    CHECK_GT(conflict, committed_) << "entry " << conflict << " conflicts with a committed entry"
                                   << " (committed " << committed_ << ", prev " << prev_index
                                   << ")";
    size_t from = static_cast<size_t>(conflict - (prev_index + 1));
    Append(std::vector<raftpb::Entry>(entries.begin() + from, entries.end()));
  }
  CommitTo(std::min(commit, last_new));
  return last_new;
}

LogIndex RaftLog::Append(std::vector<raftpb::Entry> entries) {
  if (entries.empty()) return LastIndex();
  LogIndex after(entries.front().index());
  CHECK_GT(after, committed_) << "append would overwrite committed entries";
  CHECK_LE(after, LastIndex() + 1) << "append leaves a gap";
  if (after == unstable_offset_ + unstable_.size()) {
    for (raftpb::Entry& e : entries) unstable_.push_back(std::move(e));
  } else if (after <= unstable_offset_) {
    // Replaces the unstable tail and (once persisted) stored entries >= after.
    unstable_offset_ = after;
    unstable_ = std::move(entries);
  } else {
    unstable_.resize(static_cast<size_t>(after - unstable_offset_));
    for (raftpb::Entry& e : entries) unstable_.push_back(std::move(e));
  }
  return LastIndex();
}

std::pair<LogIndex, Term> RaftLog::FindConflictByTerm(LogIndex index, Term term) const {
  LogIndex i = std::min(index, LastIndex());
  while (true) {
    std::optional<Term> t = TermAt(i);
    if (!t.has_value()) return {i, Term(0)};
    if (*t <= term) return {i, *t};
    CHECK_GT(i, LogIndex(0));
    i = i - 1;
  }
}

void RaftLog::CommitTo(LogIndex to) {
  if (to <= committed_) return;
  CHECK_LE(to, LastIndex()) << "commit index beyond the last index";
  committed_ = to;
}

bool RaftLog::MaybeCommit(LogIndex to, Term term) {
  if (to <= committed_) return false;
  std::optional<Term> t = TermAt(to);
  if (!t.has_value() || *t != term) return false;
  CommitTo(to);
  return true;
}

void RaftLog::AppliedTo(LogIndex to) {
  if (to <= applied_) return;
  CHECK_LE(to, committed_) << "applying beyond the commit index (applied " << applied_ << ")";
  applied_ = to;
}

void RaftLog::Restore(raftpb::Snapshot snapshot) {
  LogIndex index(snapshot.metadata().index());
  CHECK_GT(index, committed_) << "restoring a snapshot that is not newer than the commit index";
  committed_ = index;
  unstable_.clear();
  unstable_offset_ = index + 1;
  unstable_snapshot_ = std::move(snapshot);
}

bool RaftLog::HasNextCommittedEntries() const {
  LogIndex start = std::max(applied_ + 1, FirstIndex());
  return committed_ >= start;
}

std::vector<raftpb::Entry> RaftLog::NextCommittedEntries(size_t max_bytes) const {
  LogIndex start = std::max(applied_ + 1, FirstIndex());
  if (committed_ < start) return {};
  absl::StatusOr<std::vector<raftpb::Entry>> ents = Slice(start, committed_ + 1, max_bytes);
  CHECK(ents.ok()) << "committed entries [" << start << ", " << committed_
                   << "] unreadable: " << ents.status();
  return std::move(*ents);
}

void RaftLog::StableTo(LogIndex index, Term term) {
  std::optional<Term> t = UnstableTerm(index);
  if (!t.has_value() || *t != term || index < unstable_offset_) return;
  size_t n = static_cast<size_t>(index - unstable_offset_) + 1;
  unstable_.erase(unstable_.begin(), unstable_.begin() + n);
  unstable_offset_ = index + 1;
}

void RaftLog::StableSnapTo(LogIndex index) {
  if (unstable_snapshot_ && LogIndex(unstable_snapshot_->metadata().index()) == index) {
    unstable_snapshot_.reset();
  }
}

LogIndex RaftLog::StableLastIndex() const {
  if (unstable_snapshot_) return LogIndex(0);
  return unstable_offset_ - 1;
}

}  // namespace gregor::controller::raft
