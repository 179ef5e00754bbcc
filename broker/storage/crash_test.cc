// Crash test: a child process (testing/crash_helper) appends with durability
// on and is killed with SIGKILL at random moments, hundreds of times over the
// same log directory. After each kill (or every other one, so that the
// helper's own start-up recovers a freshly crashed directory too) the log is
// recovered and checked: every batch reported durable is there, and every
// surviving batch is whole, CRC-valid, contiguous and holds the values the
// helper wrote. --crash_iterations / --crash_seed change the run; the
// crash_test_long target runs thousands of iterations.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/storage/checkpoint_file.h"
#include "broker/storage/log.h"
#include "broker/storage/testing/crash_values.h"
#include "broker/storage/testing/temp_dir.h"
#include "gflags/gflags.h"
#include "gtest/gtest.h"
#include "proto/kafka/records/batch_iterator.h"
#include "proto/kafka/records/record_batch_reader.h"

DEFINE_int32(crash_iterations, 200, "kill/recover cycles");
DEFINE_uint64(crash_seed, 1, "seed of the kill times and the helper's appends");

namespace gregor::storage {
namespace {

constexpr char kHelper[] = "broker/storage/crash_helper";

struct Child {
  pid_t pid = -1;
  int out = -1;  // read end of its stdout
  std::string buffered;
};

Child Spawn(const std::string& dir, uint64_t seed) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    std::string a1 = "--dir=" + dir, a2 = absl::StrCat("--seed=", seed);
    execl(kHelper, kHelper, a1.c_str(), a2.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  return {pid, fds[0], ""};
}

// Reads the child's lines for up to `wait_ms` (or until EOF); calls `on_line`.
template <typename F>
bool ReadLines(Child& c, int wait_ms, F on_line) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (true) {
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now())
                                    .count());
    if (left < 0) return true;
    pollfd p{c.out, POLLIN, 0};
    if (poll(&p, 1, left) <= 0) continue;
    char buf[4096];
    ssize_t n = read(c.out, buf, sizeof(buf));
    if (n <= 0) return false;  // EOF: the child is gone
    c.buffered.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = c.buffered.find('\n')) != std::string::npos) {
      std::string line = c.buffered.substr(0, nl);
      c.buffered.erase(0, nl + 1);
      if (!on_line(line)) return true;
    }
  }
}

// Recovers the log as the LogManager would after an unclean stop and checks
// it: every batch from the log start is whole, CRC-valid and contiguous; the
// record values are checked from `values_from` on (older ones were checked by
// an earlier round). Returns the log end offset.
int64_t Verify(const std::string& log_dir, int64_t durable, int64_t values_from, int iteration) {
  auto ctx = SegmentContext::Make(Env::Default(), nullptr);
  LogParams p;
  p.env = Env::Default();
  p.clock = Clock::Real();
  p.segment_context = ctx;
  p.dir = JoinPath(log_dir, kCrashPartition.DirName());
  p.topic_partition = kCrashPartition;
  p.config.segment_bytes = 256 << 10;
  auto rp = ReadOffsetCheckpoint(Env::Default(), JoinPath(log_dir, kRecoveryPointCheckpointFile));
  if (rp.ok() && rp->count(kCrashPartition)) p.recovery_point = rp->at(kCrashPartition);
  auto ls = ReadOffsetCheckpoint(Env::Default(), JoinPath(log_dir, kLogStartOffsetCheckpointFile));
  if (ls.ok() && ls->count(kCrashPartition)) p.log_start_offset = ls->at(kCrashPartition);
  auto log = Log::Open(p);
  EXPECT_TRUE(log.ok()) << "iteration " << iteration << ": " << log.status();
  if (!log.ok()) return -1;
  const int64_t leo = (*log)->log_end_offset().value();
  EXPECT_GE(leo, durable) << "iteration " << iteration << " lost acknowledged records";
  int64_t next = (*log)->log_start_offset().value();
  EXPECT_LE(next, std::max(durable, next));
  kafka::RecordBatchReader reader;
  while (next < leo) {
    auto r = (*log)->Read(Offset(next), ReadOptions{Offset(INT64_MAX), 1 << 20, true});
    EXPECT_TRUE(r.ok() && !r->region.empty()) << "iteration " << iteration;
    if (!r.ok() || r->region.empty()) return -1;
    std::string bytes = *r->region.ReadAll();
    kafka::BatchIterator it(bytes);
    std::string_view batch;
    while (it.Next(&batch)) {
      EXPECT_EQ(it.header().base_offset, next) << "iteration " << iteration;
      if (it.header().last_offset() >= values_from) {
        EXPECT_TRUE(reader.Reset(batch).ok());
        kafka::Record rec;
        int64_t expect = next;
        while (reader.Next(&rec)) {
          EXPECT_EQ(rec.offset, expect);
          EXPECT_TRUE(rec.value && IsValueFor(rec.offset, *rec.value))
              << "iteration " << iteration << ": wrong value at offset " << rec.offset;
          ++expect;
        }
        EXPECT_TRUE(reader.status().ok()) << reader.status();
        EXPECT_EQ(expect, it.header().next_offset());
      }
      next = it.header().next_offset();
    }
    EXPECT_TRUE(it.status().ok()) << "iteration " << iteration << ": " << it.status();
    if (!it.status().ok()) return -1;
  }
  for (const EpochEntry& e : (*log)->EpochEntries()) EXPECT_LE(e.start_offset.value(), leo);
  return leo;
}

TEST(CrashTest, RecoveryKeepsEveryBatchReportedDurable) {
  ASSERT_EQ(access(kHelper, X_OK), 0) << "missing " << kHelper;
  testing::TempDir dir;
  const std::string log_dir = dir.Sub("logs");
  std::mt19937_64 rng(FLAGS_crash_seed);
  int64_t durable = 0;
  int64_t verified = 0;  // values below it were checked already
  int kills_mid_run = 0;
  for (int it = 0; it < FLAGS_crash_iterations; ++it) {
    Child c = Spawn(log_dir, FLAGS_crash_seed * 1'000'003 + it);
    bool ready = false;
    auto on_line = [&](const std::string& line) {
      std::vector<std::string> f = absl::StrSplit(line, ' ');
      int64_t v = 0;
      if (f.size() == 2 && absl::SimpleAtoi(f[1], &v)) {
        if (f[0] == "R") {
          EXPECT_GE(v, durable) << "iteration " << it << ": the helper opened a shorter log";
          ready = true;
          return false;
        }
        if (f[0] == "D") durable = std::max(durable, v);
      }
      return true;
    };
    ReadLines(c, 10'000, on_line);
    ASSERT_TRUE(ready) << "iteration " << it << ": the helper did not start";
    // Let it append for a random while, then kill it.
    ReadLines(c, static_cast<int>(rng() % 40), on_line);
    kill(c.pid, SIGKILL);
    int status = 0;
    waitpid(c.pid, &status, 0);
    kills_mid_run += WIFSIGNALED(status);
    ReadLines(c, 1000, on_line);  // what it reported before dying counts
    close(c.out);
    if (it % 2 == 1 || it + 1 == FLAGS_crash_iterations) {
      // Values of the durable prefix never change; recheck a margin below it.
      int64_t leo = Verify(log_dir, durable, std::max<int64_t>(0, verified - 1000), it);
      if (::testing::Test::HasFailure()) return;
      verified = std::min(leo, durable);
    }
  }
  EXPECT_EQ(kills_mid_run, FLAGS_crash_iterations);
  EXPECT_GT(durable, 0);
  std::cout << FLAGS_crash_iterations << " kills; " << durable
            << " offsets acknowledged as durable, all recovered\n";
}

}  // namespace
}  // namespace gregor::storage
