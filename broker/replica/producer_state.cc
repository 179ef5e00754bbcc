#include "broker/replica/producer_state.h"

#include <limits>

#include "absl/strings/str_cat.h"

namespace gregor::broker {
namespace {

// Kafka error codes used here.
constexpr int16_t kOutOfOrderSequenceNumber = 45;
constexpr int16_t kInvalidProducerEpoch = 47;

// Sequences wrap from INT32_MAX to 0.
bool InSequence(int32_t last_seq, int32_t next_seq) {
  if (last_seq == std::numeric_limits<int32_t>::max()) return next_seq == 0;
  return static_cast<int64_t>(next_seq) == static_cast<int64_t>(last_seq) + 1;
}

}  // namespace

ProducerCheck ProducerStateManager::Check(const kafka::BatchHeader& b) const {
  ProducerCheck out;
  if (!b.has_producer_id()) return out;
  auto it = producers_.find(b.producer_id);
  const ProducerEntry* e = it == producers_.end() ? nullptr : &it->second;
  int16_t current_epoch = e == nullptr ? -1 : e->epoch;

  if (e != nullptr && b.producer_epoch < current_epoch) {
    out.kind = ProducerCheck::Kind::kError;
    out.error_code = kInvalidProducerEpoch;
    out.message = absl::StrCat("Epoch of producer ", b.producer_id, " is ", b.producer_epoch,
                               ", which is smaller than the last seen epoch ", current_epoch);
    return out;
  }
  if (e != nullptr && b.producer_epoch == current_epoch) {
    for (const BatchMetadata& m : e->batches) {
      if (m.first_seq == b.base_sequence && m.last_seq == b.last_sequence()) {
        out.kind = ProducerCheck::Kind::kDuplicate;
        out.duplicate_of = m;
        return out;
      }
    }
  }
  if (b.producer_epoch != current_epoch) {
    // A new epoch must start at sequence 0, unless we know nothing of the
    // producer (its state may have been removed by retention).
    if (b.base_sequence != 0 && current_epoch != -1) {
      out.kind = ProducerCheck::Kind::kError;
      out.error_code = kOutOfOrderSequenceNumber;
      out.message = absl::StrCat("Invalid sequence number for new epoch of producer ",
                                 b.producer_id, ": ", b.producer_epoch, " (request epoch), ",
                                 b.base_sequence, " (seq. number), ", current_epoch,
                                 " (current producer epoch)");
    }
    return out;
  }
  int32_t last_seq = e->batches.empty() ? -1 : e->batches.back().last_seq;
  if (last_seq == -1) {
    if (b.base_sequence != 0) {
      out.kind = ProducerCheck::Kind::kError;
      out.error_code = kOutOfOrderSequenceNumber;
      out.message = absl::StrCat("Out of order sequence number for producer ", b.producer_id,
                                 ": found ", b.base_sequence, ", expected 0");
    }
    return out;
  }
  if (!InSequence(last_seq, b.base_sequence)) {
    out.kind = ProducerCheck::Kind::kError;
    out.error_code = kOutOfOrderSequenceNumber;
    out.message = absl::StrCat("Out of order sequence number for producer ", b.producer_id, ": ",
                               b.base_sequence, " (incoming seq. number), ", last_seq,
                               " (current end sequence number)");
  }
  return out;
}

void ProducerStateManager::OnAppend(const kafka::BatchHeader& b) {
  if (!b.has_producer_id()) return;
  ProducerEntry& e = producers_[b.producer_id];
  if (b.producer_epoch != e.epoch) {
    e.epoch = b.producer_epoch;
    e.batches.clear();
  }
  e.last_timestamp = std::max(e.last_timestamp, b.max_timestamp);
  if (b.is_control()) {
    EndTxn(e);  // a commit/abort marker ends the transaction
    return;
  }
  if (b.is_transactional() && !e.txn_first_offset.has_value()) {
    e.txn_first_offset = b.base_offset;
    open_txn_first_offsets_.insert(b.base_offset);
  }
  if (b.base_sequence < 0) return;
  e.batches.push_back(BatchMetadata{.first_seq = b.base_sequence,
                                    .last_seq = b.last_sequence(),
                                    .first_offset = b.base_offset,
                                    .last_offset = b.last_offset(),
                                    .timestamp = b.max_timestamp});
  while (e.batches.size() > kMaxCachedBatches) e.batches.pop_front();
}

void ProducerStateManager::EndTxn(ProducerEntry& e) {
  if (!e.txn_first_offset.has_value()) return;
  auto it = open_txn_first_offsets_.find(*e.txn_first_offset);
  if (it != open_txn_first_offsets_.end()) open_txn_first_offsets_.erase(it);
  e.txn_first_offset.reset();
}

void ProducerStateManager::TruncateTo(int64_t offset) {
  for (auto it = producers_.begin(); it != producers_.end();) {
    ProducerEntry& e = it->second;
    while (!e.batches.empty() && e.batches.back().last_offset >= offset) e.batches.pop_back();
    if (e.txn_first_offset.has_value() && *e.txn_first_offset >= offset) EndTxn(e);
    if (e.batches.empty() && !e.txn_first_offset.has_value()) {
      producers_.erase(it++);
    } else {
      ++it;
    }
  }
}

void ProducerStateManager::ExpireOlderThan(int64_t min_timestamp) {
  for (auto it = producers_.begin(); it != producers_.end();) {
    if (it->second.last_timestamp < min_timestamp && !it->second.txn_first_offset.has_value()) {
      producers_.erase(it++);
    } else {
      ++it;
    }
  }
}

const ProducerEntry* ProducerStateManager::Find(int64_t producer_id) const {
  auto it = producers_.find(producer_id);
  return it == producers_.end() ? nullptr : &it->second;
}

}  // namespace gregor::broker
