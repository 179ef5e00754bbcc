// Builds valid Kafka RecordBatch v2 bytes (uncompressed) for tests, and
// small helpers to make many of them.
#ifndef GREGOR_BROKER_STORAGE_TESTING_BATCH_BUILDER_H_
#define GREGOR_BROKER_STORAGE_TESTING_BATCH_BUILDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gregor::storage::testing {

struct TestRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;  // nullopt: a tombstone
  int64_t timestamp_delta = 0;
};

struct BatchSpec {
  int64_t base_offset = 0;
  int32_t leader_epoch = -1;
  int64_t base_timestamp = 1'700'000'000'000;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  bool transactional = false;
  bool control = false;
  std::vector<TestRecord> records;
  // Extra offsets at the end of the batch not held by records (as after
  // compaction): lastOffsetDelta = records.size() - 1 + extra_offset_delta.
  int32_t extra_offset_delta = 0;
};

std::string BuildBatch(const BatchSpec& spec);

// A batch of `n` records of `value_bytes` each (keys "k<i>"), offsets from
// `base_offset`, timestamps base_timestamp + i.
std::string MakeBatch(int64_t base_offset, int n, size_t value_bytes = 16,
                      int64_t base_timestamp = 1'700'000'000'000);

// A control batch (commit or abort marker) for a transactional producer.
std::string MakeControlBatch(int64_t base_offset, int64_t producer_id, int16_t producer_epoch,
                             bool commit, int64_t timestamp = 1'700'000'000'000);

}  // namespace gregor::storage::testing

#endif  // GREGOR_BROKER_STORAGE_TESTING_BATCH_BUILDER_H_
