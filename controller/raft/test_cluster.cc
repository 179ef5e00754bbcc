#include "controller/raft/test_cluster.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "glog/logging.h"

namespace gregor::controller::raft::testing {

namespace {

void CheckOk(const absl::Status& s) { CHECK(s.ok()) << s; }

std::vector<std::string> SplitState(const std::string& data) {
  if (data.empty()) return {};
  return absl::StrSplit(data, '\n');
}

}  // namespace

TestCluster::TestCluster(int n, std::function<void(Options&)> tweak)
    : tweak_(std::move(tweak)), n_(n) {
  std::vector<NodeId> voters;
  for (int i = 1; i <= n; ++i) voters.push_back(NodeId(i));
  for (int i = 1; i <= n; ++i) {
    nodes_[i].storage = std::make_unique<MemoryStorage>(voters);
    Rebuild(i);
  }
}

std::vector<int> TestCluster::ids() const {
  std::vector<int> out;
  for (const auto& [id, n] : nodes_) out.push_back(id);
  return out;
}

void TestCluster::Rebuild(int id) {
  Options o;
  o.id = NodeId(id);
  for (int i = 1; i <= n_; ++i) o.voters.push_back(NodeId(i));
  o.random_seed = static_cast<uint64_t>(id);
  if (tweak_) tweak_(o);
  TestNode& node = nodes_[id];
  absl::StatusOr<std::unique_ptr<Raft>> r = Raft::Create(o, node.storage.get());
  CHECK(r.ok()) << r.status();
  node.raft = std::move(*r);
  node.applied.clear();
  node.read_states.clear();
  node.state = SplitState(node.storage->Snapshot()->data());
}

void TestCluster::ProcessReady(int id) {
  TestNode& node = nodes_.at(id);
  Raft& r = *node.raft;
  if (!r.HasReady()) return;
  Ready rd = r.GetReady();
  if (on_ready) on_ready(id, rd);
  if (rd.snapshot) {
    CheckOk(node.storage->ApplySnapshot(*rd.snapshot));
    node.installed.push_back(*rd.snapshot);
    node.state = SplitState(rd.snapshot->data());
  }
  CheckOk(node.storage->Append(rd.entries));
  if (rd.hard_state) node.storage->SetHardState(*rd.hard_state);
  for (raftpb::Message& m : rd.messages) queue_.push_back(std::move(m));
  for (const raftpb::Entry& e : rd.committed_entries) {
    node.applied.push_back(e);
    if (e.type() == raftpb::ENTRY_NORMAL) node.state.push_back(e.data());
  }
  for (ReadState& rs : rd.read_states) node.read_states.push_back(std::move(rs));
  r.Advance(rd);
}

bool TestCluster::Dropped(const raftpb::Message& m) const {
  if (cut_.count({static_cast<int>(m.from()), static_cast<int>(m.to())})) return true;
  return drop && drop(m);
}

int TestCluster::Stabilize() {
  int count = 0;
  for (int round = 0;; ++round) {
    CHECK_LT(round, 100000) << "cluster does not stabilize";
    bool progress = false;
    for (auto& [id, node] : nodes_) {
      if (node.raft->HasReady()) {
        ProcessReady(id);
        progress = true;
      }
    }
    while (!queue_.empty()) {
      raftpb::Message m = std::move(queue_.front());
      queue_.pop_front();
      progress = true;
      if (Dropped(m)) continue;
      if (mutate) mutate(m);
      if (record) delivered.push_back(m);
      ++count;
      nodes_.at(static_cast<int>(m.to())).raft->Step(m);
    }
    if (!progress) return count;
  }
}

void TestCluster::Tick(int id, int n) {
  for (int k = 0; k < n; ++k) {
    raft(id).Tick();
    Stabilize();
  }
}

void TestCluster::TickAll(int n) {
  for (int k = 0; k < n; ++k) {
    for (auto& [id, node] : nodes_) node.raft->Tick();
    Stabilize();
  }
}

Role TestCluster::Campaign(int id) {
  raft(id).Campaign();
  Stabilize();
  return raft(id).role();
}

void TestCluster::Elect(int id) {
  CHECK(Campaign(id) == Role::kLeader) << "node " << id << " did not win";
  Stabilize();
}

absl::StatusOr<Proposal> TestCluster::Propose(int id, std::string data) {
  absl::StatusOr<Proposal> p = raft(id).Propose(std::move(data));
  Stabilize();
  return p;
}

void TestCluster::Isolate(int id) {
  for (int other : ids()) {
    if (other == id) continue;
    cut_.insert({id, other});
    cut_.insert({other, id});
  }
}

void TestCluster::Cut(int from, int to) { cut_.insert({from, to}); }

void TestCluster::Heal() {
  cut_.clear();
  drop = nullptr;
  mutate = nullptr;
}

void TestCluster::Restart(int id) { Rebuild(id); }

void TestCluster::SetLog(int id, const std::vector<std::pair<uint64_t, uint64_t>>& index_term,
                         uint64_t term, uint64_t vote) {
  TestNode& node = nodes_.at(id);
  std::vector<raftpb::Entry> ents;
  for (auto [index, t] : index_term) {
    raftpb::Entry e;
    e.set_index(index);
    e.set_term(t);
    e.set_data(absl::StrCat("e", index, "t", t));
    ents.push_back(std::move(e));
  }
  CheckOk(node.storage->Append(ents));
  node.storage->SetHardState(
      HardState{Term(term), NodeId(static_cast<int32_t>(vote)), LogIndex(0)});
  Rebuild(id);
}

void TestCluster::SnapshotAndCompact(int id, uint64_t compact_to) {
  TestNode& node = nodes_.at(id);
  LogIndex applied = node.raft->log().applied();
  LogIndex to = compact_to ? LogIndex(compact_to) : applied;
  CheckOk(node.storage->CreateSnapshot(applied, absl::StrJoin(node.state, "\n"), to));
}

int TestCluster::Leader() const {
  int best = 0;
  Term best_term;
  for (const auto& [id, node] : nodes_) {
    if (node.raft->role() == Role::kLeader && (best == 0 || node.raft->term() > best_term)) {
      best = id;
      best_term = node.raft->term();
    }
  }
  return best;
}

std::vector<std::string> AppliedData(const TestNode& node) { return node.state; }

}  // namespace gregor::controller::raft::testing
