#include "broker/storage/compaction_filter.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "common/status.h"
#include "glog/logging.h"
#include "proto/kafka/records/control_record.h"
#include "proto/kafka/records/record.h"

namespace gregor::storage {

namespace o = kafka::batch_offsets;

// Rough per-entry overhead of the hash map (slot, string header).
constexpr int64_t kKeyMapEntryOverhead = 48;

void KeyMap::Put(std::string_view key, int64_t offset) {
  auto [it, inserted] = map_.try_emplace(std::string(key), offset);
  if (inserted) {
    used_ += static_cast<int64_t>(key.size()) + kKeyMapEntryOverhead;
  } else {
    it->second = std::max(it->second, offset);
  }
}

int64_t KeyMap::Get(std::string_view key) const {
  auto it = map_.find(absl::string_view(key.data(), key.size()));
  return it == map_.end() ? -1 : it->second;
}

absl::Status TransactionScanner::OnBatch(const kafka::BatchHeader& h,
                                         std::string_view control_batch) {
  if (h.producer_id >= 0) facts_.last_batch_of_producer[h.producer_id] = h.base_offset;
  if (!h.is_transactional()) return absl::OkStatus();
  if (!h.is_control()) {
    pending_[h.producer_id].push_back(h.base_offset);
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(reader_.Reset(control_batch));
  kafka::Record r;
  if (!reader_.Next(&r)) {
    RETURN_IF_ERROR(reader_.status());
    return absl::OkStatus();  // an empty control batch (left by an earlier cleaning)
  }
  if (!r.key) return absl::DataLossError("control record without a key");
  ASSIGN_OR_RETURN(kafka::ControlRecordKey key,
                   kafka::ParseControlRecordKey(std::string_view(r.key->data(), r.key->size())));
  if (key.type != static_cast<int16_t>(kafka::ControlRecordType::kAbort) &&
      key.type != static_cast<int16_t>(kafka::ControlRecordType::kCommit)) {
    return absl::OkStatus();
  }
  auto it = pending_.find(h.producer_id);
  if (it == pending_.end()) return absl::OkStatus();
  if (key.type == static_cast<int16_t>(kafka::ControlRecordType::kAbort)) {
    facts_.aborted_batches.insert(it->second.begin(), it->second.end());
  }
  pending_.erase(it);
  return absl::OkStatus();
}

TransactionFacts TransactionScanner::Finish() {
  for (const auto& [pid, offsets] : pending_) {
    if (offsets.empty()) continue;
    if (!facts_.first_open_txn_offset || offsets.front() < *facts_.first_open_txn_offset) {
      facts_.first_open_txn_offset = offsets.front();
    }
  }
  pending_.clear();
  return std::move(facts_);
}

CompactionFilter::CompactionFilter(Inputs inputs) : in_(inputs) {}

absl::Status CompactionFilter::Filter(std::string_view batch, std::string* out,
                                      CompactionStats* stats) {
  const kafka::BatchHeader h = kafka::ParseBatchHeader(batch.data());
  stats->batches_read++;
  stats->bytes_read += static_cast<int64_t>(batch.size());
  const size_t out_before = out->size();
  auto copy = [&] { out->append(batch.data(), batch.size()); };
  auto finish = [&](absl::Status s) {
    stats->bytes_written += static_cast<int64_t>(out->size() - out_before);
    return s;
  };

  const bool has_pid = h.producer_id >= 0;
  bool last_of_producer = false;
  if (has_pid) {
    auto it = in_.txns->last_batch_of_producer.find(h.producer_id);
    last_of_producer = it != in_.txns->last_batch_of_producer.end() && it->second == h.base_offset;
  }
  const bool horizon_set = (h.attributes & kafka::batch_attributes::kDeleteHorizon) != 0;
  const bool horizon_passed = horizon_set && in_.now_ms >= h.base_timestamp;
  const int64_t new_horizon = in_.now_ms + in_.delete_retention_ms;

  // Read the records (decompressing); keep a batch we cannot read whole.
  records_.clear();
  absl::Status read = reader_.Reset(batch);
  kafka::Record r;
  while (read.ok() && reader_.Next(&r)) records_.push_back(r);
  if (read.ok()) read = reader_.status();
  if (!read.ok()) {
    LOG_EVERY_N(WARNING, 100) << "compaction keeps an unreadable batch at " << h.base_offset << ": "
                              << read;
    stats->batches_kept_unreadable++;
    if (h.is_transactional() && has_pid) txn_retained_[h.producer_id] = true;
    copy();
    return finish(absl::OkStatus());
  }
  stats->records_read += static_cast<int64_t>(records_.size());

  if (h.is_control()) {
    // A marker can go once no record of its transaction is left and its own
    // delete horizon has passed.
    bool data_left = false;
    if (has_pid) {
      auto it = txn_retained_.find(h.producer_id);
      data_left = it != txn_retained_.end() && it->second;
      txn_retained_.erase(h.producer_id);
    }
    if (!data_left && horizon_passed) {
      stats->records_dropped += static_cast<int64_t>(records_.size());
      if (last_of_producer) {
        stats->batches_rewritten++;
        return finish(Rebuild(batch, {}, std::nullopt, out));
      }
      stats->batches_dropped++;
      return finish(absl::OkStatus());
    }
    if (!horizon_set && !records_.empty()) {
      std::vector<size_t> all(records_.size());
      for (size_t i = 0; i < all.size(); ++i) all[i] = i;
      stats->batches_rewritten++;
      return finish(Rebuild(batch, all, new_horizon, out));
    }
    copy();
    return finish(absl::OkStatus());
  }

  const bool aborted = h.is_transactional() && in_.txns->aborted_batches.count(h.base_offset);
  std::vector<size_t> keep;
  bool tombstone_kept = false;
  for (size_t i = 0; i < records_.size(); ++i) {
    const kafka::Record& rec = records_[i];
    if (aborted || !rec.key.has_value()) continue;
    if (in_.map->Get(std::string_view(rec.key->data(), rec.key->size())) > rec.offset) continue;
    if (!rec.value.has_value()) {
      if (horizon_passed) {
        stats->tombstones_dropped++;
        continue;
      }
      tombstone_kept = true;
    }
    keep.push_back(i);
  }
  stats->records_dropped += static_cast<int64_t>(records_.size() - keep.size());
  if (h.is_transactional() && has_pid && !aborted && !keep.empty()) {
    txn_retained_[h.producer_id] = true;
  }
  const bool need_horizon = tombstone_kept && !horizon_set;
  if (keep.size() == records_.size() && !need_horizon) {
    copy();
    return finish(absl::OkStatus());
  }
  if (keep.empty() && !last_of_producer) {
    stats->batches_dropped++;
    return finish(absl::OkStatus());
  }
  std::optional<int64_t> horizon;
  if (need_horizon) {
    horizon = new_horizon;
  } else if (horizon_set) {
    horizon = h.base_timestamp;
  }
  stats->batches_rewritten++;
  return finish(Rebuild(batch, keep, horizon, out));
}

absl::Status CompactionFilter::Rebuild(std::string_view batch, const std::vector<size_t>& keep,
                                       std::optional<int64_t> horizon, std::string* out) {
  const kafka::BatchHeader h = kafka::ParseBatchHeader(batch.data());
  const int64_t base_ts = horizon ? *horizon : h.base_timestamp;
  section_.clear();
  std::vector<kafka::RecordHeader> headers;
  for (size_t idx : keep) {
    const kafka::Record& rec = records_[idx];
    headers.assign(rec.headers.begin(), rec.headers.end());
    const int64_t create_ts = h.base_timestamp + rec.timestamp_delta;
    kafka::AppendRecord(create_ts - base_ts, rec.offset_delta, rec.key, rec.value, headers,
                        &section_);
  }
  std::string_view payload = section_;
  uint16_t attrs = h.attributes;
  if (keep.empty()) {
    attrs &= static_cast<uint16_t>(~kafka::batch_attributes::kCompressionMask);
  } else if (h.compression() != kafka::Compression::kNone) {
    compressed_.clear();
    RETURN_IF_ERROR(compressor_.Compress(h.compression(), section_, &compressed_));
    payload = compressed_;
  }
  if (horizon) attrs |= kafka::batch_attributes::kDeleteHorizon;
  const size_t start = out->size();
  out->append(batch.data(), kafka::kBatchHeaderSize);
  out->append(payload.data(), payload.size());
  char* p = out->data() + start;
  StoreBE32(p + o::kBatchLength, static_cast<uint32_t>(kafka::kBatchHeaderSize -
                                                       kafka::kBatchLogOverhead + payload.size()));
  StoreBE16(p + o::kAttributes, attrs);
  StoreBE64(p + o::kBaseTimestamp, static_cast<uint64_t>(base_ts));
  StoreBE32(p + o::kRecordsCount, static_cast<uint32_t>(keep.size()));
  kafka::UpdateCrc(p, out->size() - start);
  return absl::OkStatus();
}

}  // namespace gregor::storage
