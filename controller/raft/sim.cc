#include "controller/raft/sim.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/raft/raft.h"
#include "controller/raft/sim_checker.h"
#include "controller/raft/storage.h"
#include "glog/logging.h"

namespace gregor::controller::raft::sim {

namespace {

constexpr int64_t kTickUnits = 100;  // simulated time units per tick

// splitmix64: the one source of randomness of a run.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t Uniform(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  int64_t Range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Uniform(hi - lo + 1)); }
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }
  template <typename T>
  T Pick(std::initializer_list<T> xs) {
    return *(xs.begin() + Uniform(xs.size()));
  }

 private:
  uint64_t state_;
};

// The replicated state machine: a hash chain over the applied entries.
struct StateMachine {
  LogIndex applied;
  uint64_t hash = 0x5EED;
};

uint64_t Mix(uint64_t h, uint64_t index, uint64_t content) {
  uint64_t z = h ^ (index * 0x9E3779B97F4A7C15ull) ^ (content + 0x632BE59BD9B4E019ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return (z ^ (z >> 31)) | 1;
}

// Snapshot bytes: applied index, hash, then a filler derived from the hash
// (so snapshots have varied sizes and span several chunks, and corruption is
// detectable).
std::string EncodeSnapshot(const StateMachine& sm) {
  std::string out(16 + sm.hash % 300, '\0');
  for (int k = 0; k < 8; ++k) {
    out[k] = static_cast<char>(sm.applied.value() >> (8 * k));
    out[8 + k] = static_cast<char>(sm.hash >> (8 * k));
  }
  for (size_t k = 16; k < out.size(); ++k) out[k] = static_cast<char>((sm.hash >> (k % 8 * 8)) ^ k);
  return out;
}

bool DecodeSnapshot(const std::string& data, StateMachine* sm) {
  if (data.size() < 16) return false;
  uint64_t applied = 0, hash = 0;
  for (int k = 0; k < 8; ++k) {
    applied |= uint64_t{static_cast<unsigned char>(data[k])} << (8 * k);
    hash |= uint64_t{static_cast<unsigned char>(data[8 + k])} << (8 * k);
  }
  StateMachine decoded{LogIndex(applied), hash};
  if (EncodeSnapshot(decoded) != data) return false;
  *sm = decoded;
  return true;
}

struct SimNode {
  int id = 0;
  bool up = true;
  uint64_t incarnation = 0;
  std::unique_ptr<MemoryStorage> disk;
  std::unique_ptr<Raft> raft;
  StateMachine sm;
  bool ready_scheduled = false;
  int64_t tick_period = kTickUnits;
  std::vector<ReadState> reads;  // confirmed, waiting for the apply index
};

enum class EventKind { kTick, kDeliver, kReady, kClient, kFault };

struct Event {
  EventKind kind;
  int node = 0;
  uint64_t incarnation = 0;
  raftpb::Message msg;
};

class Simulation {
 public:
  explicit Simulation(const SimOptions& o);
  SimResult Run();

 private:
  void Configure();
  void Schedule(int64_t at, Event e);
  void Process(Event& e);
  void OnTick(SimNode& n);
  void Deliver(const raftpb::Message& m);
  void MaybeScheduleReady(SimNode& n);
  void ProcessReady(SimNode& n);
  void Apply(SimNode& n, const raftpb::Entry& e);
  void ServeReads(SimNode& n);
  void MaybeSnapshot(SimNode& n);
  void Send(raftpb::Message m);
  void Client();
  void Fault();
  void Crash(SimNode& n, const char* why);
  void Restart(SimNode& n);
  void StartCalm();
  void AfterStep(int touched);
  std::vector<int> Leaders() const;
  void Log(const std::string& what);

  SimOptions o_;
  Rng rng_;
  SimResult result_;
  std::unique_ptr<SimChecker> checker_;
  std::vector<SimNode> nodes_;  // index 0 unused
  Options raft_options_;
  std::map<std::pair<int64_t, uint64_t>, Event> queue_;
  uint64_t seq_ = 0;
  int64_t now_ = 0;

  // Faults and their rates (chosen per seed).
  std::set<std::pair<int, int>> cut_;  // (from, to) links that drop everything
  double loss_ = 0, dup_ = 0, reorder_ = 0, crash_in_ready_ = 0;
  double chaos_loss_ = 0;
  uint64_t snapshot_every_ = 10, compaction_keep_ = 0;
  int64_t fault_interval_ = 1500;  // upper bound between faults (time units)

  // Phases.
  bool calm_ = false;
  bool final_calm_ = false;
  int64_t calm_start_ = 0;
  int64_t chaos_end_ = 0;
  std::string marker_;
  bool marker_committed_ = false;
  std::set<std::pair<int, uint64_t>> marker_offered_;  // (leader, term)
  uint64_t next_id_ = 0;
};

Simulation::Simulation(const SimOptions& o) : o_(o), rng_(o.seed * 0x2545F4914F6CDD1Dull + 7) {
  result_.nodes = o_.nodes != 0 ? o_.nodes : (o_.seed % 2 == 0 ? 3 : 5);
  checker_ = std::make_unique<SimChecker>(result_.nodes);
  Configure();
}

void Simulation::Configure() {
  int n = result_.nodes;
  Options& ro = raft_options_;
  for (int i = 1; i <= n; ++i) ro.voters.push_back(NodeId(i));
  ro.election_ticks = 10;
  ro.heartbeat_ticks = static_cast<int>(rng_.Range(1, 3));
  ro.max_append_bytes = rng_.Pick<size_t>({64, 256, 1024, 1u << 20});
  ro.max_inflight_appends = static_cast<size_t>(rng_.Range(1, 16));
  ro.snapshot_chunk_bytes = rng_.Pick<size_t>({8, 32, 128, 4096});
  ro.max_inflight_snapshot_chunks = static_cast<size_t>(rng_.Range(1, 4));
  ro.max_committed_bytes_per_ready = rng_.Pick<size_t>({64, 1u << 20});
  ro.max_uncommitted_bytes = rng_.Pick<size_t>({2048, 1u << 20});
  ro.max_pending_reads = 64;
  snapshot_every_ = static_cast<uint64_t>(rng_.Range(5, 40));
  compaction_keep_ = rng_.Uniform(10);
  chaos_loss_ = rng_.Pick<double>({0.0, 0.01, 0.05, 0.15});
  loss_ = chaos_loss_;
  dup_ = rng_.Pick<double>({0.0, 0.02, 0.1});
  reorder_ = rng_.Pick<double>({0.0, 0.05, 0.2});
  crash_in_ready_ = rng_.Pick<double>({0.0, 0.002, 0.01});
  fault_interval_ = rng_.Pick<int64_t>({400, 1500, 3000});

  nodes_.resize(n + 1);
  for (int i = 1; i <= n; ++i) {
    SimNode& node = nodes_[i];
    node.id = i;
    node.disk = std::make_unique<MemoryStorage>(ro.voters);
    node.tick_period = kTickUnits + rng_.Range(-3, 3);  // clocks drift a little
    Restart(node);
    Schedule(rng_.Range(0, kTickUnits - 1), Event{EventKind::kTick, i});
  }
  Schedule(rng_.Range(20, 150), Event{EventKind::kClient});
  Schedule(rng_.Range(fault_interval_ / 4, fault_interval_), Event{EventKind::kFault});
  chaos_end_ = rng_.Range(30, 120) * kTickUnits;
}

void Simulation::Log(const std::string& what) {
  if (o_.verbose) std::printf("t=%lld step=%lld %s\n", static_cast<long long>(now_),
                              static_cast<long long>(result_.steps), what.c_str());
}

void Simulation::Schedule(int64_t at, Event e) { queue_.emplace(std::make_pair(at, seq_++), std::move(e)); }

void Simulation::Restart(SimNode& n) {
  Options ro = raft_options_;
  ro.id = NodeId(n.id);
  ro.random_seed = o_.seed * 1000003 + n.id * 7919 + n.incarnation;
  absl::StatusOr<std::unique_ptr<Raft>> r = Raft::Create(ro, n.disk.get());
  CHECK(r.ok()) << "restart of node " << n.id << ": " << r.status();
  n.raft = std::move(*r);
  n.up = true;
  ++n.incarnation;
  n.ready_scheduled = false;
  n.reads.clear();
  n.sm = StateMachine{};
  const std::string& data = n.disk->Snapshot()->data();
  if (n.disk->Snapshot()->metadata().index() > 0 && !DecodeSnapshot(data, &n.sm)) {
    checker_->Fail(absl::StrCat("node ", n.id, ": stored snapshot does not decode"));
  }
  checker_->OnRestart(n.id);
  Log(absl::StrCat("node ", n.id, " starts (term ", n.raft->term().value(), ", applied ",
                   n.sm.applied.value(), ")"));
  MaybeScheduleReady(n);
}

void Simulation::Crash(SimNode& n, const char* why) {
  Log(absl::StrCat("node ", n.id, " crashes ", why));
  n.raft.reset();
  n.up = false;
  ++n.incarnation;
  n.ready_scheduled = false;
  n.reads.clear();
  ++result_.crashes;
  checker_->CheckNode(n.id, nullptr);
}

void Simulation::MaybeScheduleReady(SimNode& n) {
  if (!n.up || n.ready_scheduled || !n.raft->HasReady()) return;
  n.ready_scheduled = true;
  // The driver's loop turn, including the fsync.
  Schedule(now_ + rng_.Range(1, 12), Event{EventKind::kReady, n.id, n.incarnation});
}

void Simulation::Send(raftpb::Message m) {
  ++result_.messages_sent;
  int from = static_cast<int>(m.from()), to = static_cast<int>(m.to());
  if (cut_.count({from, to}) || rng_.Chance(loss_)) {
    ++result_.messages_dropped;
    return;
  }
  int copies = rng_.Chance(dup_) ? 2 : 1;
  for (int c = 0; c < copies; ++c) {
    int64_t delay = rng_.Range(2, 30);
    if (rng_.Chance(reorder_)) delay += rng_.Range(0, 600);
    Event e{EventKind::kDeliver, to};
    e.msg = c + 1 < copies ? m : std::move(m);
    Schedule(now_ + delay, std::move(e));
  }
}

void Simulation::Deliver(const raftpb::Message& m) {
  SimNode& n = nodes_[m.to()];
  if (!n.up) return;
  if (o_.verbose) Log(absl::StrCat("deliver ", DescribeMessage(m)));
  n.raft->Step(m);
  MaybeScheduleReady(n);
}

void Simulation::OnTick(SimNode& n) {
  Schedule(now_ + n.tick_period, Event{EventKind::kTick, n.id});
  if (!n.up) return;
  n.raft->Tick();
  MaybeScheduleReady(n);
}

void Simulation::Apply(SimNode& n, const raftpb::Entry& e) {
  LogIndex before = n.sm.applied;
  n.sm.hash = Mix(n.sm.hash, e.index(), ContentHash(e));
  n.sm.applied = IndexOf(e);
  checker_->OnApplied(n.id, e, before, n.sm.hash);
  if (calm_ && !marker_committed_ && e.data() == marker_) marker_committed_ = true;
}

void Simulation::ServeReads(SimNode& n) {
  auto it = n.reads.begin();
  while (it != n.reads.end()) {
    if (it->index <= n.sm.applied) {
      checker_->OnReadServed(n.id, it->context, it->index);
      ++result_.reads_served;
      it = n.reads.erase(it);
    } else {
      ++it;
    }
  }
}

void Simulation::MaybeSnapshot(SimNode& n) {
  LogIndex snap(n.disk->Snapshot()->metadata().index());
  if (n.sm.applied < snap + snapshot_every_) return;
  LogIndex compact_to = n.sm.applied.value() > compaction_keep_
                            ? n.sm.applied - compaction_keep_
                            : LogIndex(0);
  absl::Status s = n.disk->CreateSnapshot(n.sm.applied, EncodeSnapshot(n.sm), compact_to);
  if (!s.ok()) {
    checker_->Fail(absl::StrCat("node ", n.id, " cannot snapshot at ", n.sm.applied.value(), ": ",
                                s.ToString()));
    return;
  }
  checker_->OnSnapshot(n.id, n.sm.applied, Term(n.disk->Snapshot()->metadata().term()), n.sm.hash,
                       "created");
}

void Simulation::ProcessReady(SimNode& n) {
  n.ready_scheduled = false;
  Ready rd = n.raft->GetReady();
  // 1. Persist (atomically: a crash loses the whole batch or nothing).
  if (rd.snapshot) {
    absl::Status s = n.disk->ApplySnapshot(*rd.snapshot);
    if (!s.ok()) checker_->Fail(absl::StrCat("node ", n.id, ": ", s.ToString()));
  }
  if (absl::Status s = n.disk->Append(rd.entries); !s.ok()) {
    checker_->Fail(absl::StrCat("node ", n.id, ": ", s.ToString()));
  }
  if (rd.hard_state) n.disk->SetHardState(*rd.hard_state);
  checker_->OnPersisted(n.id, rd, *n.disk);
  if (!calm_ && rng_.Chance(crash_in_ready_)) {
    Crash(n, "after persisting, before sending");
    return;
  }
  // 2. Send.
  for (raftpb::Message& m : rd.messages) Send(std::move(m));
  // 3. Install, apply, serve reads.
  if (rd.snapshot) {
    StateMachine sm;
    if (!DecodeSnapshot(rd.snapshot->data(), &sm) ||
        sm.applied != LogIndex(rd.snapshot->metadata().index())) {
      checker_->Fail(absl::StrCat("node ", n.id, " received a corrupt snapshot"));
    } else {
      n.sm = sm;
      checker_->OnSnapshot(n.id, sm.applied, Term(rd.snapshot->metadata().term()), sm.hash,
                           "installed");
      ++result_.snapshots_installed;
      Log(absl::StrCat("node ", n.id, " installs snapshot at ", sm.applied.value()));
    }
  }
  for (const raftpb::Entry& e : rd.committed_entries) Apply(n, e);
  for (ReadState& rs : rd.read_states) n.reads.push_back(std::move(rs));
  ServeReads(n);
  // 4. Advance, then compact now and then.
  n.raft->Advance(rd);
  MaybeSnapshot(n);
  MaybeScheduleReady(n);
}

std::vector<int> Simulation::Leaders() const {
  std::vector<int> out;
  for (size_t i = 1; i < nodes_.size(); ++i) {
    if (nodes_[i].up && nodes_[i].raft->role() == Role::kLeader) out.push_back(static_cast<int>(i));
  }
  return out;
}

void Simulation::Client() {
  Schedule(now_ + rng_.Range(20, 150), Event{EventKind::kClient});
  std::vector<int> leaders = Leaders();
  if (calm_ && !marker_committed_) {
    // Offer the liveness marker once to each new leader.
    for (int l : leaders) {
      std::pair<int, uint64_t> key{l, nodes_[l].raft->term().value()};
      if (!marker_offered_.count(key) && nodes_[l].raft->Propose(marker_).ok()) {
        marker_offered_.insert(key);
      }
      MaybeScheduleReady(nodes_[l]);
    }
  }
  uint64_t action = rng_.Uniform(100);
  if (action < 70) {
    if (calm_) return;  // no new load while the backlog drains
    if (leaders.empty()) return;
    SimNode& n = nodes_[leaders[rng_.Uniform(leaders.size())]];
    size_t pad = rng_.Chance(0.05) ? rng_.Uniform(2000) : rng_.Uniform(64);
    std::string data = absl::StrCat("p", next_id_++, "|", std::string(pad, 'x'));
    (void)n.raft->Propose(std::move(data));
    MaybeScheduleReady(n);
  } else if (action < 95) {
    std::vector<int> up;
    for (size_t i = 1; i < nodes_.size(); ++i) {
      if (nodes_[i].up) up.push_back(static_cast<int>(i));
    }
    if (up.empty()) return;
    SimNode& n = nodes_[up[rng_.Uniform(up.size())]];
    std::string ctx = absl::StrCat("r", next_id_++);
    checker_->OnReadIssued(ctx);
    (void)n.raft->ReadIndex(ctx);
    MaybeScheduleReady(n);
  } else if (action < 97 && !leaders.empty()) {
    SimNode& n = nodes_[leaders[rng_.Uniform(leaders.size())]];
    int to = static_cast<int>(rng_.Range(1, result_.nodes));
    if (n.raft->TransferLeadership(NodeId(to)).ok()) {
      ++result_.transfers;
      Log(absl::StrCat("node ", n.id, " transfers leadership to ", to));
    }
    MaybeScheduleReady(n);
  }
}

void Simulation::Fault() {
  Schedule(now_ + rng_.Range(fault_interval_ / 4, fault_interval_), Event{EventKind::kFault});
  if (calm_) return;
  int n = result_.nodes;
  int victim = static_cast<int>(rng_.Range(1, n));
  std::vector<int> leaders = Leaders();
  uint64_t action = rng_.Uniform(100);
  if (action < 12) {
    if (nodes_[victim].up) Crash(nodes_[victim], "(fault)");
  } else if (action < 25) {
    // Leaders' crashes are the interesting ones.
    if (!leaders.empty()) Crash(nodes_[leaders[rng_.Uniform(leaders.size())]], "(leader fault)");
  } else if (action < 45) {
    for (int i = 1; i <= n; ++i) {
      if (!nodes_[i].up) {
        Restart(nodes_[i]);
        break;
      }
    }
  } else if (action < 60) {
    ++result_.partitions;
    Log(absl::StrCat("isolate node ", victim));
    for (int i = 1; i <= n; ++i) {
      if (i == victim) continue;
      cut_.insert({i, victim});
      cut_.insert({victim, i});
    }
  } else if (action < 72) {
    ++result_.partitions;
    std::vector<bool> side(n + 1);
    for (int i = 1; i <= n; ++i) side[i] = rng_.Chance(0.5);
    Log("random bipartition");
    for (int i = 1; i <= n; ++i) {
      for (int j = 1; j <= n; ++j) {
        if (side[i] != side[j]) cut_.insert({i, j});
      }
    }
  } else if (action < 85) {
    ++result_.partitions;
    int to = static_cast<int>(rng_.Range(1, n));
    if (to != victim) {
      Log(absl::StrCat("one-way cut ", victim, " -> ", to));
      cut_.insert({victim, to});
    }
  } else {
    Log("links healed");
    cut_.clear();
  }
}

void Simulation::StartCalm() {
  calm_ = true;
  calm_start_ = now_;
  cut_.clear();
  loss_ = 0;
  for (size_t i = 1; i < nodes_.size(); ++i) {
    if (!nodes_[i].up) Restart(nodes_[i]);
  }
  marker_ = absl::StrCat("live", result_.calm_windows);
  marker_committed_ = false;
  marker_offered_.clear();
  ++result_.calm_windows;
  Log(absl::StrCat("calm window: everything healed; waiting for ", marker_, " to commit"));
}

void Simulation::AfterStep(int touched) {
  if (touched > 0) checker_->CheckNode(touched, nodes_[touched].raft.get());
  std::vector<const MemoryStorage*> disks;
  for (size_t i = 1; i < nodes_.size(); ++i) disks.push_back(nodes_[i].disk.get());
  checker_->CheckDurability(disks);
  if (result_.steps % 500 == 0) {
    std::vector<const Raft*> rafts;
    for (size_t i = 1; i < nodes_.size(); ++i) {
      if (nodes_[i].up) rafts.push_back(nodes_[i].raft.get());
    }
    checker_->CheckLogMatching(rafts);
  }
}

void Simulation::Process(Event& e) {
  switch (e.kind) {
    case EventKind::kTick:
      OnTick(nodes_[e.node]);
      AfterStep(e.node);
      break;
    case EventKind::kDeliver:
      Deliver(e.msg);
      AfterStep(static_cast<int>(e.msg.to()));
      break;
    case EventKind::kReady: {
      SimNode& n = nodes_[e.node];
      if (!n.up || n.incarnation != e.incarnation) break;
      ProcessReady(n);
      AfterStep(e.node);
      break;
    }
    case EventKind::kClient:
      Client();
      for (size_t i = 1; i < nodes_.size(); ++i) AfterStep(static_cast<int>(i));
      break;
    case EventKind::kFault:
      Fault();
      for (size_t i = 1; i < nodes_.size(); ++i) AfterStep(static_cast<int>(i));
      break;
  }
}

SimResult Simulation::Run() {
  while (!queue_.empty() && checker_->ok()) {
    auto it = queue_.begin();
    now_ = it->first.first;
    Event e = std::move(it->second);
    queue_.erase(it);
    ++result_.steps;
    Process(e);
    if (!checker_->ok()) break;

    if (!calm_ && (now_ >= chaos_end_ || result_.steps >= o_.steps)) {
      final_calm_ = result_.steps >= o_.steps;
      StartCalm();
    } else if (calm_) {
      int64_t ticks = (now_ - calm_start_) / kTickUnits;
      if (marker_committed_) {
        result_.max_ticks_to_commit = std::max(result_.max_ticks_to_commit, ticks);
        Log(absl::StrCat(marker_, " committed after ", ticks, " ticks"));
        if (final_calm_) break;
        calm_ = false;
        loss_ = chaos_loss_;
        chaos_end_ = now_ + rng_.Range(30, 120) * kTickUnits;
      } else if (ticks > o_.liveness_ticks) {
        checker_->Fail(absl::StrCat("liveness: nothing committed within ", o_.liveness_ticks,
                                    " ticks after every fault healed (leaders now: ",
                                    Leaders().size(), ")"));
      }
    }
  }
  std::vector<const Raft*> rafts;
  for (size_t i = 1; i < nodes_.size(); ++i) {
    if (nodes_[i].up) rafts.push_back(nodes_[i].raft.get());
  }
  checker_->CheckLogMatching(rafts);
  result_.ok = checker_->ok();
  if (!result_.ok) {
    result_.failure = absl::StrCat(checker_->failure(), " [step ", result_.steps, ", t=", now_, "]");
  }
  result_.max_term = checker_->max_term();
  result_.committed = checker_->max_committed().value();
  result_.leaders_elected = static_cast<int64_t>(checker_->leaders_elected());
  return result_;
}

}  // namespace

namespace {
// The run in progress, for the crash hint.
uint64_t g_seed = 0;
int64_t g_steps = 0;

void CrashHint() {
  std::fprintf(stderr, "\nRaft simulation crashed; replay with:\n  %s\n",
               ReplayCommand(g_seed, g_steps).c_str());
  std::abort();
}
}  // namespace

void PrintReplayCommandOnCrash() { google::InstallFailureFunction(&CrashHint); }

SimResult RunSimulation(const SimOptions& options) {
  g_seed = options.seed;
  g_steps = options.steps;
  return Simulation(options).Run();
}

std::string ReplayCommand(uint64_t seed, int64_t steps) {
  return absl::StrCat("bazel run //controller/raft:sim -- --seed=", seed, " --steps=", steps);
}

std::string Summary(const SimResult& r) {
  return absl::StrCat(r.ok ? "ok" : "FAILED", " nodes=", r.nodes, " steps=", r.steps,
                      " committed=", r.committed, " max_term=", r.max_term,
                      " leaders=", r.leaders_elected, " crashes=", r.crashes,
                      " partitions=", r.partitions, " msgs=", r.messages_sent,
                      " dropped=", r.messages_dropped, " snapshots_installed=",
                      r.snapshots_installed, " reads=", r.reads_served, " transfers=", r.transfers,
                      " calm_windows=", r.calm_windows, " max_ticks_to_commit=",
                      r.max_ticks_to_commit);
}

}  // namespace gregor::controller::raft::sim
