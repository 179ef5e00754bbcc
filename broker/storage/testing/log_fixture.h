// A fixture for Log tests: a temporary partition directory, a fake clock, a
// fault-injecting Env over the real one, and helpers to append and read back
// batches.
#ifndef GREGOR_BROKER_STORAGE_TESTING_LOG_FIXTURE_H_
#define GREGOR_BROKER_STORAGE_TESTING_LOG_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "broker/storage/flusher.h"
#include "broker/storage/log.h"
#include "broker/storage/segment_cache.h"
#include "broker/storage/testing/batch_builder.h"
#include "broker/storage/testing/fault_env.h"
#include "broker/storage/testing/temp_dir.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::storage::testing {

class LogFixture : public ::testing::Test {
 protected:
  LogFixture() : env_(Env::Default()) {
    config_.segment_bytes = 1 << 20;
    config_.index_interval_bytes = 256;
    options_.sync_before_ack = true;
  }

  LogParams Params() {
    LogParams p;
    p.env = &env_;
    p.clock = &clock_;
    p.flusher = flusher_.get();
    p.segment_context = ctx_;
    p.dir = dir_.Sub("orders-0");
    p.topic_partition = {"orders", 0};
    p.config = config_;
    p.options = options_;
    return p;
  }

  std::shared_ptr<Log> OpenLog() { return OpenLog(Params()); }
  std::shared_ptr<Log> OpenLog(LogParams p) {
    auto log = Log::Open(std::move(p));
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *log : nullptr;
  }

  // Appends one batch of `records` records as leader; returns the result.
  AppendResult AppendRecords(Log& log, int records, size_t value_bytes = 40, int32_t epoch = 0) {
    std::string b = MakeBatch(0, records, value_bytes, clock_.WallMillis());
    auto r = log.AppendAsLeader({b.data(), b.size()}, LeaderEpoch(epoch));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : AppendResult{};
  }

  // Every batch from `from` to the log end, read region by region.
  std::vector<kafka::BatchHeader> ReadHeaders(Log& log, int64_t from = -1) {
    std::vector<kafka::BatchHeader> out;
    int64_t next = from < 0 ? log.log_start_offset().value() : from;
    while (next < log.log_end_offset().value()) {
      auto r = log.Read(Offset(next), ReadOptions{Offset(INT64_MAX), 1 << 20, true});
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok() || r->region.empty()) break;
      auto bytes = r->region.ReadAll();
      EXPECT_TRUE(bytes.ok());
      std::string_view rest = *bytes;
      while (!rest.empty()) {
        auto size = kafka::NextBatchSize(rest, 1 << 30);
        EXPECT_TRUE(size.ok());
        EXPECT_TRUE(kafka::ValidateBatch(rest.substr(0, *size)).ok());
        out.push_back(kafka::ParseBatchHeader(rest.data()));
        rest.remove_prefix(*size);
      }
      next = out.back().next_offset();
    }
    return out;
  }

  TempDir dir_;
  FakeClock clock_;
  FaultInjectionEnv env_;
  std::shared_ptr<const SegmentContext> ctx_ =
      SegmentContext::Make(&env_, std::make_shared<SegmentCache>(64));
  std::unique_ptr<Flusher> flusher_;
  LogConfig config_;
  StorageOptions options_;
};

}  // namespace gregor::storage::testing

#endif  // GREGOR_BROKER_STORAGE_TESTING_LOG_FIXTURE_H_
