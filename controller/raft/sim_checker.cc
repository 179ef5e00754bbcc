#include "controller/raft/sim_checker.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gregor::controller::raft::sim {

namespace {

uint64_t Fnv1a(uint64_t h, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001B3ull;
  }
  return h;
}

void Grow(std::vector<uint64_t>& v, LogIndex index) {
  if (v.size() <= index.value()) v.resize(index.value() + 1, 0);
}

}  // namespace

uint64_t ContentHash(const raftpb::Entry& e) {
  uint64_t h = 0xCBF29CE484222325ull;
  int type = e.type();
  h = Fnv1a(h, &type, sizeof(type));
  h = Fnv1a(h, e.data().data(), e.data().size());
  return h | 1;  // never 0 ("unknown")
}

SimChecker::SimChecker(int nodes) : quorum_(nodes / 2 + 1), nodes_(nodes + 1) {}

void SimChecker::Fail(std::string what) {
  if (failure_.empty()) failure_ = std::move(what);
}

void SimChecker::CheckNode(int id, const Raft* raft) {
  NodeView& view = nodes_[id];
  if (raft == nullptr) {
    view.role = Role::kFollower;
    return;
  }
  max_term_ = std::max(max_term_, raft->term().value());
  if (raft->role() == Role::kLeader) {
    auto [it, inserted] = leaders_.emplace(raft->term().value(), id);
    if (!inserted && it->second != id) {
      Fail(absl::StrCat("election safety: nodes ", it->second, " and ", id,
                        " are both leaders of term ", raft->term().value()));
    }
    if (view.role != Role::kLeader || view.term != raft->term()) {
      CheckLeaderCompleteness(id, *raft);
    }
  }
  view.role = raft->role();
  view.term = raft->term();

  const RaftLog& log = raft->log();
  for (const raftpb::Entry& e : log.unstable_entries()) {
    CheckEntry(id, e, log.TermAt(IndexOf(e) - 1));
  }
  if (log.committed() > view.commit_seen) {
    for (LogIndex i = view.commit_seen + 1; i <= log.committed(); ++i) {
      if (std::optional<Term> t = log.TermAt(i)) RecordCommitted(id, i, *t);
    }
    view.commit_seen = log.committed();
  }
  if (log.applied() > log.committed() || log.committed() > log.LastIndex()) {
    Fail(absl::StrCat("node ", id, ": applied ", log.applied().value(), " / committed ",
                      log.committed().value(), " / last ", log.LastIndex().value(),
                      " out of order"));
  }
}

void SimChecker::OnRestart(int id) {
  NodeView& view = nodes_[id];
  view.role = Role::kFollower;
  view.commit_seen = LogIndex(0);
}

void SimChecker::CheckEntry(int id, const raftpb::Entry& e, std::optional<Term> prev_term) {
  uint64_t content = ContentHash(e);
  uint64_t prev = prev_term ? prev_term->value() : 0;
  auto& at_index = entries_[e.index()];
  auto [it, inserted] = at_index.emplace(e.term(), EntryRecord{content, prev});
  if (inserted) return;
  EntryRecord& rec = it->second;
  if (rec.content != content) {
    Fail(absl::StrCat("log matching: node ", id, " holds a different entry at index ", e.index(),
                      " term ", e.term()));
  }
  if (prev != 0 && rec.prev_term != 0 && prev != rec.prev_term) {
    Fail(absl::StrCat("log matching: node ", id, " has entry ", e.index(), "/", e.term(),
                      " after term ", prev, " but it was created after term ", rec.prev_term));
  }
  if (rec.prev_term == 0) rec.prev_term = prev;
}

void SimChecker::RecordCommitted(int id, LogIndex index, Term term) {
  Grow(committed_terms_, index);
  uint64_t& known = committed_terms_[index.value()];
  if (known == 0) {
    known = term.value();
  } else if (known != term.value()) {
    Fail(absl::StrCat("state machine safety: node ", id, " considers ", index.value(), "/",
                      term.value(), " committed, but ", index.value(), "/", known,
                      " was committed before"));
  }
  max_committed_ = std::max(max_committed_, index);
}

void SimChecker::CheckLeaderCompleteness(int id, const Raft& raft) {
  const RaftLog& log = raft.log();
  if (log.LastIndex() < max_committed_) {
    Fail(absl::StrCat("leader completeness: node ", id, " became leader of term ",
                      raft.term().value(), " with last index ", log.LastIndex().value(),
                      " < committed ", max_committed_.value()));
    return;
  }
  LogIndex from = log.FirstIndex() - 1;
  for (LogIndex i = std::max(from, LogIndex(1)); i <= max_committed_; ++i) {
    uint64_t want = i.value() < committed_terms_.size() ? committed_terms_[i.value()] : 0;
    if (want == 0) continue;
    std::optional<Term> have = log.TermAt(i);
    if (!have || have->value() != want) {
      Fail(absl::StrCat("leader completeness: node ", id, " became leader of term ",
                        raft.term().value(), " without committed entry ", i.value(), "/", want,
                        " (has term ", have ? have->value() : 0, ")"));
      return;
    }
  }
}

void SimChecker::OnPersisted(int id, const Ready& rd, const MemoryStorage& disk) {
  NodeView& view = nodes_[id];
  for (const raftpb::Entry& e : rd.entries) {
    absl::StatusOr<Term> prev = disk.TermAt(IndexOf(e) - 1);
    CheckEntry(id, e, prev.ok() ? std::optional<Term>(*prev) : std::nullopt);
  }
  if (!rd.hard_state) return;
  const HardState& hs = *rd.hard_state;
  if (hs.term.value() < view.disk_term) {
    Fail(absl::StrCat("node ", id, " persisted term ", hs.term.value(), " after term ",
                      view.disk_term));
  }
  if (hs.commit.value() < view.disk_commit) {
    Fail(absl::StrCat("node ", id, " persisted commit ", hs.commit.value(), " after ",
                      view.disk_commit));
  }
  view.disk_term = hs.term.value();
  view.disk_commit = hs.commit.value();
  if (hs.vote != kNoNode) {
    auto [it, inserted] = view.disk_votes.emplace(hs.term.value(), hs.vote.value());
    if (!inserted && it->second != static_cast<uint64_t>(hs.vote.value())) {
      Fail(absl::StrCat("node ", id, " voted for ", it->second, " and ", hs.vote.value(),
                        " in term ", hs.term.value()));
    }
  }
}

void SimChecker::OnApplied(int id, const raftpb::Entry& e, LogIndex applied_before,
                           uint64_t hash_after) {
  LogIndex index = IndexOf(e);
  if (index != applied_before + 1) {
    Fail(absl::StrCat("node ", id, " applied index ", index.value(), " after ",
                      applied_before.value()));
  }
  RecordCommitted(id, index, TermOf(e));
  Grow(applied_content_, index);
  Grow(sm_hash_, index);
  uint64_t content = ContentHash(e);
  uint64_t& known = applied_content_[index.value()];
  if (known == 0) {
    known = content;
  } else if (known != content) {
    Fail(absl::StrCat("state machine safety: node ", id, " applied a different entry at index ",
                      index.value()));
  }
  uint64_t& h = sm_hash_[index.value()];
  if (h == 0) {
    h = hash_after;
  } else if (h != hash_after) {
    Fail(absl::StrCat("state machine safety: node ", id, " has state hash ", hash_after,
                      " after index ", index.value(), ", others ", h));
  }
}

void SimChecker::OnSnapshot(int id, LogIndex index, Term term, uint64_t hash, const char* what) {
  Grow(sm_hash_, index);
  uint64_t& h = sm_hash_[index.value()];
  if (h == 0) {
    h = hash;
  } else if (h != hash) {
    Fail(absl::StrCat("snapshot consistency: node ", id, " ", what, " a snapshot at ",
                      index.value(), " with state hash ", hash, ", applied state had ", h));
  }
  RecordCommitted(id, index, term);
}

void SimChecker::CheckDurability(const std::vector<const MemoryStorage*>& disks) {
  if (max_committed_ == LogIndex(0)) return;
  uint64_t want = committed_terms_[max_committed_.value()];
  int holding = 0;
  for (const MemoryStorage* disk : disks) {
    if (disk->Snapshot()->metadata().index() >= max_committed_.value()) {
      ++holding;
      continue;
    }
    absl::StatusOr<Term> t = disk->TermAt(max_committed_);
    if (t.ok() && t->value() == want) ++holding;
  }
  if (holding < quorum_) {
    Fail(absl::StrCat("durability: committed entry ", max_committed_.value(), "/", want,
                      " is on only ", holding, " disks (quorum ", quorum_, ")"));
  }
}

void SimChecker::CheckLogMatching(const std::vector<const Raft*>& rafts) {
  for (size_t a = 0; a < rafts.size(); ++a) {
    for (size_t b = a + 1; b < rafts.size(); ++b) {
      const RaftLog& la = rafts[a]->log();
      const RaftLog& lb = rafts[b]->log();
      LogIndex lo = std::max(la.FirstIndex(), lb.FirstIndex()) - 1;
      LogIndex hi = std::min(la.LastIndex(), lb.LastIndex());
      // The highest index where both agree; everything from lo to it must
      // agree too.
      LogIndex agree(0);
      bool found = false;
      for (LogIndex i = hi; i >= lo && i > LogIndex(0); i = i - 1) {
        if (la.TermAt(i) == lb.TermAt(i)) {
          agree = i;
          found = true;
          break;
        }
      }
      if (!found) continue;
      for (LogIndex i = lo; i <= agree; ++i) {
        if (la.TermAt(i) != lb.TermAt(i)) {
          Fail(absl::StrCat("log matching: nodes ", rafts[a]->id().value(), " and ",
                            rafts[b]->id().value(), " agree at ", agree.value(),
                            " but differ at ", i.value()));
          return;
        }
      }
    }
  }
}

void SimChecker::OnReadIssued(const std::string& context) { reads_[context] = max_committed_; }

void SimChecker::OnReadServed(int id, const std::string& context, LogIndex index) {
  auto it = reads_.find(context);
  if (it == reads_.end()) return;
  if (index < it->second) {
    Fail(absl::StrCat("linearizability: node ", id, " served read ", context, " at index ",
                      index.value(), " but ", it->second.value(),
                      " was committed before it was issued"));
  }
}

}  // namespace gregor::controller::raft::sim
