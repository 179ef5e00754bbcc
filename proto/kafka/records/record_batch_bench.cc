// Micro-benchmarks of the record-batch hot paths, each next to memcpy of the
// same bytes measured in the same run (printed as a ratio at the end):
//
//   iterate   records of a 1 MiB set of uncompressed batches (no CRC)
//   crc       ValidateBatch (CRC-32C) of a 1 MiB batch
//   produce   ValidateProducePayload of a 1 MiB batch (CRC + record walk)
//   build     RecordBatchBuilder: 1 MiB of 1 KiB records, uncompressed
//   compress / decompress  1 MiB of JSON-like records with each codec
//
//   bazel run -c opt //proto/kafka/records:record_batch_bench
// (a cc_binary, not a test: numbers depend on the machine.)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/records/batch_iterator.h"
#include "proto/kafka/records/compression.h"
#include "proto/kafka/records/produce_validation.h"
#include "proto/kafka/records/record_batch_builder.h"
#include "proto/kafka/records/record_batch_reader.h"

namespace gregor::kafka {
namespace {

constexpr size_t kMiB = 1 << 20;

// A JSON-like event of about `size` bytes: repetitive field names, random ids.
std::string Event(std::mt19937_64& rng, size_t size) {
  std::string s = absl::StrCat(R"({"user_id":)", rng() % 1000000, R"(,"event":"page_view","ts":)",
                               1700000000000 + rng() % 100000000, R"(,"page":"/products/)",
                               rng() % 10000, R"(","session":")");
  while (s.size() + 2 < size) {
    static const char kHex[] = "0123456789abcdef";
    s.push_back(kHex[rng() % 16]);
    if (s.size() % 64 == 0) s += R"(","tag":"recommended)";
  }
  s += "\"}";
  return s;
}

// Batches of `record_size`-byte values totalling about `total` bytes.
std::string Batches(size_t total, size_t record_size, size_t batch_bytes, Compression c) {
  std::mt19937_64 rng(42);
  std::string out;
  RecordBatchBuilderOptions o;
  o.compression = c;
  RecordBatchBuilder b(o);
  int64_t offset = 0;
  while (out.size() + b.uncompressed_size() < total) {
    std::string key = absl::StrCat("user-", rng() % 1000);
    (void)b.Append(1700000000000 + offset, key, Event(rng, record_size));
    ++offset;
    if (b.uncompressed_size() >= batch_bytes) {
      (void)b.Finish(&out);
      o.base_offset = offset;
      b.Reset(o);
    }
  }
  if (!b.empty()) (void)b.Finish(&out);
  return out;
}

void BM_Memcpy(benchmark::State& state) {
  std::string src(kMiB, 'x'), dst(kMiB, '\0');
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kMiB);
}
BENCHMARK(BM_Memcpy);

void BM_IterateRecords(benchmark::State& state) {
  const size_t record_size = static_cast<size_t>(state.range(0));
  std::string data = Batches(kMiB, record_size, 64 * 1024, Compression::kNone);
  RecordBatchReader reader({.verify_crc = false});
  int64_t records = 0;
  for (auto _ : state) {
    BatchIterator it(data, {.verify_crc = false});
    std::string_view batch;
    while (it.Next(&batch)) {
      (void)reader.Reset(batch);
      Record r;
      while (reader.Next(&r)) {
        benchmark::DoNotOptimize(r.value);
        ++records;
      }
    }
  }
  state.SetBytesProcessed(state.iterations() * data.size());
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_IterateRecords)->Arg(100)->Arg(1024);

void BM_CrcValidate(benchmark::State& state) {
  std::string batch = Batches(kMiB, 1024, 2 * kMiB, Compression::kNone);
  for (auto _ : state) {
    absl::Status s = ValidateBatch(batch);
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(state.iterations() * batch.size());
}
BENCHMARK(BM_CrcValidate);

void BM_ProduceValidate(benchmark::State& state) {
  const size_t record_size = static_cast<size_t>(state.range(0));
  std::string batch = Batches(kMiB - 1024, record_size, 2 * kMiB, Compression::kNone);
  ProduceValidator v({.max_batch_bytes = 2 * kMiB, .check_uncompressed_records = state.range(1) != 0});
  for (auto _ : state) {
    auto info = v.Validate(batch);
    if (!info.ok()) state.SkipWithError(std::string(info.status().message()).c_str());
    benchmark::DoNotOptimize(info);
  }
  state.SetBytesProcessed(state.iterations() * batch.size());
}
BENCHMARK(BM_ProduceValidate)->ArgNames({"record", "walk"})->Args({1024, 0})->Args({1024, 1})->Args({100, 1});

void BM_Build(benchmark::State& state) {
  std::mt19937_64 rng(7);
  std::vector<std::string> values;
  for (int i = 0; i < 1000; ++i) values.push_back(Event(rng, 1024));
  RecordBatchBuilder b;
  std::string out;
  size_t bytes = 0;
  for (auto _ : state) {
    b.Reset({});
    for (size_t i = 0; b.uncompressed_size() < kMiB; ++i) {
      (void)b.Append(1700000000000 + static_cast<int64_t>(i), "key", values[i % values.size()]);
    }
    out.clear();
    (void)b.Finish(&out);
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Build);

std::string RecordsSection() {
  // The records section of a 1 MiB batch: what a codec actually sees.
  std::string batch = Batches(kMiB, 1024, 2 * kMiB, Compression::kNone);
  return batch.substr(kBatchHeaderSize);
}

void BM_Compress(benchmark::State& state) {
  auto codec = static_cast<Compression>(state.range(0));
  std::string in = RecordsSection();
  Compressor c;
  std::string out;
  for (auto _ : state) {
    out.clear();
    (void)c.Compress(codec, in, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * in.size());
  state.counters["ratio"] = static_cast<double>(in.size()) / static_cast<double>(out.size());
  state.SetLabel(std::string(CompressionName(codec)));
}
BENCHMARK(BM_Compress)->DenseRange(1, 4);

void BM_Decompress(benchmark::State& state) {
  auto codec = static_cast<Compression>(state.range(0));
  std::string in = RecordsSection();
  std::string z;
  (void)Compress(codec, in, &z);
  Decompressor d;
  std::string out;
  for (auto _ : state) {
    out.clear();
    (void)d.Decompress(codec, z, &out);
    benchmark::DoNotOptimize(out.data());
  }
  if (out != in) state.SkipWithError("round trip mismatch");
  state.SetBytesProcessed(state.iterations() * in.size());
  state.SetLabel(std::string(CompressionName(codec)));
}
BENCHMARK(BM_Decompress)->DenseRange(1, 4);

// Prints the usual table, then every benchmark's MB/s as a ratio to memcpy.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      auto it = r.counters.find("bytes_per_second");
      if (it == r.counters.end()) continue;
      std::string name = r.benchmark_name();
      if (!r.report_label.empty()) name += " (" + r.report_label + ")";
      rates_.emplace_back(name, it->second.value / 1e6);
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    double memcpy_rate = 0;
    for (const auto& [name, rate] : rates_) {
      if (name.rfind("BM_Memcpy", 0) == 0) memcpy_rate = rate;
    }
    std::printf("\n%-48s %10s %10s\n", "benchmark", "MB/s", "x memcpy");
    for (const auto& [name, rate] : rates_) {
      std::printf("%-48s %10.0f %10.3f\n", name.c_str(), rate,
                  memcpy_rate > 0 ? rate / memcpy_rate : 0.0);
    }
  }

 private:
  std::vector<std::pair<std::string, double>> rates_;
};

}  // namespace
}  // namespace gregor::kafka

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  gregor::kafka::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
