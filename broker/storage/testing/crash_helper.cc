// Test helper for crash_test: opens (recovering) a log dir with the real
// file system, then appends batches forever with durability on, reporting on
// stdout
//   "R <log end offset>\n"   once the log is open,
//   "D <end offset>\n"       each time every offset below <end offset> is durable.
// The parent kills it with SIGKILL at a random moment and checks that
// recovery kept everything reported durable.
//
// Record values are a function of their offset (ValueFor), so the parent can
// check every surviving record's content.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <random>

#include "absl/strings/str_cat.h"
#include "broker/storage/log_manager.h"
#include "broker/storage/testing/crash_values.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "proto/kafka/records/record_batch_builder.h"

DEFINE_string(dir, "", "log dir");
DEFINE_uint64(seed, 1, "random seed");
DEFINE_int64(segment_bytes, 256 << 10, "segment.bytes");
DEFINE_int64(retention_bytes, 4 << 20, "retention.bytes");

namespace gregor::storage {
namespace {

void Say(const std::string& line) {
  std::string s = line + "\n";
  ssize_t n = ::write(1, s.data(), s.size());
  (void)n;
}

int Run() {
  LogManagerOptions o;
  o.log_dirs = {FLAGS_dir};
  o.default_config.segment_bytes = FLAGS_segment_bytes;
  o.default_config.retention_bytes = FLAGS_retention_bytes;
  o.default_config.retention_ms = -1;
  o.storage.recovery_point_checkpoint_interval_ms = 10;
  o.storage.high_watermark_checkpoint_interval_ms = 50;
  o.storage.log_start_offset_checkpoint_interval_ms = 50;
  o.storage.retention_check_interval_ms = 10;
  o.storage.background_threads = 2;
  o.storage.cleaner_threads = 0;
  auto m = LogManager::Open(Env::Default(), Clock::Real(), o);
  CHECK(m.ok()) << m.status();
  auto log = (*m)->GetOrCreateLog(kCrashPartition, Uuid(7, 7), o.default_config);
  CHECK(log.ok()) << log.status();
  Say(absl::StrCat("R ", (*log)->log_end_offset().value()));

  std::mt19937_64 rng(FLAGS_seed);
  int32_t epoch = (*log)->LatestEpoch().value_or(LeaderEpoch(0)).value();
  std::atomic<int64_t> reported{0};
  for (int64_t n = 0;; ++n) {
    if (rng() % 64 == 0) ++epoch;
    const int64_t base = (*log)->log_end_offset().value();
    const int records = 1 + static_cast<int>(rng() % 8);
    // Mostly small values, sometimes large ones (torn writes need big writes).
    const size_t value_bytes = rng() % 32 == 0 ? 8 << 10 : 32 + rng() % 256;
    kafka::RecordBatchBuilderOptions bo;
    bo.base_offset = 0;
    kafka::RecordBatchBuilder builder(bo);
    for (int i = 0; i < records; ++i) {
      CHECK(builder
                .Append(1'700'000'000'000 + base + i, absl::StrCat("k", (base + i) % 97),
                        ValueFor(base + i, value_bytes))
                .ok());
    }
    auto batch = builder.Build();
    CHECK(batch.ok());
    auto r = (*log)->AppendAsLeader({batch->data(), batch->size()}, LeaderEpoch(epoch));
    CHECK(r.ok()) << r.status();
    CHECK_EQ(r->first_offset.value(), base);
    if (rng() % 3 == 0) {
      (*log)->WhenDurable(r->last_offset + 1,
                          [&reported, end = r->last_offset.value() + 1](absl::Status s) {
                            CHECK(s.ok()) << s;
                            int64_t prev = reported.load();
                            while (prev < end && !reported.compare_exchange_weak(prev, end)) {
                            }
                            if (prev < end) Say(absl::StrCat("D ", end));
                          });
    }
    (*log)->SetHighWatermark((*log)->durable_offset());
  }
}

}  // namespace
}  // namespace gregor::storage

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  FLAGS_logtostderr = true;
  FLAGS_minloglevel = 1;
  google::InitGoogleLogging(argv[0]);
  return gregor::storage::Run();
}
