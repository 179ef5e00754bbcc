#include "proto/kafka/records/batch_iterator.h"

#include "absl/strings/str_cat.h"

namespace gregor::kafka {

bool BatchIterator::Next(std::string_view* batch) {
  if (!status_.ok() || truncated_tail_ || pos_ == data_.size()) return false;
  std::string_view rest = data_.substr(pos_);
  if (rest.size() < kBatchLogOverhead) {
    if (options_.allow_truncated_tail) {
      truncated_tail_ = true;
      return false;
    }
    return Fail(absl::DataLossError(absl::StrCat(rest.size(), " bytes at position ", pos_,
                                                 " are too few for a batch")));
  }
  absl::StatusOr<size_t> size = NextBatchSize(rest, options_.max_batch_bytes);
  if (!size.ok()) {
    return Fail(absl::Status(size.status().code(),
                             absl::StrCat("batch at position ", pos_, ": ", size.status().message())));
  }
  if (*size > rest.size()) {
    if (options_.allow_truncated_tail) {
      truncated_tail_ = true;
      return false;
    }
    return Fail(absl::DataLossError(absl::StrCat("batch at position ", pos_, " has ", *size,
                                                 " bytes but only ", rest.size(), " remain")));
  }
  std::string_view b = rest.substr(0, *size);
  absl::Status s = options_.verify_crc ? ValidateBatch(b) : ValidateBatchStructure(b);
  if (!s.ok()) {
    return Fail(absl::Status(s.code(), absl::StrCat("batch at position ", pos_, ": ", s.message())));
  }
  header_ = ParseBatchHeader(b.data());
  pos_ += *size;
  ++batch_count_;
  *batch = b;
  return true;
}

absl::StatusOr<std::vector<std::string_view>> SplitBatches(std::string_view data,
                                                           const BatchIteratorOptions& options) {
  std::vector<std::string_view> batches;
  BatchIterator it(data, options);
  std::string_view b;
  while (it.Next(&b)) batches.push_back(b);
  if (!it.status().ok()) return it.status();
  return batches;
}

}  // namespace gregor::kafka
