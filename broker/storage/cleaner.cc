#include "broker/storage/cleaner.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "broker/storage/batch_reader.h"
#include "common/status.h"
#include "glog/logging.h"
#include "proto/kafka/records/record_batch_reader.h"

namespace gregor::storage {
namespace {
constexpr size_t kWriteChunkBytes = 1 << 20;
}  // namespace

Cleaner::Cleaner(Env* env, Clock* clock, const StorageOptions& options)
    : env_(env), clock_(clock), options_(options) {}

absl::StatusOr<size_t> Cleaner::UncleanableIndex(const Log& log, const SegmentList& list,
                                                 int64_t first_dirty, int64_t now_ms,
                                                 const LogConfig& cfg) const {
  const int64_t hw = log.high_watermark().value();
  const int64_t leo = log.log_end_offset().value();
  size_t end = list.size() - 1;  // never the active segment
  for (size_t i = 0; i < end; ++i) {
    const int64_t seg_end = i + 1 < list.size() ? list[i + 1]->base_offset() : leo;
    if (seg_end > hw) return i;
    if (cfg.min_compaction_lag_ms > 0 && seg_end > first_dirty) {
      ASSIGN_OR_RETURN(auto max, list[i]->MaxTimestamp());
      if (max.first > now_ms - cfg.min_compaction_lag_ms) return i;
    }
  }
  return end;
}

absl::StatusOr<Cleaner::Dirtiness> Cleaner::Measure(Log& log, int64_t first_dirty) const {
  const LogConfig cfg = log.config();
  const int64_t now = clock_->WallMillis();
  std::shared_ptr<const SegmentList> list = log.segments();
  Dirtiness d;
  d.first_dirty = std::max(first_dirty, log.log_start_offset().value());
  ASSIGN_OR_RETURN(size_t end, UncleanableIndex(log, *list, d.first_dirty, now, cfg));
  for (size_t i = 0; i < end; ++i) {
    const int64_t seg_end = (*list)[i + 1]->base_offset();
    const int64_t size = static_cast<int64_t>((*list)[i]->size());
    if (seg_end <= d.first_dirty) {
      d.clean_bytes += size;
    } else {
      if (d.dirty_bytes == 0 && cfg.max_compaction_lag_ms != kNoLimit) {
        ASSIGN_OR_RETURN(auto max, (*list)[i]->MaxTimestamp());
        d.forced = max.first >= 0 && now - max.first > cfg.max_compaction_lag_ms;
      }
      d.dirty_bytes += size;
    }
  }
  return d;
}

absl::StatusOr<TransactionFacts> Cleaner::ScanTransactions(const SegmentList& list) const {
  TransactionScanner scanner;
  std::string control;
  for (const auto& seg : list) {
    ASSIGN_OR_RETURN(std::shared_ptr<File> file, seg->OpenFile());
    absl::Status status;
    ASSIGN_OR_RETURN(bool done, seg->VisitHeaders(seg->base_offset(), [&](const BatchAt& b) {
      std::string_view bytes;
      if (b.header.is_control()) {
        control.resize(b.header.total_size());
        auto n = file->ReadAt(b.position, control.data(), control.size());
        if (!n.ok() || *n != control.size()) {
          status = n.ok() ? absl::DataLossError("short read of a control batch") : n.status();
          return false;
        }
        bytes = control;
      }
      status = scanner.OnBatch(b.header, bytes);
      return status.ok();
    }));
    (void)done;
    RETURN_IF_ERROR(status);
  }
  return scanner.Finish();
}

absl::StatusOr<size_t> Cleaner::BuildKeyMap(const SegmentList& list, size_t from, size_t to,
                                            int64_t first_dirty, const TransactionFacts& txns,
                                            KeyMap* map) const {
  kafka::RecordBatchReader reader;
  for (size_t i = from; i < to; ++i) {
    const auto& seg = list[i];
    ASSIGN_OR_RETURN(std::shared_ptr<File> file, seg->OpenFile());
    BatchReader batches(file.get(), 0, seg->size(), options_.max_batch_bytes, kWriteChunkBytes);
    while (true) {
      ASSIGN_OR_RETURN(std::optional<BatchAt> b, batches.Next(/*whole=*/true));
      if (!b) break;
      const kafka::BatchHeader& h = b->header;
      if (h.last_offset() < first_dirty || h.is_control()) continue;
      if (h.is_transactional() && txns.aborted_batches.count(h.base_offset)) continue;
      if (!reader.Reset(b->bytes).ok()) continue;  // kept whole by the filter
      kafka::Record r;
      while (reader.Next(&r)) {
        if (r.key && r.offset >= first_dirty) {
          map->Put(std::string_view(r.key->data(), r.key->size()), r.offset);
        }
      }
    }
    if (map->full()) return i + 1;
  }
  return to;
}

absl::StatusOr<std::optional<uint64_t>> Cleaner::CleanGroup(const Log& log,
                                                            const SegmentList& group,
                                                            CompactionFilter* filter,
                                                            CompactionStats* stats) const {
  const std::string path = group.front()->path(kLogSuffix) + kCleanedSuffix;
  CompactionStats before = *stats;
  std::string out;
  std::shared_ptr<File> cleaned;
  uint64_t written = 0;
  auto flush = [&]() -> absl::Status {
    if (out.empty()) return absl::OkStatus();
    if (!cleaned) {
      ASSIGN_OR_RETURN(cleaned, env_->OpenFile(path, OpenMode::kCreate));
      RETURN_IF_ERROR(cleaned->Truncate(0));
    }
    RETURN_IF_ERROR(cleaned->WriteAt(written, out));
    written += out.size();
    out.clear();
    return absl::OkStatus();
  };
  for (const auto& seg : group) {
    ASSIGN_OR_RETURN(std::shared_ptr<File> file, seg->OpenFile());
    BatchReader batches(file.get(), 0, seg->size(), options_.max_batch_bytes, kWriteChunkBytes);
    while (true) {
      ASSIGN_OR_RETURN(std::optional<BatchAt> b, batches.Next(/*whole=*/true));
      if (!b) break;
      RETURN_IF_ERROR(filter->Filter(b->bytes, &out, stats));
      if (out.size() >= kWriteChunkBytes) RETURN_IF_ERROR(flush());
    }
  }
  const bool unchanged = stats->batches_dropped == before.batches_dropped &&
                         stats->batches_rewritten == before.batches_rewritten;
  if (unchanged) {
    if (cleaned) RETURN_IF_ERROR(env_->DeleteFile(path));
    return std::optional<uint64_t>();
  }
  RETURN_IF_ERROR(flush());
  if (!cleaned) {
    // Everything went: an empty segment keeps the base offset.
    ASSIGN_OR_RETURN(cleaned, env_->OpenFile(path, OpenMode::kCreate));
    RETURN_IF_ERROR(cleaned->Truncate(0));
  }
  RETURN_IF_ERROR(cleaned->Sync());
  return std::optional<uint64_t>(written);
}

absl::StatusOr<CleanResult> Cleaner::Clean(Log& log, int64_t first_dirty) {
  const LogConfig cfg = log.config();
  const int64_t now = clock_->WallMillis();
  std::shared_ptr<const SegmentList> snapshot = log.segments();
  const SegmentList& list = *snapshot;
  CleanResult result;
  first_dirty = std::max(first_dirty, log.log_start_offset().value());
  result.cleaned_to = first_dirty;

  ASSIGN_OR_RETURN(size_t end, UncleanableIndex(log, list, first_dirty, now, cfg));
  ASSIGN_OR_RETURN(TransactionFacts txns, ScanTransactions(list));
  if (txns.first_open_txn_offset) {
    for (size_t i = 0; i < end; ++i) {
      const int64_t seg_end = list[i + 1]->base_offset();
      if (seg_end > *txns.first_open_txn_offset) {
        end = i;
        break;
      }
    }
  }
  // The dirty segments: from the one holding first_dirty up to `end`.
  size_t dirty_from = end;
  for (size_t i = 0; i < end; ++i) {
    if (list[i + 1]->base_offset() > first_dirty) {
      dirty_from = i;
      break;
    }
  }
  if (dirty_from >= end) return result;

  KeyMap map(options_.cleaner_dedupe_buffer_bytes);
  ASSIGN_OR_RETURN(end, BuildKeyMap(list, dirty_from, end, first_dirty, txns, &map));
  const int64_t cleaned_to = list[end]->base_offset();

  CompactionFilter filter(
      {&map, &txns, now, cfg.delete_retention_ms, static_cast<size_t>(options_.max_batch_bytes)});
  size_t i = 0;
  while (i < end) {
    // A group: consecutive segments whose data fits one segment.
    SegmentList group{list[i]};
    uint64_t bytes = list[i]->size();
    size_t j = i + 1;
    while (j < end && bytes + list[j]->size() <= static_cast<uint64_t>(cfg.segment_bytes) &&
           list[j + 1]->base_offset() - list[i]->base_offset() <=
               std::numeric_limits<int32_t>::max()) {
      bytes += list[j]->size();
      group.push_back(list[j]);
      ++j;
    }
    ASSIGN_OR_RETURN(std::optional<uint64_t> size, CleanGroup(log, group, &filter, &result.stats));
    if (size) {
      absl::Status s = log.ReplaceWithCleaned(
          group, list[j]->base_offset(), group.front()->path(kLogSuffix) + kCleanedSuffix, *size);
      if (!s.ok()) {
        (void)env_->DeleteFile(group.front()->path(kLogSuffix) + kCleanedSuffix);
        return s;
      }
      result.groups_swapped++;
      result.segments_replaced += static_cast<int>(group.size());
    }
    i = j;
  }
  result.cleaned_to = cleaned_to;
  LOG(INFO) << log.dir() << ": cleaned up to " << cleaned_to << " (" << map.size()
            << " keys): " << result.stats.bytes_read << " -> " << result.stats.bytes_written
            << " bytes, " << result.stats.records_dropped << " records and "
            << result.stats.batches_dropped << " batches removed";
  return result;
}

}  // namespace gregor::storage
