// Storage engine benchmark (not a test): sequential appends of 1 KiB-record
// batches (16 KiB and 1 MiB batches) with durability off and on, and
// sequential reads, each printed next to the raw bandwidth of the same disk
// measured in the same run by plain pwrite/fdatasync/pread of the same sizes.
//
//   bazel run -c opt //tests/bench/storage:storage_bench -- --dir=/var/tmp/bench
//
// Cases (Gregor vs raw):
//   append, no sync             Log::AppendAsLeader, page cache only (Kafka's
//                               mode), CRC-32C checked by the log / already
//                               checked by the gateway (crc_verified)
//                               vs pwrite of the same chunks
//   append, fdatasync per MiB   Log::Flush() after every MiB appended (the
//                               engine's own cost of a sync) vs pwrite + an
//                               fdatasync per MiB
//   append, wait per MiB        after every MiB, wait for WhenDurable: the
//                               shared flusher thread syncs (adds two thread
//                               hand-offs per sync) vs the same raw
//   append, group commit        appends never wait; WhenDurable callbacks with
//                               at most 8 MiB in flight while the flusher
//                               syncs behind (vs the same raw)
//   read, warm / cold           Log::Read regions of 1 MiB copied out with
//                               pread, from the page cache / after evicting
//                               it, vs pread of the raw file in 1 MiB chunks
// The machine may be shared: each case runs --repeat (raw, Gregor) pairs in
// alternating order after a sync(2); the medians and the median of the
// per-pair ratios are printed.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "broker/storage/log_manager.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "proto/kafka/records/record_batch_builder.h"

DEFINE_string(dir, "/var/tmp/gregor-storage-bench", "scratch directory on the disk to measure");
DEFINE_int64(total_mib, 256, "MiB written per append case");
DEFINE_int32(repeat, 3, "runs per case (the median is reported)");
DEFINE_int32(partitions, 1000, "partitions for the open-time measurement (0: skip)");

namespace gregor::storage {
namespace {

using Clock_ = std::chrono::steady_clock;
constexpr int64_t kMiB = 1 << 20;

double Seconds(Clock_::time_point a, Clock_::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A batch of 1 KiB records of about `bytes` bytes.
std::string MakeBatch(int64_t bytes) {
  kafka::RecordBatchBuilder b;
  std::string value(1000, 'x');
  for (int i = 0; i < bytes / 1024; ++i) {
    value[i % value.size()] = static_cast<char>('a' + i % 26);
    CHECK(b.Append(1'700'000'000'000 + i, absl::StrCat("key-", i), value).ok());
  }
  return *b.Build();
}

void Evict(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  CHECK_GE(fd, 0) << path;
  fdatasync(fd);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  close(fd);
}

// ---- raw baselines

double RawWrite(const std::string& path, int64_t total, int64_t chunk, int64_t sync_every) {
  std::string buf = MakeBatch(chunk);
  unlink(path.c_str());
  int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  CHECK_GE(fd, 0);
  auto t0 = Clock_::now();
  int64_t off = 0, since = 0;
  while (off < total) {
    CHECK_EQ(pwrite(fd, buf.data(), buf.size(), off), static_cast<ssize_t>(buf.size()));
    off += static_cast<int64_t>(buf.size());
    since += static_cast<int64_t>(buf.size());
    if (sync_every > 0 && since >= sync_every) {
      CHECK_EQ(fdatasync(fd), 0);
      since = 0;
    }
  }
  if (sync_every > 0) CHECK_EQ(fdatasync(fd), 0);
  double mbps = static_cast<double>(off) / kMiB / Seconds(t0, Clock_::now());
  close(fd);
  return mbps;
}

double RawRead(const std::string& path, bool cold) {
  if (cold) Evict(path);
  int fd = open(path.c_str(), O_RDONLY);
  CHECK_GE(fd, 0);
  std::string buf(kMiB, '\0');
  auto t0 = Clock_::now();
  int64_t off = 0;
  while (true) {
    ssize_t n = pread(fd, buf.data(), buf.size(), off);
    CHECK_GE(n, 0);
    if (n == 0) break;
    off += n;
  }
  double mbps = static_cast<double>(off) / kMiB / Seconds(t0, Clock_::now());
  close(fd);
  return mbps;
}

// ---- the storage engine

enum class Sync { kNone, kFlushPerMiB, kWaitPerMiB, kPipelined };

struct Bench {
  std::shared_ptr<const SegmentContext> ctx =
      SegmentContext::Make(Env::Default(), std::make_shared<SegmentCache>(64));
  std::unique_ptr<Flusher> flusher = std::make_unique<Flusher>(1);
  std::shared_ptr<Log> log;

  void Open(const std::string& dir, bool sync_before_ack) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    LogParams p;
    p.env = Env::Default();
    p.clock = gregor::Clock::Real();
    p.flusher = flusher.get();
    p.segment_context = ctx;
    p.dir = dir + "/bench-0";
    p.topic_partition = {"bench", 0};
    p.config.segment_bytes = 1 << 30;
    p.config.max_message_bytes = 2 << 20;
    p.options.sync_before_ack = sync_before_ack;
    auto l = Log::Open(p);
    CHECK(l.ok()) << l.status();
    log = *l;
  }
};

double StorageAppend(Bench& b, int64_t total, int64_t batch_bytes, Sync sync,
                     bool crc_verified = false) {
  std::string batch = MakeBatch(batch_bytes);
  LeaderAppendOptions opts;
  opts.crc_verified = crc_verified;
  int64_t appended = 0, since = 0;
  absl::Mutex mu;
  int64_t in_flight = 0;
  auto t0 = Clock_::now();
  while (appended < total) {
    auto r = b.log->AppendAsLeader({batch.data(), batch.size()}, LeaderEpoch(1), opts);
    CHECK(r.ok()) << r.status();
    appended += static_cast<int64_t>(batch.size());
    since += static_cast<int64_t>(batch.size());
    if (sync == Sync::kFlushPerMiB && since >= kMiB) {
      CHECK(b.log->Flush().ok());
      since = 0;
    } else if (sync == Sync::kWaitPerMiB && since >= kMiB) {
      absl::Notification done;
      b.log->WhenDurable(r->last_offset + 1, [&](absl::Status s) {
        CHECK(s.ok());
        done.Notify();
      });
      done.WaitForNotification();
      since = 0;
    } else if (sync == Sync::kPipelined) {
      const int64_t bytes = static_cast<int64_t>(batch.size());
      {
        absl::MutexLock l(&mu);
        in_flight += bytes;
      }
      b.log->WhenDurable(r->last_offset + 1, [&, bytes](absl::Status s) {
        CHECK(s.ok());
        absl::MutexLock l(&mu);
        in_flight -= bytes;
      });
      absl::MutexLock l(&mu);
      auto room = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return in_flight <= 8 * kMiB; };
      mu.Await(absl::Condition(&room));
    }
  }
  if (sync != Sync::kNone) {
    absl::Notification done;
    b.log->WhenDurable(b.log->log_end_offset(), [&](absl::Status) { done.Notify(); });
    done.WaitForNotification();
    absl::MutexLock l(&mu);
    auto drained = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return in_flight == 0; };
    mu.Await(absl::Condition(&drained));
  }
  return static_cast<double>(appended) / kMiB / Seconds(t0, Clock_::now());
}

double StorageRead(Bench& b, bool cold) {
  if (cold) {
    CHECK(b.log->Flush().ok());
    for (int64_t base : b.log->SegmentBaseOffsets()) {
      Evict(b.log->dir() + "/" + Segment::FileName(base, ".log"));
    }
  }
  std::string buf(2 * kMiB, '\0');
  auto t0 = Clock_::now();
  int64_t next = 0, bytes = 0;
  const int64_t leo = b.log->log_end_offset().value();
  while (next < leo) {
    auto r = b.log->Read(Offset(next), ReadOptions{Offset(INT64_MAX), kMiB, true});
    CHECK(r.ok()) << r.status();
    CHECK(!r->region.empty());
    CHECK_LE(r->region.length, buf.size());
    CHECK(r->region.CopyTo(buf.data()).ok());
    bytes += static_cast<int64_t>(r->region.length);
    // The next offset: after the last batch of the region.
    const char* p = buf.data();
    size_t left = r->region.length;
    while (left > 0) {
      kafka::BatchHeader h = kafka::ParseBatchHeader(p);
      next = h.next_offset();
      p += h.total_size();
      left -= h.total_size();
    }
  }
  return static_cast<double>(bytes) / kMiB / Seconds(t0, Clock_::now());
}

struct Row {
  std::string name;
  double gregor;
  double raw;
  double ratio;  // median of the per-pair ratios
};

void Print(const std::vector<Row>& rows) {
  std::printf("\n| case | Gregor MB/s | raw disk MB/s | Gregor / raw |\n|---|---:|---:|---:|\n");
  for (const Row& r : rows) {
    std::printf("| %s | %.0f | %.0f | %.0f%% |\n", r.name.c_str(), r.gregor, r.raw,
                100.0 * r.ratio);
  }
  std::fflush(stdout);
}

// Runs (raw, gregor) pairs in alternating order; `setup` runs untimed
// before each Gregor run.
Row Pair(const std::string& name, const std::function<double()>& raw,
         const std::function<double()>& gregor) {
  std::vector<double> g, r, ratio;
  for (int i = 0; i < FLAGS_repeat; ++i) {
    double a, b;
    sync();
    if (i % 2 == 0) {
      a = raw();
      sync();
      b = gregor();
    } else {
      b = gregor();
      sync();
      a = raw();
    }
    r.push_back(a);
    g.push_back(b);
    ratio.push_back(b / a);
  }
  return {name, Median(g), Median(r), Median(ratio)};
}

int Main() {
  const std::string dir = FLAGS_dir;
  std::filesystem::create_directories(dir);
  const int64_t total = FLAGS_total_mib * kMiB;
  const std::string raw = dir + "/raw.bin";
  const std::string logdir = dir + "/log";
  std::vector<Row> rows;
  for (int64_t batch : {int64_t{16 * 1024}, kMiB}) {
    const std::string size = batch == kMiB ? "1 MiB" : "16 KiB";
    Bench b;
    auto append = [&](bool sync_before_ack, Sync mode, bool crc_verified) {
      return [&, sync_before_ack, mode, crc_verified] {
        b.Open(logdir, sync_before_ack);
        return StorageAppend(b, total, batch, mode, crc_verified);
      };
    };
    auto raw_write = [&](int64_t sync_every) {
      return [&, sync_every] { return RawWrite(raw, total, batch, sync_every); };
    };
    const std::string what = absl::StrCat("append ", size, " batches");
    rows.push_back(Pair(what + ", no sync", raw_write(0), append(false, Sync::kNone, false)));
    rows.push_back(Pair(what + ", no sync, CRC checked by the gateway", raw_write(0),
                        append(false, Sync::kNone, true)));
    rows.push_back(Pair(what + ", fdatasync per MiB", raw_write(kMiB),
                        append(true, Sync::kFlushPerMiB, false)));
    rows.push_back(Pair(what + ", wait for the flusher per MiB", raw_write(kMiB),
                        append(true, Sync::kWaitPerMiB, false)));
    rows.push_back(Pair(what + ", group commit, 8 MiB in flight", raw_write(kMiB),
                        append(true, Sync::kPipelined, false)));
    if (batch == kMiB) {
      // Reads of a log and a raw file of the same size.
      b.Open(logdir, false);
      StorageAppend(b, total, batch, Sync::kNone);
      CHECK(b.log->Flush().ok());
      RawWrite(raw, total, batch, kMiB);
      rows.push_back(Pair(
          "sequential read, page cache (1 MiB regions)", [&] { return RawRead(raw, false); },
          [&] { return StorageRead(b, false); }));
      rows.push_back(Pair(
          "sequential read, from disk (1 MiB regions)", [&] { return RawRead(raw, true); },
          [&] { return StorageRead(b, true); }));
    }
    b.log.reset();
    std::filesystem::remove_all(logdir);
    Print(rows);
  }
  unlink(raw.c_str());

  if (FLAGS_partitions > 0) {
    // Start-up: open N partitions after a clean shutdown.
    const std::string pdir = dir + "/partitions";
    std::filesystem::remove_all(pdir);
    LogManagerOptions o;
    o.log_dirs = {pdir};
    o.start_background_tasks = false;
    {
      auto m = LogManager::Open(Env::Default(), gregor::Clock::Real(), o);
      CHECK(m.ok());
      std::string batch = MakeBatch(16 * 1024);
      for (int p = 0; p < FLAGS_partitions; ++p) {
        auto log = (*m)->GetOrCreateLog({"many", p}, Uuid(), o.default_config);
        CHECK(log.ok());
        CHECK((*log)->AppendAsLeader({batch.data(), batch.size()}, LeaderEpoch(0)).ok());
      }
      CHECK((*m)->Shutdown().ok());
    }
    auto t0 = Clock_::now();
    auto m = LogManager::Open(Env::Default(), gregor::Clock::Real(), o);
    CHECK(m.ok());
    double ms = Seconds(t0, Clock_::now()) * 1000;
    std::printf("\nopen %d partitions after a clean shutdown: %.0f ms\n", FLAGS_partitions, ms);
    CHECK((*m)->Shutdown().ok());
    std::filesystem::remove_all(pdir);
  }
  return 0;
}

}  // namespace
}  // namespace gregor::storage

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  FLAGS_logtostderr = true;
  FLAGS_minloglevel = 1;
  google::InitGoogleLogging(argv[0]);
  return gregor::storage::Main();
}
