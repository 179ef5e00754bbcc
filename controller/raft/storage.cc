#include "controller/raft/storage.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace gregor::controller::raft {

MemoryStorage::MemoryStorage(std::vector<NodeId> voters) {
  ents_.resize(1);  // dummy at index 0, term 0
  auto snap = std::make_shared<raftpb::Snapshot>();
  for (NodeId v : voters) snap->mutable_metadata()->mutable_conf_state()->add_voters(v.value());
  snapshot_ = std::move(snap);
}

HardState MemoryStorage::InitialHardState() const {
  absl::ReaderMutexLock l(&mu_);
  return hard_state_;
}

LogIndex MemoryStorage::FirstIndex() const {
  absl::ReaderMutexLock l(&mu_);
  return OffsetLocked() + 1;
}

LogIndex MemoryStorage::LastIndex() const {
  absl::ReaderMutexLock l(&mu_);
  return LastIndexLocked();
}

absl::StatusOr<Term> MemoryStorage::TermAt(LogIndex i) const {
  absl::ReaderMutexLock l(&mu_);
  LogIndex offset = OffsetLocked();
  if (i < offset) return absl::OutOfRangeError(absl::StrCat("index ", i.value(), " compacted"));
  if (i > LastIndexLocked()) {
    return absl::NotFoundError(absl::StrCat("index ", i.value(), " after last ",
                                            LastIndexLocked().value()));
  }
  return Term(ents_[i - offset].term());
}

absl::StatusOr<std::vector<raftpb::Entry>> MemoryStorage::Entries(LogIndex lo, LogIndex hi,
                                                                  size_t max_bytes) const {
  CHECK_LT(lo, hi);
  absl::ReaderMutexLock l(&mu_);
  LogIndex offset = OffsetLocked();
  if (lo <= offset) return absl::OutOfRangeError(absl::StrCat("index ", lo.value(), " compacted"));
  if (hi > LastIndexLocked() + 1) {
    return absl::NotFoundError(absl::StrCat("entries up to ", hi.value() - 1, " requested, last is ",
                                            LastIndexLocked().value()));
  }
  std::vector<raftpb::Entry> out;
  size_t bytes = 0;
  for (LogIndex i = lo; i < hi; ++i) {
    const raftpb::Entry& e = ents_[i - offset];
    bytes += EntryBytes(e);
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

std::shared_ptr<const raftpb::Snapshot> MemoryStorage::Snapshot() const {
  absl::ReaderMutexLock l(&mu_);
  return snapshot_;
}

void MemoryStorage::SetHardState(const HardState& hs) {
  absl::MutexLock l(&mu_);
  hard_state_ = hs;
}

absl::Status MemoryStorage::Append(const std::vector<raftpb::Entry>& entries) {
  if (entries.empty()) return absl::OkStatus();
  for (size_t k = 1; k < entries.size(); ++k) {
    if (entries[k].index() != entries[k - 1].index() + 1) {
      return absl::InvalidArgumentError(absl::StrCat("entries not contiguous at ",
                                                     entries[k - 1].index(), " -> ",
                                                     entries[k].index()));
    }
  }
  absl::MutexLock l(&mu_);
  LogIndex offset = OffsetLocked();
  LogIndex first(entries.front().index());
  LogIndex last(entries.back().index());
  if (last <= offset) return absl::OkStatus();  // all compacted already
  if (first > LastIndexLocked() + 1) {
    return absl::InvalidArgumentError(absl::StrCat("gap: appending ", first.value(), " after last ",
                                                   LastIndexLocked().value()));
  }
  size_t skip = first <= offset ? static_cast<size_t>(offset - first) + 1 : 0;
  LogIndex start = first + skip;
  // Truncate the stored tail at `start`.
  size_t keep = static_cast<size_t>(start - offset);
  for (size_t k = keep; k < ents_.size(); ++k) log_bytes_ -= EntryBytes(ents_[k]);
  ents_.resize(keep);
  for (size_t k = skip; k < entries.size(); ++k) {
    ents_.push_back(entries[k]);
    log_bytes_ += EntryBytes(entries[k]);
  }
  return absl::OkStatus();
}

absl::Status MemoryStorage::ApplySnapshot(raftpb::Snapshot snapshot) {
  absl::MutexLock l(&mu_);
  if (snapshot.metadata().index() < snapshot_->metadata().index()) {
    return absl::FailedPreconditionError(absl::StrCat("snapshot at ", snapshot.metadata().index(),
                                                      " older than stored ",
                                                      snapshot_->metadata().index()));
  }
  ents_.clear();
  ents_.resize(1);
  ents_[0].set_index(snapshot.metadata().index());
  ents_[0].set_term(snapshot.metadata().term());
  log_bytes_ = 0;
  snapshot_ = std::make_shared<raftpb::Snapshot>(std::move(snapshot));
  return absl::OkStatus();
}

absl::Status MemoryStorage::CreateSnapshot(LogIndex index, std::string data, LogIndex compact_to) {
  CHECK_LE(compact_to, index) << "compaction must be covered by the snapshot";
  absl::MutexLock l(&mu_);
  LogIndex offset = OffsetLocked();
  if (index <= LogIndex(snapshot_->metadata().index())) {
    return absl::FailedPreconditionError(absl::StrCat("snapshot at ", index.value(),
                                                      " not newer than ",
                                                      snapshot_->metadata().index()));
  }
  if (index > LastIndexLocked() || index < offset) {
    return absl::OutOfRangeError(absl::StrCat("snapshot index ", index.value(), " not in log [",
                                              offset.value(), ", ", LastIndexLocked().value(), "]"));
  }
  auto snap = std::make_shared<raftpb::Snapshot>();
  snap->mutable_metadata()->set_index(index.value());
  snap->mutable_metadata()->set_term(ents_[index - offset].term());
  *snap->mutable_metadata()->mutable_conf_state() = snapshot_->metadata().conf_state();
  snap->set_data(std::move(data));
  snapshot_ = std::move(snap);
  if (compact_to > offset) CompactLocked(compact_to);
  return absl::OkStatus();
}

absl::Status MemoryStorage::Load(const HardState& hs, raftpb::Snapshot snapshot,
                                 LogIndex start_index, Term start_term,
                                 std::vector<raftpb::Entry> entries) {
  LogIndex last = start_index + entries.size();
  for (size_t k = 0; k < entries.size(); ++k) {
    if (entries[k].index() != start_index.value() + 1 + k) {
      return absl::DataLossError(absl::StrCat("entry ", entries[k].index(), " out of place"));
    }
  }
  LogIndex snap(snapshot.metadata().index());
  if (snap < start_index || snap > last || hs.commit > last) {
    return absl::DataLossError(absl::StrCat("snapshot ", snap.value(), ", commit ",
                                            hs.commit.value(), " and log (", start_index.value(),
                                            ", ", last.value(), "] do not fit together"));
  }
  absl::MutexLock l(&mu_);
  if (snapshot.metadata().conf_state().voters_size() == 0) {
    *snapshot.mutable_metadata()->mutable_conf_state() = snapshot_->metadata().conf_state();
  }
  ents_.clear();
  ents_.resize(1);
  ents_[0].set_index(start_index.value());
  ents_[0].set_term(start_term.value());
  log_bytes_ = 0;
  for (raftpb::Entry& e : entries) {
    log_bytes_ += EntryBytes(e);
    ents_.push_back(std::move(e));
  }
  snapshot_ = std::make_shared<raftpb::Snapshot>(std::move(snapshot));
  hard_state_ = hs;
  return absl::OkStatus();
}

void MemoryStorage::CompactLocked(LogIndex to) {
  LogIndex offset = OffsetLocked();
  CHECK_LE(to, LastIndexLocked());
  size_t n = static_cast<size_t>(to - offset);
  for (size_t k = 1; k <= n; ++k) log_bytes_ -= EntryBytes(ents_[k]);
  raftpb::Entry dummy;
  dummy.set_index(ents_[n].index());
  dummy.set_term(ents_[n].term());
  ents_.erase(ents_.begin(), ents_.begin() + n);
  ents_[0] = std::move(dummy);
}

size_t MemoryStorage::LogBytes() const {
  absl::ReaderMutexLock l(&mu_);
  return log_bytes_;
}

}  // namespace gregor::controller::raft
