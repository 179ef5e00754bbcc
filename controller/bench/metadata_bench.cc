// metadata_bench: the controller quorum's write path, measured on this
// machine next to the disk's own fsync latency (same run, same directory).
//
// It starts three gregor-controller processes on loopback with fsync on,
// registers one broker, then measures:
//   1. fsync baseline: 4 KiB append + fdatasync, p50/p99;
//   2. commit latency: one AllocateProducerIds (one small record) at a time,
//      p50/p99, and the ratio to the fsync p50;
//   3. throughput: --clients concurrent callers for --seconds, committed
//      operations/s (the controller pipelines them), for AllocateProducerIds
//      and for CreateTopics (1 partition, replication factor 1);
//   4. failover: kill -9 the leader, time until the next write commits
//      (client retries every 20-50 ms), --failovers times.
//
//   bazel build -c opt //controller:gregor-controller //controller/bench:metadata_bench
//   bazel-bin/controller/bench/metadata_bench --controller=bazel-bin/controller/gregor-controller
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "controller/client/controller_client.h"
#include "gflags/gflags.h"
#include "glog/logging.h"

DEFINE_string(controller, "bazel-bin/controller/gregor-controller", "the gregor-controller binary");
DEFINE_string(dir, "", "working directory (default: a new one under /tmp)");
DEFINE_int32(base_port, 29093, "controllers listen on base_port, +1, +2; HTTP on +100..");
DEFINE_int32(latency_ops, 2000, "sequential writes for the latency measurement");
DEFINE_int32(fsync_ops, 1000, "4 KiB append+fdatasync samples");
DEFINE_int32(clients, 32, "concurrent callers for the throughput measurement");
DEFINE_int32(seconds, 5, "duration of each throughput measurement");
DEFINE_int32(failovers, 5, "leader kills");

namespace gregor::controller::bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Percentiles {
  double p50, p99, max;
};
Percentiles Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  return {at(0.50), at(0.99), v.back()};
}

Percentiles FsyncBaseline(const std::string& dir, int n) {
  const std::string path = dir + "/fsync-probe";
  int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_APPEND, 0644);
  CHECK_GE(fd, 0) << path;
  std::string block(4096, 'x');
  std::vector<double> samples;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    CHECK_EQ(write(fd, block.data(), block.size()), static_cast<ssize_t>(block.size()));
    CHECK_EQ(fdatasync(fd), 0);
    samples.push_back(Ms(Clock::now() - t0));
  }
  close(fd);
  unlink(path.c_str());
  return Summarize(samples);
}

class Quorum {
 public:
  explicit Quorum(std::string dir) : dir_(std::move(dir)) {
    for (int i = 1; i <= 3; ++i) {
      if (i > 1) voters_ += ",";
      voters_ += absl::StrCat(i, "@127.0.0.1:", FLAGS_base_port + i - 1);
    }
  }
  ~Quorum() {
    for (auto& [id, pid] : pids_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  const std::string& voters() const { return voters_; }

  void Start(int id) {
    std::vector<std::string> args = {
        FLAGS_controller,
        absl::StrCat("--node_id=", id),
        absl::StrCat("--listeners=127.0.0.1:", FLAGS_base_port + id - 1),
        "--controller_quorum_voters=" + voters_,
        absl::StrCat("--metadata_log_dir=", dir_, "/c", id),
        absl::StrCat("--http_port=", FLAGS_base_port + 99 + id),
        "--http_host=127.0.0.1",
        "--metadata_log_fsync=true",
        absl::StrCat("--log_dir=", dir_),
        "--logtostderr=false",
    };
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = fork();
    CHECK_GE(pid, 0);
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the benchmark
      execv(argv[0], argv.data());
      _exit(127);
    }
    pids_[id] = pid;
  }
  void Kill(int id) {
    kill(pids_[id], SIGKILL);
    waitpid(pids_[id], nullptr, 0);
    pids_.erase(id);
  }

 private:
  std::string dir_;
  std::string voters_;
  std::map<int, pid_t> pids_;
};

client::ControllerClientOptions Options(const std::string& voters, std::chrono::milliseconds backoff_max) {
  client::ControllerClientOptions o;
  o.voters = *client::ParseQuorumVoters(voters);
  o.rpc_timeout = std::chrono::milliseconds(1000);
  o.total_timeout = std::chrono::seconds(30);
  o.backoff_min = std::chrono::milliseconds(20);
  o.backoff_max = backoff_max;
  return o;
}

int Main() {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string dir = FLAGS_dir;
  if (dir.empty()) {
    char tmpl[] = "/tmp/gregor-metadata-bench-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  fs::create_directories(dir);
  std::printf("metadata_bench: 3 controllers on loopback, fsync on, dir %s\n", dir.c_str());

  const Percentiles fsync = FsyncBaseline(dir, FLAGS_fsync_ops);
  std::printf("fsync baseline (4 KiB append + fdatasync): p50 %.3f ms  p99 %.3f ms\n", fsync.p50, fsync.p99);

  Quorum quorum(dir);
  for (int i = 1; i <= 3; ++i) quorum.Start(i);
  client::ControllerClient client(Options(quorum.voters(), std::chrono::milliseconds(50)));
  controllerpb::RegisterBrokerRequest reg;
  reg.set_broker_id(1);
  reg.mutable_incarnation_id()->set_hi(1);
  reg.mutable_incarnation_id()->set_lo(static_cast<uint64_t>(getpid()));
  auto registered = client.RegisterBroker(reg);
  CHECK(registered.ok() && registered->error().code() == 0) << "no quorum: "
                                                            << (registered.ok() ? registered->ShortDebugString()
                                                                                : registered.status().ToString());
  controllerpb::AllocateProducerIdsRequest alloc;
  alloc.set_broker_id(1);
  alloc.set_broker_epoch(registered->broker_epoch());
  controllerpb::BrokerHeartbeatRequest hb;
  hb.set_broker_id(1);
  hb.set_broker_epoch(registered->broker_epoch());
  hb.set_current_metadata_offset(registered->broker_epoch());
  // Keep broker 1 unfenced (CreateTopics needs a live broker to place on).
  std::atomic<bool> stop_heartbeats{false};
  std::thread heartbeats([&] {
    client::ControllerClient own(Options(quorum.voters(), std::chrono::milliseconds(50)));
    while (!stop_heartbeats) {
      (void)own.BrokerHeartbeat(hb);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  struct Joiner {
    std::atomic<bool>* stop;
    std::thread* t;
    ~Joiner() {
      *stop = true;
      t->join();
    }
  } joiner{&stop_heartbeats, &heartbeats};

  // 2. Commit latency, one write at a time.
  std::vector<double> lat;
  for (int i = 0; i < FLAGS_latency_ops; ++i) {
    auto t0 = Clock::now();
    auto r = client.AllocateProducerIds(alloc);
    CHECK(r.ok() && r->error().code() == 0);
    lat.push_back(Ms(Clock::now() - t0));
  }
  const Percentiles commit = Summarize(lat);
  std::printf("commit latency (AllocateProducerIds, sequential): p50 %.3f ms  p99 %.3f ms  max %.3f ms"
              "  = %.1fx / %.1fx the fsync p50/p99\n",
              commit.p50, commit.p99, commit.max, commit.p50 / fsync.p50, commit.p99 / fsync.p99);

  // 3. Throughput with concurrent callers.
  auto throughput = [&](const char* name, auto op) {
    std::atomic<int64_t> ops{0};
    std::atomic<int64_t> failures{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    const auto t0 = Clock::now();
    for (int c = 0; c < FLAGS_clients; ++c) {
      threads.emplace_back([&, c] {
        client::ControllerClient own(Options(quorum.voters(), std::chrono::milliseconds(50)));
        for (int64_t i = 0; !stop; ++i) {
          std::string error;
          if (op(own, c, i, &error)) {
            ++ops;
          } else if (failures++ == 0) {
            std::printf("  first failure: %s\n", error.c_str());
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::seconds(FLAGS_seconds));
    stop = true;
    for (auto& t : threads) t.join();
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("throughput %-40s %8.0f committed ops/s (%d callers, %.1f s, %ld failed) = %.1f ops per "
                "fsync-p50 time\n",
                name, ops / secs, FLAGS_clients, secs, static_cast<long>(failures.load()),
                ops / secs * fsync.p50 / 1000);
  };
  auto describe = [](const auto& r) {
    return r.ok() ? r->ShortDebugString() : r.status().ToString();
  };
  throughput("AllocateProducerIds (1 record/op):",
             [&](client::ControllerClient& c, int, int64_t, std::string* error) {
               auto r = c.AllocateProducerIds(alloc);
               if (r.ok() && r->error().code() == 0) return true;
               *error = describe(r);
               return false;
             });
  throughput("CreateTopics (1 partition, RF 1, 2 records):",
             [&](client::ControllerClient& c, int caller, int64_t i, std::string* error) {
    controllerpb::CreateTopicsRequest req;
    auto* t = req.add_topics();
    t->set_name(absl::StrCat("bench-", caller, "-", i));
    t->set_num_partitions(1);
    t->set_replication_factor(1);
    auto r = c.CreateTopics(req);
    if (r.ok() && r->error().code() == 0 && r->topics(0).error().code() == 0) return true;
    *error = describe(r);
    return false;
  });

  // 4. Failover: kill -9 the leader, time to the next committed write.
  std::vector<double> failover;
  for (int f = 0; f < FLAGS_failovers; ++f) {
    auto q = client.DescribeQuorum();
    CHECK(q.ok() && q->error().code() == 0);
    const int leader = q->leader().leader_id();
    const auto t0 = Clock::now();
    quorum.Kill(leader);
    client::ControllerClient after(Options(quorum.voters(), std::chrono::milliseconds(50)));
    auto r = after.AllocateProducerIds(alloc);
    CHECK(r.ok() && r->error().code() == 0) << (r.ok() ? r->ShortDebugString() : r.status().ToString());
    failover.push_back(Ms(Clock::now() - t0));
    std::printf("failover %d: killed leader %d, next write committed after %.0f ms\n", f + 1, leader,
                failover.back());
    // Restart it and wait until it has caught up (every voter's match index
    // at the commit index) before the next kill: otherwise the next kill
    // leaves no quorum and measures the restart, not the failover.
    const auto r0 = Clock::now();
    quorum.Start(leader);
    bool caught_up = false;
    while (!caught_up && Clock::now() - r0 < std::chrono::seconds(120)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      auto d = after.DescribeQuorum();
      if (!d.ok() || d->error().code() != 0 || d->voters_size() != 3) continue;
      caught_up = true;
      for (const auto& v : d->voters()) caught_up = caught_up && v.match_index() >= d->commit_index();
    }
    std::printf("  node %d restarted and caught up after %.0f ms\n", leader, Ms(Clock::now() - r0));
  }
  if (!failover.empty()) {
    const Percentiles fo = Summarize(failover);
    std::printf("failover (kill -9 leader -> next committed write): p50 %.0f ms  max %.0f ms\n", fo.p50,
                fo.max);
  }
  return 0;
}

}  // namespace
}  // namespace gregor::controller::bench

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  return gregor::controller::bench::Main();
}
