#include "broker/storage/batch_reader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace gregor::storage {

BatchReader::BatchReader(File* file, uint64_t start, uint64_t end, size_t max_batch_bytes,
                         size_t read_ahead_bytes)
    : file_(file),
      pos_(start),
      end_(end),
      max_batch_bytes_(max_batch_bytes),
      read_ahead_(read_ahead_bytes),
      buf_pos_(start) {}

absl::StatusOr<size_t> BatchReader::Fill(size_t n) {
  uint64_t want_end = std::min<uint64_t>(end_, pos_ + n);
  uint64_t have_end = buf_pos_ + buf_.size();
  if (pos_ >= buf_pos_ && want_end <= have_end) return static_cast<size_t>(want_end - pos_);
  // Refill from pos_, reading ahead.
  uint64_t read_end = std::min<uint64_t>(end_, pos_ + std::max(n, read_ahead_));
  buf_.resize(static_cast<size_t>(read_end - pos_));
  ASSIGN_OR_RETURN(size_t got, file_->ReadAt(pos_, buf_.data(), buf_.size()));
  buf_.resize(got);
  buf_pos_ = pos_;
  return std::min<size_t>(got, static_cast<size_t>(want_end - pos_));
}

absl::StatusOr<std::optional<BatchAt>> BatchReader::Next(bool whole) {
  if (pos_ >= end_) return std::nullopt;
  ASSIGN_OR_RETURN(size_t avail, Fill(kafka::kBatchHeaderSize));
  if (avail < kafka::kBatchHeaderSize) {
    return absl::DataLossError(
        absl::StrCat("only ", avail, " bytes at position ", pos_, ", less than a batch header"));
  }
  const char* p = buf_.data() + (pos_ - buf_pos_);
  auto size = kafka::NextBatchSize(std::string_view(p, avail), max_batch_bytes_);
  if (!size.ok()) {
    return absl::DataLossError(absl::StrCat("at position ", pos_, ": ", size.status().message()));
  }
  BatchAt b;
  b.header = kafka::ParseBatchHeader(p);
  b.position = pos_;
  if (b.header.magic != 2) {
    return absl::DataLossError(
        absl::StrCat("batch at position ", pos_, " has magic ", int{b.header.magic}));
  }
  if (*size > end_ - pos_) {
    return absl::DataLossError(absl::StrCat("batch at position ", pos_, " of ", *size,
                                            " bytes runs past the end at ", end_));
  }
  if (whole) {
    ASSIGN_OR_RETURN(avail, Fill(*size));
    if (avail < *size) {
      return absl::DataLossError(absl::StrCat("batch at position ", pos_, " is truncated"));
    }
    b.bytes = std::string_view(buf_.data() + (pos_ - buf_pos_), *size);
    absl::Status valid = kafka::ValidateBatch(b.bytes);
    if (!valid.ok()) {
      return absl::DataLossError(absl::StrCat("batch at position ", pos_, ": ", valid.message()));
    }
  }
  pos_ += *size;
  return b;
}

}  // namespace gregor::storage
