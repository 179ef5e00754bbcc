// Micro-benchmarks of the Kafka codec, each reported in GB/s next to memcpy's
// GB/s measured in the same run (never asserted; machines are noisy):
//
//   Memcpy/1MiB                 baseline: copy 1 MiB
//   Crc32c/1MiB                 CRC-32C (common/crc32c.h) over 1 MiB
//   DecodeProduce/16x64KiB      decode a 1 MiB Produce v9 request: 16 partitions,
//                               each a RecordBatch of 64 records of 1 KiB
//   DecodeProduce/1024x1KiB     the same 1 MiB as 1024 partitions of one 1 KiB
//                               record each (the most codec work per byte)
//   DecodeProduceAndCheckCrc    decode + ValidateBatch (length, CRC) per batch,
//                               what the broker does before appending
//   EncodeFetchResponse         encode a 1 MiB Fetch v12 response whose records
//                               are views (zero copy)
//
//   bazel run //proto/kafka:codec_benchmark   (the default build is -O2)
#include <cstring>
#include <iomanip>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/bytes.h"
#include "common/crc32c.h"
#include "proto/kafka/messages/fetch.h"
#include "proto/kafka/messages/produce.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/wire_writer.h"

namespace gregor::kafka {
namespace {

constexpr size_t kMiB = 1 << 20;
constexpr size_t kRecordValue = 1024;

// A valid uncompressed RecordBatch v2 with `count` records of 1 KiB values.
std::string MakeBatch(int count) {
  ByteWriter records;
  std::string value(kRecordValue, 'v');
  for (int i = 0; i < count; ++i) {
    ByteWriter rec;
    rec.WriteInt8(0);        // attributes
    rec.WriteVarlong(i);     // timestamp delta
    rec.WriteVarint(i);      // offset delta
    rec.WriteVarint(-1);     // null key
    rec.WriteVarint(static_cast<int32_t>(value.size()));
    rec.WriteBytes(value);
    rec.WriteVarint(0);      // no headers
    records.WriteVarint(static_cast<int32_t>(rec.size()));
    records.WriteBytes(rec.data());
  }
  ByteWriter b;
  b.WriteInt64(0);  // base offset
  b.WriteInt32(static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead + records.size()));
  b.WriteInt32(-1);  // partition leader epoch
  b.WriteInt8(2);    // magic
  b.WriteUint32(0);  // crc, set below
  b.WriteInt16(0);   // attributes
  b.WriteInt32(count - 1);
  b.WriteInt64(1700000000000);
  b.WriteInt64(1700000000000 + count);
  b.WriteInt64(-1);
  b.WriteInt16(-1);
  b.WriteInt32(-1);
  b.WriteInt32(count);
  b.WriteBytes(records.data());
  std::string batch = b.Release();
  UpdateCrc(batch.data(), batch.size());
  return batch;
}

// The encoded body of a Produce v9 request with `partitions` partitions of
// `records_per_partition` 1 KiB records each.
std::string MakeProduceRequest(int partitions, int records_per_partition,
                               std::vector<std::string>* batches) {
  batches->clear();
  for (int p = 0; p < partitions; ++p) batches->push_back(MakeBatch(records_per_partition));
  ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 30000;
  auto& topic = req.topic_data.emplace_back();
  topic.name = "benchmark-topic";
  for (int p = 0; p < partitions; ++p) {
    auto& part = topic.partition_data.emplace_back();
    part.index = p;
    part.records = Records::View((*batches)[p]);
  }
  WireWriter w;
  req.Encode(w, 9);
  return *std::move(w).Finish().Flatten();
}

void BM_Memcpy(benchmark::State& state) {
  std::string src(kMiB, 'x'), dst(kMiB, '\0');
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kMiB));
}
BENCHMARK(BM_Memcpy)->Name("Memcpy/1MiB");

void BM_Crc32c(benchmark::State& state) {
  std::string data(kMiB, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  for (auto _ : state) benchmark::DoNotOptimize(Crc32c(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kMiB));
}
BENCHMARK(BM_Crc32c)->Name("Crc32c/1MiB");

void DecodeProduce(benchmark::State& state, int partitions, int records, bool check_crc) {
  std::vector<std::string> batches;
  std::string wire = MakeProduceRequest(partitions, records, &batches);
  ProduceRequest req;
  for (auto _ : state) {
    ByteReader r(wire);
    if (!req.Decode(r, 9).ok()) state.SkipWithError("decode failed");
    if (check_crc) {
      for (const auto& t : req.topic_data) {
        for (const auto& p : t.partition_data) {
          if (!ValidateBatch(p.records.contiguous_bytes()).ok()) state.SkipWithError("bad batch");
        }
      }
    }
    benchmark::DoNotOptimize(req);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
  state.counters["request_bytes"] = static_cast<double>(wire.size());
}
BENCHMARK_CAPTURE(DecodeProduce, 16x64KiB, 16, 64, false)->Name("DecodeProduce/16x64KiB");
BENCHMARK_CAPTURE(DecodeProduce, 1024x1KiB, 1024, 1, false)->Name("DecodeProduce/1024x1KiB");
BENCHMARK_CAPTURE(DecodeProduce, crc, 16, 64, true)->Name("DecodeProduceAndCheckCrc/16x64KiB");

void BM_EncodeFetchResponse(benchmark::State& state) {
  std::vector<std::string> batches;
  for (int p = 0; p < 16; ++p) batches.push_back(MakeBatch(64));
  FetchResponse resp;
  auto& topic = resp.responses.emplace_back();
  topic.topic = "benchmark-topic";
  size_t bytes = 0;
  for (int p = 0; p < 16; ++p) {
    auto& part = topic.partitions.emplace_back();
    part.partition_index = p;
    part.high_watermark = 64;
    part.records = Records::View(batches[p]);
    bytes += batches[p].size();
  }
  for (auto _ : state) {
    WireWriter w;
    resp.Encode(w, 12);
    OutputFrame f = std::move(w).Finish();
    benchmark::DoNotOptimize(f);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_EncodeFetchResponse)->Name("EncodeFetchResponse/16x64KiB");

// Collects bytes_per_second of every run to print the comparison table.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
      auto it = r.counters.find("bytes_per_second");
      if (it != r.counters.end()) rates_[r.benchmark_name()] = it->second.value;
    }
  }
  void PrintTable() const {
    auto base = rates_.find("Memcpy/1MiB");
    if (base == rates_.end()) return;
    double memcpy_gbps = base->second / 1e9;
    std::cout << "\n" << std::left << std::setw(36) << "benchmark" << std::right << std::setw(12)
              << "GB/s" << std::setw(14) << "memcpy GB/s" << std::setw(10) << "ratio" << "\n";
    for (const auto& [name, rate] : rates_) {
      double gbps = rate / 1e9;
      std::cout << std::left << std::setw(36) << name << std::right << std::fixed
                << std::setprecision(2) << std::setw(12) << gbps << std::setw(14) << memcpy_gbps
                << std::setw(9) << gbps / memcpy_gbps << "x\n";
    }
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace
}  // namespace gregor::kafka

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  gregor::kafka::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintTable();
  benchmark::Shutdown();
  return 0;
}
