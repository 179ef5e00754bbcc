#include "broker/storage/cleaner.h"

#include <map>
#include <thread>

#include "broker/storage/checkpoint_file.h"
#include "broker/storage/log_manager.h"
#include "broker/storage/testing/log_fixture.h"
#include "proto/kafka/records/batch_iterator.h"
#include "proto/kafka/records/record_batch_reader.h"

namespace gregor::storage {
namespace {

using testing::BatchSpec;
using testing::BuildBatch;
using testing::MakeControlBatch;

struct KV {
  int64_t offset;
  std::string key;
  std::optional<std::string> value;
};

class CleanerTest : public testing::LogFixture {
 protected:
  CleanerTest() {
    config_.segment_bytes = 2048;
    config_.cleanup_compact = true;
    config_.cleanup_delete = false;
    config_.delete_retention_ms = 60'000;
    config_.segment_ms = 3'600'000;
  }

  // Rolls the active segment, so that everything written so far may be cleaned.
  void RollActive(Log& log) {
    clock_.Advance(std::chrono::milliseconds(config_.segment_ms + 1));
    Put(log, "roll", "x");
  }

  AppendResult Put(Log& log, const std::string& key, std::optional<std::string> value,
                   int64_t pid = -1, bool txn = false) {
    BatchSpec s;
    s.records = {{key, std::move(value), 0}};
    s.base_timestamp = clock_.WallMillis();
    s.producer_id = pid;
    s.producer_epoch = pid >= 0 ? 0 : -1;
    s.base_sequence = pid >= 0 ? 0 : -1;
    s.transactional = txn;
    std::string b = BuildBatch(s);
    auto r = log.AppendAsLeader({b.data(), b.size()}, LeaderEpoch(0));
    EXPECT_TRUE(r.ok()) << r.status();
    return *r;
  }
  void Marker(Log& log, int64_t pid, bool commit) {
    std::string b = MakeControlBatch(0, pid, 0, commit, clock_.WallMillis());
    ASSERT_TRUE(log.AppendAsLeader({b.data(), b.size()}, LeaderEpoch(0),
                                   {.origin = AppendOrigin::kCoordinator})
                    .ok());
  }
  // Every data record of the log, in order.
  std::vector<KV> Contents(Log& log) {
    std::vector<KV> out;
    int64_t next = log.log_start_offset().value();
    kafka::RecordBatchReader reader;
    while (next < log.log_end_offset().value()) {
      auto r = log.Read(Offset(next), ReadOptions{});
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok() || r->region.empty()) break;
      std::string bytes = *r->region.ReadAll();
      kafka::BatchIterator it(bytes);
      std::string_view batch;
      while (it.Next(&batch)) {
        next = it.header().next_offset();
        if (it.header().is_control()) continue;
        EXPECT_TRUE(reader.Reset(batch).ok());
        kafka::Record rec;
        while (reader.Next(&rec)) {
          out.push_back(
              {rec.offset, std::string(*rec.key),
               rec.value ? std::optional<std::string>(std::string(*rec.value)) : std::nullopt});
        }
      }
      EXPECT_TRUE(it.status().ok()) << it.status();
    }
    return out;
  }
  std::shared_ptr<Log> Ready(std::shared_ptr<Log> log) {
    log->SetHighWatermark(log->log_end_offset());
    EXPECT_TRUE(log->Flush().ok());
    return log;
  }

  Cleaner cleaner_{&env_, &clock_, StorageOptions()};
};

TEST_F(CleanerTest, KeepsTheLatestValueOfEveryKey) {
  auto log = OpenLog();
  std::map<std::string, std::string> latest;
  for (int round = 0; round < 10; ++round) {
    for (int k = 0; k < 8; ++k) {
      std::string key = "key" + std::to_string(k);
      std::string value = "v" + std::to_string(round) + std::string(60, 'x');
      Put(*log, key, value);
      latest[key] = value;
    }
  }
  RollActive(*log);
  Ready(log);
  const int64_t leo = log->log_end_offset().value();
  const uint64_t size = log->size_bytes();
  auto r = cleaner_.Clean(*log, 0);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->groups_swapped, 0);
  EXPECT_EQ(log->log_end_offset().value(), leo);
  EXPECT_LT(log->size_bytes(), size / 4);
  std::map<std::string, std::string> seen;
  int64_t prev = -1;
  for (const KV& kv : Contents(*log)) {
    EXPECT_GT(kv.offset, prev);
    prev = kv.offset;
    if (kv.key == "roll") continue;
    EXPECT_EQ(seen.count(kv.key), 0u) << "duplicate " << kv.key;
    seen[kv.key] = *kv.value;
  }
  EXPECT_EQ(seen, latest);
  // A read at an offset that was removed starts at the next surviving batch.
  auto read = log->Read(Offset(1), ReadOptions{});
  ASSERT_TRUE(read.ok());
  EXPECT_GT(kafka::ParseBatchHeader(read->region.ReadAll()->data()).base_offset, 1);
  // Appends continue as usual.
  Put(*log, "key0", "after");
  EXPECT_EQ(log->log_end_offset().value(), leo + 1);
}

TEST_F(CleanerTest, NothingToDoIsNotAnError) {
  auto log = Ready(OpenLog());
  auto r = cleaner_.Clean(*log, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->groups_swapped, 0);
  for (int i = 0; i < 50; ++i) Put(*log, "k" + std::to_string(i), std::string(60, 'v'));
  Ready(log);
  r = cleaner_.Clean(*log, 0);  // distinct keys: nothing changes, nothing is rewritten
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->groups_swapped, 0);
  EXPECT_EQ(Contents(*log).size(), 50u);
}

TEST_F(CleanerTest, NeverCleansAboveTheHighWatermark) {
  auto log = OpenLog();
  for (int i = 0; i < 60; ++i) Put(*log, "same", std::string(60, 'v'));
  ASSERT_TRUE(log->Flush().ok());
  log->SetHighWatermark(Offset(0));
  auto r = cleaner_.Clean(*log, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->groups_swapped, 0);
  EXPECT_EQ(Contents(*log).size(), 60u);
}

TEST_F(CleanerTest, TombstonesStayForDeleteRetentionThenGo) {
  auto log = OpenLog();
  for (int i = 0; i < 30; ++i) Put(*log, "k" + std::to_string(i % 3), std::string(80, 'v'));
  Put(*log, "k0", std::nullopt);  // delete k0
  for (int i = 0; i < 30; ++i) Put(*log, "filler" + std::to_string(i), std::string(80, 'f'));
  Ready(log);
  ASSERT_TRUE(cleaner_.Clean(*log, 0).ok());
  auto has = [&](const std::string& key, bool tombstone) {
    for (const KV& kv : Contents(*log)) {
      if (kv.key == key && kv.value.has_value() != tombstone) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("k0", /*tombstone=*/true));
  EXPECT_FALSE(has("k0", /*tombstone=*/false));
  // Within delete.retention.ms a second pass keeps it.
  clock_.Advance(std::chrono::seconds(30));
  ASSERT_TRUE(cleaner_.Clean(*log, 0).ok());
  EXPECT_TRUE(has("k0", true));
  // After it, it goes.
  clock_.Advance(std::chrono::seconds(31));
  ASSERT_TRUE(cleaner_.Clean(*log, 0).ok());
  EXPECT_FALSE(has("k0", true));
  EXPECT_TRUE(has("k1", false));
}

TEST_F(CleanerTest, AbortedTransactionsAreRemovedAndOpenOnesStopTheCleaner) {
  auto log = OpenLog();
  Put(*log, "a", "committed", 1, true);
  Put(*log, "b", "aborted", 2, true);
  Marker(*log, 1, /*commit=*/true);
  Marker(*log, 2, /*commit=*/false);
  for (int i = 0; i < 40; ++i) Put(*log, "f" + std::to_string(i % 4), std::string(80, 'x'));
  const int64_t open_at = log->log_end_offset().value();
  Put(*log, "c", "open", 3, true);  // never committed
  for (int i = 0; i < 40; ++i) Put(*log, "g" + std::to_string(i % 4), std::string(80, 'x'));
  Ready(log);
  auto r = cleaner_.Clean(*log, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_LE(r->cleaned_to, open_at);
  std::vector<std::string> keys;
  for (const KV& kv : Contents(*log)) keys.push_back(kv.key);
  EXPECT_NE(std::find(keys.begin(), keys.end(), "a"), keys.end());
  EXPECT_EQ(std::find(keys.begin(), keys.end(), "b"), keys.end());
  EXPECT_NE(std::find(keys.begin(), keys.end(), "c"), keys.end());
  // Everything after the open transaction is untouched: the g* duplicates remain.
  EXPECT_EQ(
      std::count_if(keys.begin(), keys.end(), [](const std::string& k) { return k[0] == 'g'; }),
      40);
}

TEST_F(CleanerTest, AppendsAndReadsContinueWhileCleaning) {
  auto log = OpenLog();
  for (int i = 0; i < 200; ++i) Put(*log, "k" + std::to_string(i % 10), std::string(100, 'v'));
  Ready(log);
  auto r0 = log->Read(Offset(0), ReadOptions{});
  ASSERT_TRUE(r0.ok());
  FileRegion held = r0->region;
  const std::string before = *held.ReadAll();
  std::atomic<bool> done{false};
  std::thread writer([&] {
    int i = 0;
    while (!done.load() || i < 100) {
      Put(*log, "w" + std::to_string(i % 7), std::to_string(i));
      ++i;
    }
  });
  auto r = cleaner_.Clean(*log, 0);
  done = true;
  writer.join();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(r->groups_swapped, 0);
  EXPECT_EQ(*held.ReadAll(), before);  // a reader of a replaced segment still reads it
  int64_t prev = -1;
  for (const KV& kv : Contents(*log)) {
    EXPECT_GT(kv.offset, prev);
    prev = kv.offset;
  }
  EXPECT_EQ(prev, log->log_end_offset().value() - 1);
}

TEST_F(CleanerTest, SmallKeyMapCleansInSeveralPasses) {
  StorageOptions o;
  o.cleaner_dedupe_buffer_bytes = 300;  // a handful of keys
  Cleaner small(&env_, &clock_, o);
  auto log = OpenLog();
  for (int i = 0; i < 300; ++i) Put(*log, "k" + std::to_string(i % 40), std::string(50, 'v'));
  Ready(log);
  int64_t dirty = 0;
  int passes = 0;
  while (passes < 50) {
    auto r = small.Clean(*log, dirty);
    ASSERT_TRUE(r.ok());
    ++passes;
    if (r->cleaned_to <= dirty) break;
    dirty = r->cleaned_to;
  }
  EXPECT_GT(passes, 2);
  std::map<std::string, int> count;
  for (const KV& kv : Contents(*log)) count[kv.key]++;
  EXPECT_EQ(count.size(), 40u);
}

TEST_F(CleanerTest, ManagerPicksTheDirtiestLogAndCheckpointsProgress) {
  LogManagerOptions o;
  o.log_dirs = {dir_.Sub("logs")};
  o.start_background_tasks = false;
  o.default_config = config_;
  auto m = LogManager::Open(&env_, &clock_, o);
  ASSERT_TRUE(m.ok());
  auto compacted = *(*m)->GetOrCreateLog({"compacted", 0}, Uuid(), config_);
  LogConfig plain = config_;
  plain.cleanup_compact = false;
  plain.cleanup_delete = true;
  auto other = *(*m)->GetOrCreateLog({"plain", 0}, Uuid(), plain);
  for (int i = 0; i < 100; ++i) {
    Put(*compacted, "same", std::string(60, 'v'));
    Put(*other, "same", std::string(60, 'v'));
  }
  RollActive(*compacted);
  Ready(compacted);
  Ready(other);
  EXPECT_TRUE((*m)->CleanOnce());
  EXPECT_EQ(Contents(*compacted).size(), 2u);  // the latest "same" and "roll"
  EXPECT_EQ(Contents(*other).size(), 100u);
  auto cp = ReadOffsetCheckpoint(&env_, dir_.Sub("logs/cleaner-offset-checkpoint"));
  ASSERT_TRUE(cp.ok());
  EXPECT_GT(cp->at({"compacted", 0}), 0);
  EXPECT_FALSE((*m)->CleanOnce());  // nothing dirty any more
  ASSERT_TRUE((*m)->Shutdown().ok());
}

}  // namespace
}  // namespace gregor::storage
