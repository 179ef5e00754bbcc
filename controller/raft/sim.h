// Deterministic simulation of a Raft cluster: 3 or 5 pure cores in one
// process over a simulated network that loses, duplicates, delays and
// reorders messages and suffers symmetric and one-way partitions, with node
// crashes (losing whatever was not persisted) and restarts — all driven by one
// seed, so any failure replays exactly:
//
//   bazel run //controller/raft:sim -- --seed=N --steps=M [--verbose]
//
// A run alternates chaos periods with calm windows. In a calm window every
// fault is healed (crashed nodes restart, links come back, no more loss) and
// the cluster must elect a leader and commit a proposal within
// `liveness_ticks` ticks. SimChecker checks the safety properties after every
// step. See docs/raft.md.
#ifndef GREGOR_CONTROLLER_RAFT_SIM_H_
#define GREGOR_CONTROLLER_RAFT_SIM_H_

#include <cstdint>
#include <string>

namespace gregor::controller::raft::sim {

struct SimOptions {
  uint64_t seed = 1;
  // Events processed in chaos; the final calm window comes on top.
  int64_t steps = 5000;
  // 3 or 5; 0 picks from the seed (even: 3, odd: 5).
  int nodes = 0;
  // A healed cluster must commit within this many ticks (15 election
  // timeouts: elections take 1-3, but a stressed configuration — 8-byte
  // snapshot chunks, one append in flight — needs time to drain its backlog).
  int liveness_ticks = 150;
  // Print every event.
  bool verbose = false;
};

struct SimResult {
  bool ok = true;
  std::string failure;   // the first violation, with the step and time
  int64_t steps = 0;     // events processed
  int nodes = 0;
  uint64_t max_term = 0;
  uint64_t committed = 0;             // highest committed index
  int64_t leaders_elected = 0;        // distinct (term, leader) pairs
  int64_t crashes = 0;
  int64_t partitions = 0;
  int64_t messages_sent = 0;
  int64_t messages_dropped = 0;
  int64_t snapshots_installed = 0;
  int64_t reads_served = 0;
  int64_t transfers = 0;
  int64_t calm_windows = 0;
  int64_t max_ticks_to_commit = 0;    // worst calm window
};

SimResult RunSimulation(const SimOptions& options);

// The command that replays a run.
std::string ReplayCommand(uint64_t seed, int64_t steps);

// One line of statistics.
std::string Summary(const SimResult& r);

// Makes a CHECK failure inside a run (a broken invariant in the core) print
// the replay command of the run in progress before aborting.
void PrintReplayCommandOnCrash();

}  // namespace gregor::controller::raft::sim

#endif  // GREGOR_CONTROLLER_RAFT_SIM_H_
