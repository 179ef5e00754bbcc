// Writes record batches built by Gregor (every codec, a transaction with its
// commit marker, an idempotent batch) into a directory, each with the
// manifest of what was put in, for kafka-python and the Java client to read
// back (testdata/interop.sh check).
//
//   interop_writer DIR
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "proto/kafka/records/control_record.h"
#include "proto/kafka/records/interop_manifest.h"
#include "proto/kafka/records/record_batch_builder.h"

namespace gregor::kafka {
namespace {

using records_testing::BatchLine;
using records_testing::InteropRecord;
using records_testing::OwnedRecord;
using records_testing::RecordLine;

struct Output {
  std::string bytes;
  std::string manifest;
};

// Appends a batch of records 0..n-1 of the shared set and its manifest.
bool AddBatch(const RecordBatchBuilderOptions& o, int n, Output* out) {
  RecordBatchBuilder b(o);
  std::vector<OwnedRecord> records;
  for (int i = 0; i < n; ++i) {
    OwnedRecord r = InteropRecord(i);
    std::vector<RecordHeader> headers;
    for (const auto& [k, v] : r.headers) {
      headers.push_back({k, v ? std::optional<std::string_view>(*v) : std::nullopt});
    }
    std::optional<std::string_view> key, value;
    if (r.key) key = *r.key;
    if (r.value) value = *r.value;
    absl::Status s = b.Append(r.timestamp, key, value, headers);
    if (!s.ok()) {
      std::fprintf(stderr, "append: %s\n", s.ToString().c_str());
      return false;
    }
    r.offset += o.base_offset;
    records.push_back(std::move(r));
  }
  absl::StatusOr<std::string> batch = b.Build();
  if (!batch.ok()) {
    std::fprintf(stderr, "build: %s\n", batch.status().ToString().c_str());
    return false;
  }
  absl::StrAppend(&out->manifest, BatchLine(ParseBatchHeader(batch->data())), "\n");
  for (const OwnedRecord& r : records) absl::StrAppend(&out->manifest, RecordLine(r), "\n");
  out->bytes += *batch;
  return true;
}

bool Write(const std::string& dir, const std::string& name, const Output& out) {
  std::ofstream bin(dir + "/" + name + ".bin", std::ios::binary);
  bin << out.bytes;
  std::ofstream txt(dir + "/" + name + ".txt");
  txt << out.manifest;
  return bin.good() && txt.good();
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  const std::pair<const char*, Compression> codecs[] = {
      {"none", Compression::kNone}, {"gzip", Compression::kGzip}, {"snappy", Compression::kSnappy},
      {"lz4", Compression::kLz4},   {"zstd", Compression::kZstd}};
  for (const auto& [name, codec] : codecs) {
    RecordBatchBuilderOptions o;
    o.compression = codec;
    Output out;
    if (!AddBatch(o, 40, &out) || !Write(dir, absl::StrCat("gregor_", name), out)) return 1;
  }
  // A transaction as a log holds it: two transactional batches, then COMMIT.
  Output txn;
  RecordBatchBuilderOptions t;
  t.compression = Compression::kZstd;
  t.base_offset = 200;
  t.producer_id = 777;
  t.producer_epoch = 4;
  t.base_sequence = 0;
  t.transactional = true;
  t.partition_leader_epoch = 2;
  if (!AddBatch(t, 6, &txn)) return 1;
  t.compression = Compression::kSnappy;
  t.base_offset = 206;
  t.base_sequence = 6;
  if (!AddBatch(t, 4, &txn)) return 1;
  absl::StatusOr<std::string> marker =
      BuildEndTxnMarkerBatch({.commit = true, .coordinator_epoch = 9},
                             {.producer_id = 777,
                              .producer_epoch = 4,
                              .base_offset = 210,
                              .partition_leader_epoch = 2,
                              .timestamp_ms = 1700000009999});
  if (!marker.ok()) return 1;
  txn.bytes += *marker;
  absl::StrAppend(&txn.manifest, BatchLine(ParseBatchHeader(marker->data())), "\n",
                  "control 210 1700000009999 COMMIT 9\n");
  if (!Write(dir, "gregor_txn_commit", txn)) return 1;
  // An idempotent producer's batch with LZ4 at a high level.
  Output idem;
  RecordBatchBuilderOptions p;
  p.compression = Compression::kLz4;
  p.compression_level = 9;
  p.producer_id = 31;
  p.producer_epoch = 1;
  p.base_sequence = 100;
  if (!AddBatch(p, 12, &idem) || !Write(dir, "gregor_idempotent_lz4", idem)) return 1;
  std::printf("wrote Gregor batches to %s\n", dir.c_str());
  return 0;
}

}  // namespace
}  // namespace gregor::kafka

int main(int argc, char** argv) { return gregor::kafka::Main(argc, argv); }
