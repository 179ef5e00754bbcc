// raft_bench: a 3-node controller quorum on loopback, fsync on, all three
// RocksDB stores on the same disk. Prints, next to the fsync latency of that
// disk measured in the same run (4 KiB write + fdatasync loop):
//   - committed proposals/s with a window of outstanding 200-byte proposals,
//   - commit latency p50/p99, under that load and one proposal at a time,
//   - time from stopping the leader to the next committed write.
//
//   bazel run -c opt //controller/raft_driver:raft_bench -- --seconds=5
//
// A benchmark, not a test: it asserts nothing about speed.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "controller/raft_driver/loopback_cluster.h"
#include "gflags/gflags.h"
#include "glog/logging.h"

DEFINE_string(dir, "", "where the data directories go (default $TEST_TMPDIR or /tmp)");
DEFINE_int32(seconds, 5, "length of the throughput phase");
DEFINE_int32(window, 256, "outstanding proposals in the throughput phase");
DEFINE_int32(entry_bytes, 200, "proposal size");
DEFINE_int32(sequential, 300, "proposals in the one-at-a-time phase");
DEFINE_int32(fsync_iterations, 500, "iterations of the disk baseline");
DEFINE_int32(failovers, 3, "leader stops to time");
DEFINE_int32(tick_ms, 50, "Raft tick (the production default is 50 ms)");

namespace gregor::controller::raft_driver {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
};

Percentiles Compute(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  p.p50 = v[v.size() / 2];
  p.p99 = v[std::min(v.size() - 1, v.size() * 99 / 100)];
  p.max = v.back();
  return p;
}

// The disk's own cost of a durable small write: 4 KiB pwrite + fdatasync,
// appending to a growing file or (like a write-ahead log, RocksDB's
// included) into space allocated beforehand, where fdatasync need not
// journal a size change.
Percentiles MeasureFsync(const std::string& dir, bool preallocate) {
  std::string path = dir + "/fsync_probe";
  int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  PCHECK(fd >= 0) << path;
  if (preallocate) {
    PCHECK(posix_fallocate(fd, 0, static_cast<off_t>(FLAGS_fsync_iterations) * 4096) == 0);
    PCHECK(fsync(fd) == 0);
  }
  std::string block(4096, 'x');
  std::vector<double> lat;
  for (int i = 0; i < FLAGS_fsync_iterations; ++i) {
    Clock::time_point t0 = Clock::now();
    PCHECK(pwrite(fd, block.data(), block.size(), static_cast<off_t>(i) * 4096) == 4096);
    PCHECK(fdatasync(fd) == 0);
    lat.push_back(Ms(Clock::now() - t0));
  }
  close(fd);
  unlink(path.c_str());
  return Compute(lat);
}

struct LoadResult {
  double per_second = 0;
  int64_t committed = 0;
  int64_t failed = 0;
  Percentiles latency;
};

// Keeps `window` proposals outstanding on the leader for `seconds`.
LoadResult Throughput(LoopbackCluster& c, int leader, const std::string& payload) {
  absl::Mutex mu;
  int inflight = 0;
  int64_t ok = 0, failed = 0;
  std::vector<double> lat;
  lat.reserve(1 << 20);
  Clock::time_point start = Clock::now();
  Clock::time_point end = start + std::chrono::seconds(FLAGS_seconds);
  while (Clock::now() < end) {
    {
      absl::MutexLock l(&mu);
      mu.AwaitWithTimeout(absl::Condition(
                              +[](int* n) { return *n < FLAGS_window; }, &inflight),
                          absl::Milliseconds(100));
      if (inflight >= FLAGS_window) continue;
      ++inflight;
    }
    Clock::time_point t0 = Clock::now();
    c.node(leader).Propose(payload, [&, t0](absl::StatusOr<LogIndex> r) {
      double ms = Ms(Clock::now() - t0);
      absl::MutexLock l(&mu);
      --inflight;
      if (r.ok()) {
        ++ok;
        lat.push_back(ms);
      } else {
        ++failed;
      }
    });
  }
  {
    absl::MutexLock l(&mu);
    mu.Await(absl::Condition(+[](int* n) { return *n == 0; }, &inflight));
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  LoadResult r;
  r.committed = ok;
  r.failed = failed;
  r.per_second = ok / secs;
  r.latency = Compute(lat);
  return r;
}

Percentiles Sequential(LoopbackCluster& c, int leader, const std::string& payload) {
  std::vector<double> lat;
  for (int i = 0; i < FLAGS_sequential; ++i) {
    Clock::time_point t0 = Clock::now();
    absl::StatusOr<LogIndex> r = c.Propose(leader, payload);
    if (r.ok()) lat.push_back(Ms(Clock::now() - t0));
  }
  return Compute(lat);
}

// Stops the leader and times the next write any new leader commits.
double Failover(LoopbackCluster& c, const std::string& payload) {
  int old = c.WaitForLeader();
  CHECK_NE(old, 0) << "no leader";
  Clock::time_point t0 = Clock::now();
  c.Kill(old);
  while (true) {
    for (int id = 1; id <= c.size(); ++id) {
      if (!c.up(id) || !c.node(id).IsLeader()) continue;
      absl::StatusOr<LogIndex> r = c.Propose(id, payload);
      if (r.ok()) {
        double ms = Ms(Clock::now() - t0);
        c.Restart(old);
        CHECK(WaitFor([&] { return c.AgreedLeader() != 0; })) << "cluster did not recover";
        return ms;
      }
    }
    std::this_thread::sleep_for(1ms);
    CHECK(Clock::now() - t0 < 60s) << "no new leader within a minute";
  }
}

int Main() {
  std::string base = FLAGS_dir;
  if (base.empty()) {
    const char* t = std::getenv("TEST_TMPDIR");
    base = t != nullptr ? t : "/tmp";
  }
  std::string dir = NewTempDir("raft_bench", base);
  std::printf("raft_bench: 3 nodes on loopback, fsync on, data under %s\n", dir.c_str());

  Percentiles growing = MeasureFsync(dir, /*preallocate=*/false);
  Percentiles disk = MeasureFsync(dir, /*preallocate=*/true);
  std::printf("disk baseline   4 KiB write + fdatasync, preallocated: p50 %.3f ms  p99 %.3f ms"
              "  (%.0f/s)   [appending to a growing file: p50 %.3f ms  p99 %.3f ms]\n",
              disk.p50, disk.p99, 1000.0 / disk.p50, growing.p50, growing.p99);
  std::printf("(ratios below are against the preallocated figures)\n");

  LoopbackCluster c(
      3,
      [](RaftNodeOptions& o) {
        o.tick_interval = std::chrono::milliseconds(FLAGS_tick_ms);
        o.sync_writes = true;
      },
      /*keep_items=*/false, dir);
  int leader = c.WaitForLeader();
  CHECK_NE(leader, 0) << "no leader";
  std::string payload(FLAGS_entry_bytes, 'p');
  // Warm up connections.
  for (int i = 0; i < 50; ++i) CHECK(c.Propose(leader, payload).ok());

  LoadResult load = Throughput(c, leader, payload);
  std::printf("throughput      %.0f committed proposals/s of %d B (window %d, %lld failed)"
              " = %.1f commits per disk-fsync time\n",
              load.per_second, FLAGS_entry_bytes, FLAGS_window,
              static_cast<long long>(load.failed), load.per_second * disk.p50 / 1000.0);
  std::printf("latency, loaded     p50 %.3f ms (%.1fx fsync p50)  p99 %.3f ms (%.1fx fsync p99)\n",
              load.latency.p50, load.latency.p50 / disk.p50, load.latency.p99,
              load.latency.p99 / disk.p99);
  Percentiles seq = Sequential(c, leader, payload);
  std::printf("latency, 1 at a time p50 %.3f ms (%.1fx fsync p50)  p99 %.3f ms (%.1fx fsync p99)\n",
              seq.p50, seq.p50 / disk.p50, seq.p99, seq.p99 / disk.p99);

  std::vector<double> failovers;
  for (int i = 0; i < FLAGS_failovers; ++i) failovers.push_back(Failover(c, payload));
  Percentiles f = Compute(failovers);
  std::printf("failover        stop leader -> next committed write: median %.0f ms, max %.0f ms"
              " over %d (election timeout %d-%d ms; %.0fx fsync p50)\n",
              f.p50, f.max, FLAGS_failovers, 10 * FLAGS_tick_ms, 20 * FLAGS_tick_ms,
              f.p50 / disk.p50);
  return 0;
}

}  // namespace
}  // namespace gregor::controller::raft_driver

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  FLAGS_logtostderr = true;
  FLAGS_minloglevel = 1;  // warnings and up: keep the report readable
  google::InitGoogleLogging(argv[0]);
  return gregor::controller::raft_driver::Main();
}
