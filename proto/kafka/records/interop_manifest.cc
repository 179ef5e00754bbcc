#include "proto/kafka/records/interop_manifest.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "proto/kafka/records/batch_iterator.h"
#include "proto/kafka/records/control_record.h"
#include "proto/kafka/records/record_batch_reader.h"

namespace gregor::kafka::records_testing {
namespace {

std::string Hex(const std::optional<std::string>& b) {
  if (!b) return "-";
  return "=" + absl::BytesToHexString(*b);
}

}  // namespace

std::string BatchLine(const BatchHeader& h) {
  return absl::StrCat("batch ", h.base_offset, " ", static_cast<int>(h.compression()), " ",
                      h.records_count, " ", h.producer_id, " ", h.producer_epoch, " ",
                      h.base_sequence, " ", h.is_transactional() ? 1 : 0, " ",
                      h.is_control() ? 1 : 0, " ", h.partition_leader_epoch, " ",
                      h.log_append_time() ? 1 : 0);
}

std::string RecordLine(const OwnedRecord& r) {
  std::string line = absl::StrCat("record ", r.offset, " ", r.timestamp, " ", Hex(r.key), " ",
                                  Hex(r.value), " ", r.headers.size());
  for (const auto& [k, v] : r.headers) absl::StrAppend(&line, " ", Hex(k), " ", Hex(v));
  return line;
}

absl::StatusOr<std::string> DescribeBatches(std::string_view data) {
  std::string out;
  BatchIterator it(data);
  RecordBatchReader reader;
  std::string_view batch;
  while (it.Next(&batch)) {
    absl::Status s = reader.Reset(batch);
    if (!s.ok()) return s;
    absl::StrAppend(&out, BatchLine(reader.header()), "\n");
    Record r;
    while (reader.Next(&r)) {
      if (reader.header().is_control()) {
        absl::StatusOr<EndTxnMarker> m = ParseEndTxnMarker(r);
        if (m.ok()) {
          absl::StrAppend(&out, "control ", r.offset, " ", r.timestamp, " ",
                          m->commit ? "COMMIT" : "ABORT", " ", m->coordinator_epoch, "\n");
          continue;
        }
      }
      absl::StrAppend(&out, RecordLine(Own(r)), "\n");
    }
    if (!reader.status().ok()) return reader.status();
  }
  if (!it.status().ok()) return it.status();
  return out;
}

OwnedRecord InteropRecord(int i) {
  OwnedRecord r;
  r.offset = i;
  r.timestamp = 1700000000000 + 3 * i - (i % 5 == 2 ? 50 : 0);
  if (i % 7 == 3) {
    r.key.reset();
  } else if (i % 11 == 5) {
    r.key = "";
  } else {
    r.key = absl::StrCat("key-", i);
  }
  if (i % 13 == 6) {
    r.value.reset();
  } else if (i == 10) {
    std::string big(70000, '\0');
    uint64_t x = 1;
    for (size_t j = 0; j < big.size(); ++j) {
      x = (x * 1103515245u + 12345u) & 0x7fffffffu;
      big[j] = static_cast<char>(j < 35000 ? (x >> 16) : (j % 251));
    }
    r.value = std::move(big);
  } else {
    std::string v;
    for (int k = 0; k < i % 5 + 1; ++k) absl::StrAppend(&v, "value-", i, "-");
    r.value = std::move(v);
  }
  if (i % 4 == 0) {
    r.headers = {{"h1", "x"}, {"h-null", std::nullopt}};
  } else if (i % 6 == 1) {
    r.headers = {{"", ""}};
  }
  return r;
}

}  // namespace gregor::kafka::records_testing
