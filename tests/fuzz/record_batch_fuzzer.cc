// libFuzzer target for the record-batch code: treats the input as a buffer of
// concatenated RecordBatch v2 batches (any codec) and runs everything a
// broker runs on untrusted batches.
//
//  1. BatchIterator without the CRC (so mutations reach the parsers) and a
//     RecordBatchReader on every batch: header checks, decompression with
//     a 1 MiB limit, record parsing, header iteration, control markers.
//     Every batch that reads cleanly is rebuilt with RecordBatchBuilder and
//     read again; the records must come back identical (abort otherwise).
//  2. The same with the CRC checked, then Produce validation, as the gateway
//     does on a Produce request.
//  3. The bytes after a batch header given straight to every decompressor.
//
// Build and run from the repository root (Debian clang 14 + libclang-rt-14-dev):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined \
//     -fno-sanitize-recover=undefined -I. tests/fuzz/record_batch_fuzzer.cc \
//     proto/kafka/records/{batch_header,compression,record,record_batch_reader,\
//     record_batch_builder,control_record,batch_iterator,produce_validation}.cc \
//     common/bytes.cc common/crc32c.cc \
//     <the -labsl_* flags of @system//:absl in third_party/system.BUILD> \
//     -lpthread -lz -lsnappy -llz4 -lzstd -o record_batch_fuzzer
//   ./record_batch_fuzzer NEW_CORPUS_DIR tests/fuzz/corpus/record_batch -max_total_time=60
// Seeds: tests/fuzz/corpus/record_batch/ (batches from the Java client and
// kafka-python).
//
// With GREGOR_FUZZ_REPLAY_MAIN defined (the Bazel corpus test) the file also
// has a main() that runs every file of the directories given as arguments
// through the target once, so `bazel test` replays the corpus with g++.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/records/batch_iterator.h"
#include "proto/kafka/records/compression.h"
#include "proto/kafka/records/control_record.h"
#include "proto/kafka/records/produce_validation.h"
#include "proto/kafka/records/record_batch_builder.h"
#include "proto/kafka/records/record_batch_reader.h"

namespace {

using gregor::kafka::BatchHeader;
using gregor::kafka::BatchIterator;
using gregor::kafka::BatchIteratorOptions;
using gregor::kafka::Compression;
using gregor::kafka::Record;
using gregor::kafka::RecordBatchBuilder;
using gregor::kafka::RecordBatchBuilderOptions;
using gregor::kafka::RecordBatchReader;
using gregor::kafka::RecordBatchReaderOptions;
using gregor::kafka::RecordHeader;

constexpr size_t kMaxDecompressed = 1 << 20;

struct Copy {
  int64_t offset;
  int64_t timestamp;
  std::optional<std::string> key, value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  bool operator==(const Copy&) const = default;
};

Copy CopyOf(const Record& r) {
  Copy c{r.offset, r.timestamp, std::nullopt, std::nullopt, {}};
  if (r.key) c.key = std::string(*r.key);
  if (r.value) c.value = std::string(*r.value);
  for (const RecordHeader& h : r.headers) {
    c.headers.emplace_back(std::string(h.key),
                           h.value ? std::optional<std::string>(std::string(*h.value))
                                   : std::nullopt);
  }
  return c;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "record_batch_fuzzer invariant broken: %s\n", what);
    std::abort();
  }
}

// Rebuilds the records read from a batch and checks they read back the same.
void RoundTrip(const BatchHeader& h, const std::vector<Copy>& records) {
  // Offsets past INT64_MAX wrap when read; a builder rightly refuses them.
  if (records.empty() || h.base_offset > INT64_MAX - INT32_MAX || h.base_offset < 0) return;
  RecordBatchBuilderOptions o;
  o.base_offset = h.base_offset;
  o.compression = Compression::kNone;
  o.timestamp_type = h.log_append_time() ? gregor::kafka::TimestampType::kLogAppendTime
                                         : gregor::kafka::TimestampType::kCreateTime;
  o.log_append_time_ms = h.max_timestamp;
  RecordBatchBuilder b(o);
  for (const Copy& c : records) {
    std::vector<RecordHeader> headers;
    for (const auto& [k, v] : c.headers) {
      headers.push_back({k, v ? std::optional<std::string_view>(*v) : std::nullopt});
    }
    std::optional<std::string_view> key, value;
    if (c.key) key = *c.key;
    if (c.value) value = *c.value;
    // LogAppendTime batches do not keep per-record timestamps: reuse the batch's.
    int64_t ts = h.log_append_time() ? h.base_timestamp : c.timestamp;
    Check(b.AppendWithOffset(c.offset, ts, key, value, headers).ok(), "rebuild append");
  }
  auto batch = b.Build();
  Check(batch.ok(), "rebuild");
  RecordBatchReader reader;
  Check(reader.Reset(*batch).ok(), "rebuilt batch validates");
  Record r;
  size_t i = 0;
  while (reader.Next(&r)) {
    Check(i < records.size(), "rebuilt batch has extra records");
    Check(CopyOf(r) == records[i], "rebuilt record differs");
    ++i;
  }
  Check(reader.status().ok() && i == records.size(), "rebuilt batch reads back");
}

void ReadBatches(std::string_view data, bool verify_crc) {
  BatchIteratorOptions it_options;
  it_options.verify_crc = verify_crc;
  it_options.allow_truncated_tail = true;
  it_options.max_batch_bytes = 8 << 20;
  BatchIterator it(data, it_options);
  RecordBatchReaderOptions ro;
  ro.max_decompressed_bytes = kMaxDecompressed;
  ro.verify_crc = false;  // the iterator decides
  RecordBatchReader reader(ro);
  std::string_view batch;
  while (it.Next(&batch)) {
    if (!reader.Reset(batch).ok()) continue;
    std::vector<Copy> records;
    Record r;
    while (reader.Next(&r)) {
      records.push_back(CopyOf(r));
      if (reader.header().is_control()) (void)gregor::kafka::ParseEndTxnMarker(r);
    }
    Check(reader.records_read() <= reader.header().records_count, "count bound");
    if (reader.status().ok()) {
      Check(reader.records_read() == reader.header().records_count, "count at clean end");
      RoundTrip(reader.header(), records);
    }
  }
  Check(it.valid_bytes() <= data.size(), "valid bytes");
}

void DecompressAll(std::string_view data) {
  static gregor::kafka::Decompressor* decompressor = [] {
    gregor::kafka::DecompressOptions o;
    o.max_output_bytes = kMaxDecompressed;
    return new gregor::kafka::Decompressor(o);
  }();
  std::string_view payload =
      data.size() > gregor::kafka::kBatchHeaderSize ? data.substr(gregor::kafka::kBatchHeaderSize) : data;
  std::string out;
  for (Compression c : {Compression::kGzip, Compression::kSnappy, Compression::kLz4,
                        Compression::kZstd}) {
    out.clear();
    absl::Status s = decompressor->Decompress(c, payload, &out);
    Check(out.size() <= kMaxDecompressed, "decompressed size within the limit");
    if (!s.ok()) Check(out.empty(), "failed decompression leaves the output alone");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  ReadBatches(input, /*verify_crc=*/false);
  ReadBatches(input, /*verify_crc=*/true);
  static gregor::kafka::ProduceValidator* validator = [] {
    gregor::kafka::ProduceValidationOptions o;
    o.max_decompressed_bytes = kMaxDecompressed;
    return new gregor::kafka::ProduceValidator(o);
  }();
  (void)validator->Validate(input);
  DecompressAll(input);
  return 0;
}

#ifdef GREGOR_FUZZ_REPLAY_MAIN
#include <filesystem>
#include <fstream>
#include <sstream>

int main(int argc, char** argv) {
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[i])) {
      if (!entry.is_regular_file()) continue;
      std::ifstream f(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      std::string bytes = ss.str();
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++files;
    }
  }
  std::printf("replayed %d corpus files\n", files);
  return files > 0 ? 0 : 1;
}
#endif
