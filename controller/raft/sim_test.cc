// The Raft simulation over many seeds (see sim.h). The seeds are split into
// blocks so that Bazel can shard them (shard_count in BUILD). A failing seed
// prints the command that replays it.
//
//   --sim_seeds   how many seeds (default 4000; the nightly target: 100000)
//   --sim_steps   chaos steps per seed (default 5000)
//   --sim_first_seed
#include <cstdint>

#include "controller/raft/sim.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "gtest/gtest.h"

DEFINE_uint64(sim_seeds, 4000, "number of seeds to simulate");
DEFINE_int64(sim_steps, 5000, "chaos steps per seed");
DEFINE_uint64(sim_first_seed, 1, "first seed");

namespace gregor::controller::raft::sim {
namespace {

constexpr int kBlocks = 40;

class SimTest : public ::testing::TestWithParam<int> {};

TEST_P(SimTest, SafetyAndLivenessHoldForEverySeed) {
  PrintReplayCommandOnCrash();
  uint64_t per_block = (FLAGS_sim_seeds + kBlocks - 1) / kBlocks;
  uint64_t first = FLAGS_sim_first_seed + GetParam() * per_block;
  uint64_t end = std::min(first + per_block, FLAGS_sim_first_seed + FLAGS_sim_seeds);
  int64_t steps = 0, installs = 0, crashes = 0, max_ticks = 0;
  for (uint64_t seed = first; seed < end; ++seed) {
    SimOptions o;
    o.seed = seed;
    o.steps = FLAGS_sim_steps;
    SimResult r = RunSimulation(o);
    ASSERT_TRUE(r.ok) << "seed " << seed << ": " << r.failure << "\n  " << Summary(r)
                      << "\n  replay: " << ReplayCommand(seed, FLAGS_sim_steps);
    ASSERT_GE(r.steps, FLAGS_sim_steps);
    ASSERT_GE(r.calm_windows, 1);
    steps += r.steps;
    installs += r.snapshots_installed;
    crashes += r.crashes;
    max_ticks = std::max(max_ticks, r.max_ticks_to_commit);
  }
  LOG(INFO) << "seeds " << first << ".." << end - 1 << ": " << steps << " steps, " << crashes
            << " crashes, " << installs << " snapshots installed, worst healed-to-commit "
            << max_ticks << " ticks";
}

INSTANTIATE_TEST_SUITE_P(Seeds, SimTest, ::testing::Range(0, kBlocks));

}  // namespace
}  // namespace gregor::controller::raft::sim
