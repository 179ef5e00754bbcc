// Runs the Raft simulation for one seed (or a range of seeds) and prints what
// happened; exits 1 on the first violated property. See sim.h.
//
//   bazel run //controller/raft:sim -- --seed=42 --steps=5000 [--verbose]
//   bazel run //controller/raft:sim -- --seed=1 --count=1000
#include <cstdio>

#include "controller/raft/sim.h"
#include "gflags/gflags.h"
#include "glog/logging.h"

DEFINE_uint64(seed, 1, "first seed");
DEFINE_int64(steps, 5000, "chaos steps per seed");
DEFINE_uint64(count, 1, "number of consecutive seeds");
DEFINE_int32(nodes, 0, "cluster size (3 or 5); 0 picks from the seed");
DEFINE_int32(liveness_ticks, 150, "ticks a healed cluster gets to commit");
DEFINE_bool(verbose, false, "print every event");

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  gregor::controller::raft::sim::PrintReplayCommandOnCrash();
  using gregor::controller::raft::sim::RunSimulation;
  for (uint64_t seed = FLAGS_seed; seed < FLAGS_seed + FLAGS_count; ++seed) {
    gregor::controller::raft::sim::SimOptions o;
    o.seed = seed;
    o.steps = FLAGS_steps;
    o.nodes = FLAGS_nodes;
    o.liveness_ticks = FLAGS_liveness_ticks;
    o.verbose = FLAGS_verbose;
    gregor::controller::raft::sim::SimResult r = RunSimulation(o);
    std::printf("seed %llu: %s\n", static_cast<unsigned long long>(seed),
                gregor::controller::raft::sim::Summary(r).c_str());
    if (!r.ok) {
      std::printf("VIOLATION: %s\nreplay: %s\n", r.failure.c_str(),
                  gregor::controller::raft::sim::ReplayCommand(seed, FLAGS_steps).c_str());
      return 1;
    }
  }
  return 0;
}
