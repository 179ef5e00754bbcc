// Log: opening and recovery, appends, reads and lookups. Truncation,
// retention, durability and lifecycle are in log_maintenance.cc.
#include "broker/storage/log.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/storage/checkpoint_file.h"
#include "broker/storage/storage_error.h"
#include "common/status.h"
#include "glog/logging.h"
#include "proto/kafka/records/batch_header.h"

namespace gregor::storage {

absl::Status FileRegion::CopyTo(char* dst) const {
  if (length == 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(size_t n, file->ReadAt(position, dst, length));
  if (n != length) {
    return absl::DataLossError(absl::StrCat(file->path(), ": region of ", length, " bytes at ",
                                            position, " has only ", n));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> FileRegion::ReadAll() const {
  std::string out(length, '\0');
  RETURN_IF_ERROR(CopyTo(out.data()));
  return out;
}

Log::Log(LogParams p)
    : dir_(std::move(p.dir)),
      tp_(std::move(p.topic_partition)),
      env_(p.env),
      clock_(p.clock),
      flusher_(p.flusher),
      segment_ctx_(p.segment_context),
      options_(p.options),
      on_recovery_point_lowered_(std::move(p.on_recovery_point_lowered)),
      topic_id_(p.topic_id),
      clean_shutdown_(p.clean_shutdown),
      checkpoint_recovery_point_(p.recovery_point),
      checkpoint_log_start_(p.log_start_offset),
      checkpoint_hw_(p.high_watermark),
      segments_(std::make_shared<const SegmentList>()),
      config_(std::make_shared<const LogConfig>(p.config)) {}

Log::~Log() = default;

absl::StatusOr<std::shared_ptr<Log>> Log::Open(LogParams params) {
  CHECK(params.env != nullptr && params.clock != nullptr && params.segment_context != nullptr);
  std::shared_ptr<Log> log(new Log(std::move(params)));
  RETURN_IF_ERROR(log->Recover());
  return log;
}

std::shared_ptr<const Log::SegmentList> Log::segments() const {
  absl::ReaderMutexLock l(&segments_mu_);
  return segments_;
}

void Log::PublishSegments(SegmentList list) {
  auto snapshot = std::make_shared<const SegmentList>(std::move(list));
  absl::MutexLock l(&segments_mu_);
  segments_ = std::move(snapshot);
}

Segment* Log::active() const {
  absl::ReaderMutexLock l(&segments_mu_);
  return segments_->back().get();
}

LogConfig Log::config() const {
  absl::ReaderMutexLock l(&config_mu_);
  return *config_;
}

void Log::SetConfig(const LogConfig& config) {
  auto c = std::make_shared<const LogConfig>(config);
  absl::MutexLock l(&config_mu_);
  config_ = std::move(c);
}

absl::Status Log::PersistEpochCache() {
  return WriteEpochCheckpoint(env_, JoinPath(dir_, kLeaderEpochCheckpointFile),
                              epoch_cache_.entries());
}

absl::Status Log::Recover() {
  absl::MutexLock fl(&flush_mu_);
  absl::MutexLock lock(&mu_);
  const LogConfig cfg = config();
  const bool created = !env_->FileExists(dir_);
  RETURN_IF_ERROR(env_->CreateDir(dir_));
  if (created) RETURN_IF_ERROR(env_->SyncDir(DirName(dir_)));

  // The topic id.
  const std::string meta_path = JoinPath(dir_, kPartitionMetadataFile);
  auto meta = ReadFileToString(env_, meta_path, kMaxPartitionMetadataBytes);
  if (meta.ok()) {
    ASSIGN_OR_RETURN(Uuid id, DecodePartitionMetadata(*meta));
    if (!topic_id_.IsZero() && id != topic_id_) {
      return absl::FailedPreconditionError(
          absl::StrCat(dir_, " belongs to topic id ", id.ToBase64(), ", not ", topic_id_.ToBase64(),
                       " (an older incarnation of the topic)"));
    }
    topic_id_ = id;
  } else if (absl::IsNotFound(meta.status())) {
    if (!topic_id_.IsZero()) {
      RETURN_IF_ERROR(WriteFileAtomically(env_, meta_path, EncodePartitionMetadata(topic_id_)));
    }
  } else {
    return meta.status();
  }

  // What is in the directory.
  RETURN_IF_ERROR(CompleteInterruptedSwaps());
  ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir_));
  std::map<int64_t, uint64_t> logs;  // base offset -> size
  std::set<int64_t> index_bases;
  bool epoch_file = false;
  for (const std::string& name : names) {
    const std::string path = JoinPath(dir_, name);
    if (absl::EndsWith(name, kDeletedSuffix) || absl::EndsWith(name, kCleanedSuffix) ||
        absl::EndsWith(name, ".tmp")) {
      RETURN_IF_ERROR(env_->DeleteFile(path));
    } else if (auto base = Segment::ParseFileName(name, kLogSuffix)) {
      ASSIGN_OR_RETURN(logs[*base], env_->FileSize(path));
    } else if (auto ib = Segment::ParseFileName(name, kIndexSuffix)) {
      index_bases.insert(*ib);
    } else if (auto tb = Segment::ParseFileName(name, kTimeIndexSuffix)) {
      index_bases.insert(*tb);
    } else if (name == kLeaderEpochCheckpointFile) {
      epoch_file = true;
    }
  }
  for (int64_t base : index_bases) {
    if (logs.count(base)) continue;
    for (const char* suffix : {kIndexSuffix, kTimeIndexSuffix}) {
      absl::Status s = env_->DeleteFile(JoinPath(dir_, Segment::FileName(base, suffix)));
      if (!s.ok() && !absl::IsNotFound(s)) return s;
    }
  }

  // The epoch cache.
  bool rebuild_epochs = false;
  if (epoch_file) {
    auto entries = ReadEpochCheckpoint(env_, JoinPath(dir_, kLeaderEpochCheckpointFile));
    if (entries.ok()) {
      epoch_cache_ = LeaderEpochCache(std::move(*entries));
    } else {
      LOG(ERROR) << entries.status() << "; rebuilding the leader epoch cache from the log";
      rebuild_epochs = true;
    }
  } else {
    rebuild_epochs = !logs.empty();
  }

  SegmentList list;
  for (const auto& [base, size] : logs) {
    list.push_back(
        std::make_shared<Segment>(segment_ctx_, dir_, base, size, cfg.index_interval_bytes));
  }
  bool recovered = false;
  if (list.empty()) {
    int64_t start = std::max<int64_t>(0, checkpoint_log_start_.value_or(0));
    auto seg = std::make_shared<Segment>(segment_ctx_, dir_, start, 0, cfg.index_interval_bytes);
    RETURN_IF_ERROR(seg->CreateActive());
    list.push_back(seg);
    RETURN_IF_ERROR(env_->SyncDir(dir_));
  } else {
    const int64_t trusted_below =
        clean_shutdown_ ? std::numeric_limits<int64_t>::max()
                        : std::max<int64_t>(0, checkpoint_recovery_point_.value_or(0));
    size_t first = list.size();
    if (!clean_shutdown_) {
      first = 0;
      for (size_t i = 0; i < list.size(); ++i) {
        if (list[i]->base_offset() <= trusted_below) first = i;
      }
    }
    int64_t min_base = first < list.size() ? list[first]->base_offset() : 0;
    auto on_batch = [this](const kafka::BatchHeader& h) {
      std::optional<LeaderEpoch> latest = epoch_cache_.LatestEpoch();
      if (h.partition_leader_epoch >= 0 &&
          (!latest || h.partition_leader_epoch > latest->value())) {
        epoch_cache_.Assign(LeaderEpoch(h.partition_leader_epoch), Offset(h.base_offset));
      }
    };
    for (size_t i = first; i < list.size(); ++i) {
      if (i > first && list[i]->base_offset() < min_base) {
        // Overlaps the previous segment (e.g. a segment removed by a
        // truncation that came back): it and everything after it go.
        LOG(ERROR) << dir_ << ": segment " << list[i]->base_offset()
                   << " overlaps the previous one, which ends at " << min_base
                   << "; deleting it and later segments";
        for (size_t j = i; j < list.size(); ++j) {
          RETURN_IF_ERROR(list[j]->RenameForDeletion());
          RETURN_IF_ERROR(list[j]->DeleteRenamedFiles());
        }
        list.resize(i);
        break;
      }
      ASSIGN_OR_RETURN(uint64_t cut, list[i]->Recover(trusted_below, min_base, on_batch));
      recovered = true;
      pending_sync_.push_back(list[i]);
      min_base = list[i]->next_offset();
      if (cut > 0 && i + 1 < list.size()) {
        LOG(ERROR) << dir_ << ": deleting " << list.size() - i - 1
                   << " segments after the corruption in segment " << list[i]->base_offset();
        for (size_t j = i + 1; j < list.size(); ++j) {
          RETURN_IF_ERROR(list[j]->RenameForDeletion());
          RETURN_IF_ERROR(list[j]->DeleteRenamedFiles());
        }
        list.resize(i + 1);
        break;
      }
    }
    const std::shared_ptr<Segment>& last = list.back();
    if (!last->loaded()) {
      absl::Status s = last->Load(/*writable=*/true);
      if (absl::IsDataLoss(s)) {
        LOG(ERROR) << dir_ << ": " << s << "; validating the active segment";
        RETURN_IF_ERROR(last->Recover(last->base_offset(), last->base_offset(), on_batch).status());
        recovered = true;
        pending_sync_.push_back(last);
      } else if (!s.ok()) {
        return s;
      }
    }
    RETURN_IF_ERROR(last->MakeActive());
  }
  PublishSegments(list);

  const int64_t leo = list.back()->next_offset();
  const int64_t first_base = list.front()->base_offset();
  int64_t log_start = std::max(checkpoint_log_start_.value_or(first_base), first_base);
  log_start = std::min(log_start, leo);
  leo_.store(leo);
  log_start_.store(log_start);
  hw_.store(std::clamp(checkpoint_hw_.value_or(log_start), log_start, leo));

  if (rebuild_epochs) {
    epoch_cache_.Clear();
    for (const auto& seg : list) {
      auto visited = seg->VisitHeaders(seg->base_offset(), [this](const BatchAt& b) {
        if (b.header.partition_leader_epoch >= 0) {
          epoch_cache_.Assign(LeaderEpoch(b.header.partition_leader_epoch),
                              Offset(b.header.base_offset));
        }
        return true;
      });
      RETURN_IF_ERROR(visited.status());
    }
  }
  bool epochs_changed = epoch_cache_.TruncateFromEnd(Offset(leo));
  epochs_changed |= epoch_cache_.TruncateFromStart(Offset(log_start));
  if (epochs_changed || rebuild_epochs || (!epoch_file && !epoch_cache_.empty())) {
    RETURN_IF_ERROR(PersistEpochCache());
  }

  // Everything recovered is made durable before the recovery point moves.
  if (recovered) dir_dirty_ = true;
  last_flush_ms_.store(clock_->WallMillis());
  if (recovered) {
    mu_.Unlock();
    absl::Status s = DoFlushLocked();  // flush_mu_ is held
    mu_.Lock();
    RETURN_IF_ERROR(s);
  }
  flushed_.store(leo);
  recovery_point_.store(leo);
  if (recovered) {
    LOG(INFO) << dir_ << ": recovered; log " << log_start << ".." << leo << ", " << list.size()
              << " segments";
  }
  return absl::OkStatus();
}

namespace {

// ValidateBatch without the CRC, for batches whose CRC the caller checked.
absl::Status CheckBatchStructure(std::string_view batch) {
  kafka::BatchHeader h = kafka::ParseBatchHeader(batch.data());
  if (h.magic != 2) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported record batch magic ", h.magic));
  }
  if (h.total_size() != batch.size() || h.last_offset_delta < 0 || h.records_count < 0 ||
      (h.records_count > 0 && h.records_count - 1 > h.last_offset_delta)) {
    return absl::DataLossError("record batch header fields are inconsistent");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Log::ParsedBatch>> Log::ParseBatches(std::span<char> buf, bool as_leader,
                                                                const LeaderAppendOptions& options,
                                                                const LogConfig& cfg) const {
  if (buf.empty()) return MakeStorageError(StorageError::kInvalidRecord, "empty append");
  if (static_cast<int64_t>(buf.size()) > cfg.segment_bytes) {
    return MakeStorageError(
        StorageError::kRecordListTooLarge,
        absl::StrCat("append of ", buf.size(), " bytes exceeds segment.bytes ", cfg.segment_bytes));
  }
  const size_t limit = as_leader ? static_cast<size_t>(cfg.max_message_bytes)
                                 : static_cast<size_t>(options_.max_batch_bytes);
  std::vector<ParsedBatch> out;
  size_t pos = 0;
  while (pos < buf.size()) {
    std::string_view rest(buf.data() + pos, buf.size() - pos);
    auto size = kafka::NextBatchSize(rest, limit);
    if (!size.ok()) {
      if (absl::IsOutOfRange(size.status()) && as_leader) {
        return MakeStorageError(StorageError::kMessageTooLarge,
                                absl::StrCat(size.status().message(), " (max.message.bytes)"));
      }
      return MakeStorageError(StorageError::kCorruptMessage, size.status().message());
    }
    if (*size > rest.size()) {
      return MakeStorageError(
          StorageError::kCorruptMessage,
          absl::StrCat("batch of ", *size, " bytes but only ", rest.size(), " bytes remain"));
    }
    std::string_view bytes = rest.substr(0, *size);
    if (bytes.size() < kafka::kBatchHeaderSize) {
      return MakeStorageError(StorageError::kCorruptMessage, "batch shorter than its header");
    }
    absl::Status valid = options.crc_verified && as_leader ? CheckBatchStructure(bytes)
                                                           : kafka::ValidateBatch(bytes);
    if (!valid.ok()) {
      return MakeStorageError(absl::IsInvalidArgument(valid) ? StorageError::kInvalidRecord
                                                             : StorageError::kCorruptMessage,
                              valid.message());
    }
    kafka::BatchHeader h = kafka::ParseBatchHeader(bytes.data());
    if (as_leader) {
      if (h.records_count <= 0 || h.records_count != h.last_offset_delta + 1) {
        return MakeStorageError(StorageError::kInvalidRecord,
                                absl::StrCat("batch has ", h.records_count,
                                             " records but lastOffsetDelta ", h.last_offset_delta));
      }
      if (h.is_control() && options.origin == AppendOrigin::kClient) {
        return MakeStorageError(StorageError::kInvalidRecord,
                                "clients may not append control batches");
      }
    } else {
      if (h.base_offset < 0 || (!out.empty() && h.base_offset <= out.back().header.last_offset())) {
        return MakeStorageError(
            StorageError::kInvalidRecord,
            absl::StrCat("follower batch at ", h.base_offset, " does not follow offset ",
                         out.empty() ? -1 : out.back().header.last_offset()));
      }
    }
    out.push_back({pos, *size, h});
    pos += *size;
  }
  return out;
}

absl::Status Log::CheckWritable() const {
  if (closed_) return MakeStorageError(StorageError::kLogClosed, absl::StrCat(dir_, " is closed"));
  if (!failed_.ok()) {
    return MakeStorageError(StorageError::kLogFailed,
                            absl::StrCat(dir_, " failed earlier: ", failed_.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> Log::AppendAsLeader(std::span<char> buf, LeaderEpoch epoch,
                                                 const LeaderAppendOptions& options) {
  const LogConfig cfg = config();
  ASSIGN_OR_RETURN(std::vector<ParsedBatch> parsed, ParseBatches(buf, true, options, cfg));
  const int64_t now = clock_->WallMillis();
  const bool append_time = cfg.timestamp_type == TimestampType::kLogAppendTime;
  if (append_time) {
    for (ParsedBatch& p : parsed) {
      kafka::StampLogAppendTime(buf.data() + p.pos, p.size, now);
      p.header.max_timestamp = now;
    }
  }
  absl::StatusOr<AppendResult> result;
  {
    absl::MutexLock l(&mu_);
    RETURN_IF_ERROR(CheckWritable());
    int64_t next = leo_.load();
    for (ParsedBatch& p : parsed) {
      kafka::SetBaseOffset(buf.data() + p.pos, next);
      kafka::SetPartitionLeaderEpoch(buf.data() + p.pos, epoch.value());
      p.header.base_offset = next;
      p.header.partition_leader_epoch = epoch.value();
      next = p.header.next_offset();
    }
    if (epoch_cache_.Assign(epoch, Offset(parsed.front().header.base_offset))) {
      RETURN_IF_ERROR(PersistEpochCache());
    }
    result = AppendLocked(buf, parsed, cfg, now);
  }
  if (!result.ok()) RunFailedWaiters();
  if (result.ok() && append_time) result->log_append_time_ms = now;
  return result;
}

absl::StatusOr<AppendResult> Log::AppendAsFollower(std::span<char> buf) {
  const LogConfig cfg = config();
  ASSIGN_OR_RETURN(std::vector<ParsedBatch> parsed, ParseBatches(buf, false, {}, cfg));
  const int64_t now = clock_->WallMillis();
  absl::StatusOr<AppendResult> result;
  {
    absl::MutexLock l(&mu_);
    RETURN_IF_ERROR(CheckWritable());
    const int64_t leo = leo_.load();
    if (parsed.front().header.base_offset < leo) {
      return MakeStorageError(StorageError::kUnexpectedAppendOffset,
                              absl::StrCat("follower append at ", parsed.front().header.base_offset,
                                           " is below the log end offset ", leo));
    }
    bool epochs_changed = false;
    for (const ParsedBatch& p : parsed) {
      if (p.header.partition_leader_epoch >= 0) {
        epochs_changed |= epoch_cache_.Assign(LeaderEpoch(p.header.partition_leader_epoch),
                                              Offset(p.header.base_offset));
      }
    }
    if (epochs_changed) RETURN_IF_ERROR(PersistEpochCache());
    result = AppendLocked(buf, parsed, cfg, now);
  }
  if (!result.ok()) RunFailedWaiters();
  return result;
}

absl::StatusOr<AppendResult> Log::AppendLocked(std::span<char> buf,
                                               const std::vector<ParsedBatch>& parsed,
                                               const LogConfig& cfg, int64_t now_ms) {
  const int64_t first = parsed.front().header.base_offset;
  const int64_t last = parsed.back().header.last_offset();
  RETURN_IF_ERROR(MaybeRoll(buf.size(), first, last, cfg, now_ms));
  std::vector<BatchInfo> infos;
  infos.reserve(parsed.size());
  AppendResult r;
  for (const ParsedBatch& p : parsed) {
    infos.push_back({p.header.base_offset, p.header.last_offset(), p.header.max_timestamp,
                     static_cast<uint32_t>(p.size)});
    r.record_count += p.header.records_count;
    r.max_timestamp = std::max(r.max_timestamp, p.header.max_timestamp);
  }
  absl::Status s = active()->Append(std::string_view(buf.data(), buf.size()), infos, now_ms);
  if (!s.ok()) {
    if (absl::IsDataLoss(s)) Fail(s);  // the segment could not be cut back
    return s;
  }
  leo_.store(last + 1);
  unflushed_messages_ += r.record_count;
  if (unflushed_messages_ >= cfg.flush_messages) RequestFlush();
  r.first_offset = Offset(first);
  r.last_offset = Offset(last);
  r.log_start_offset = Offset(log_start_.load());
  r.batch_count = static_cast<int32_t>(parsed.size());
  r.bytes = buf.size();
  return r;
}

absl::Status Log::MaybeRoll(uint64_t bytes, int64_t first_offset, int64_t last_offset,
                            const LogConfig& cfg, int64_t now_ms) {
  Segment* seg = active();
  const uint64_t size = seg->size();
  const int64_t roll_base = seg->roll_base_ms();
  const bool full = size > 0 && size + bytes > static_cast<uint64_t>(cfg.segment_bytes);
  const bool old = size > 0 && roll_base >= 0 && now_ms - roll_base > cfg.segment_ms;
  const bool index_full = static_cast<int64_t>(seg->offset_index_entries() + 1) *
                              static_cast<int64_t>(kOffsetIndexEntrySize) >
                          cfg.segment_index_bytes;
  const bool overflow = last_offset - seg->base_offset() > std::numeric_limits<int32_t>::max();
  if (!full && !old && !index_full && !overflow) return absl::OkStatus();
  return Roll(first_offset, cfg);
}

absl::Status Log::Roll(int64_t new_base, const LogConfig& cfg) {
  std::shared_ptr<const SegmentList> current = segments();
  const std::shared_ptr<Segment>& old = current->back();
  SegmentList list(current->begin(), current->end());
  if (old->size() == 0) {
    // An empty active segment is replaced rather than kept.
    std::vector<std::shared_ptr<Segment>> renamed;
    RETURN_IF_ERROR(old->RenameForDeletion());
    renamed.push_back(old);
    list.pop_back();
    DeleteRemovedFiles(renamed);
  }
  auto seg = std::make_shared<Segment>(segment_ctx_, dir_, new_base, 0, cfg.index_interval_bytes);
  RETURN_IF_ERROR(seg->CreateActive());
  if (!list.empty() && list.back() == old) {
    old->MakeInactive();
    pending_sync_.push_back(old);
  }
  list.push_back(seg);
  dir_dirty_ = true;
  PublishSegments(std::move(list));
  RequestFlush();  // rolled segments are synced in the background (Kafka does the same)
  return absl::OkStatus();
}

absl::StatusOr<ReadResult> Log::Read(Offset start, const ReadOptions& options) const {
  ReadResult out;
  const int64_t leo = leo_.load();
  const int64_t log_start = log_start_.load();
  out.log_start_offset = Offset(log_start);
  out.log_end_offset = Offset(leo);
  out.high_watermark = Offset(hw_.load());
  if (start.value() < log_start || start.value() > leo) {
    return MakeStorageError(StorageError::kOffsetOutOfRange,
                            absl::StrCat("offset ", start.value(), " is outside ", tp_.DirName(),
                                         " [", log_start, ", ", leo, "]"));
  }
  const int64_t max_offset = std::min(options.max_offset.value(), leo);
  if (start.value() >= max_offset) return out;
  // A segment of the snapshot may be deleted (retention) or replaced
  // (compaction) while we look at it: try again with a fresh snapshot.
  for (int attempt = 0;; ++attempt) {
    std::shared_ptr<const SegmentList> list = segments();
    auto it = std::upper_bound(
        list->begin(), list->end(), start.value(),
        [](int64_t o, const std::shared_ptr<Segment>& s) { return o < s->base_offset(); });
    if (it != list->begin()) --it;
    int64_t from = start.value();
    absl::Status failed;
    for (; it != list->end(); ++it) {
      from = std::max(from, (*it)->base_offset());
      if (from >= max_offset) break;
      auto slice = (*it)->Read(from, max_offset, options.max_bytes, options.min_one);
      if (!slice.ok()) {
        failed = slice.status();
        break;
      }
      if (slice->has_value()) {
        if ((*slice)->length > 0) {
          out.region = {(*slice)->file, (*slice)->position, (*slice)->length};
        }
        return out;
      }
    }
    if (failed.ok()) return out;
    if (!absl::IsNotFound(failed) || attempt >= 3) return failed;
    if (start.value() < log_start_.load()) {
      return MakeStorageError(StorageError::kOffsetOutOfRange,
                              absl::StrCat("offset ", start.value(), " was deleted"));
    }
  }
}

absl::Status Log::VisitBatchHeaders(
    Offset from, const std::function<bool(const kafka::BatchHeader&)>& fn) const {
  const int64_t leo = leo_.load();
  std::shared_ptr<const SegmentList> list = segments();
  for (size_t i = 0; i < list->size(); ++i) {
    const std::shared_ptr<Segment>& seg = (*list)[i];
    if (i + 1 < list->size() && (*list)[i + 1]->base_offset() <= from.value()) continue;
    bool stop = false;
    ASSIGN_OR_RETURN(bool reached_end, seg->VisitHeaders(from.value(), [&](const BatchAt& b) {
      if (b.header.base_offset >= leo) {
        stop = true;
        return false;
      }
      if (!fn(b.header)) {
        stop = true;
        return false;
      }
      return true;
    }));
    (void)reached_end;
    if (stop) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<TimestampAndOffset>> Log::OffsetForTimestamp(
    int64_t timestamp_ms) const {
  std::shared_ptr<const SegmentList> list = segments();
  const int64_t log_start = log_start_.load();
  const int64_t leo = leo_.load();
  for (const auto& seg : *list) {
    ASSIGN_OR_RETURN(auto max, seg->MaxTimestamp());
    if (max.first < timestamp_ms) continue;
    ASSIGN_OR_RETURN(std::optional<TimestampAndOffset> found,
                     seg->FindOffsetByTimestamp(timestamp_ms, log_start));
    if (!found || found->offset >= leo) continue;
    return found;
  }
  return std::optional<TimestampAndOffset>();
}

absl::StatusOr<std::optional<TimestampAndOffset>> Log::MaxTimestampAndOffset() const {
  std::shared_ptr<const SegmentList> list = segments();
  std::shared_ptr<Segment> best;
  int64_t best_ts = -1;
  for (const auto& seg : *list) {
    ASSIGN_OR_RETURN(auto max, seg->MaxTimestamp());
    if (max.first > best_ts) {
      best_ts = max.first;
      best = seg;
    }
  }
  if (!best) return std::optional<TimestampAndOffset>();
  return best->FindOffsetByTimestamp(best_ts);
}

EpochEndOffset Log::EndOffsetForEpoch(LeaderEpoch epoch) const {
  absl::MutexLock l(&mu_);
  return epoch_cache_.EndOffsetFor(epoch, Offset(leo_.load()));
}

std::optional<LeaderEpoch> Log::LatestEpoch() const {
  absl::MutexLock l(&mu_);
  return epoch_cache_.LatestEpoch();
}

std::vector<EpochEntry> Log::EpochEntries() const {
  absl::MutexLock l(&mu_);
  return epoch_cache_.entries();
}

uint64_t Log::size_bytes() const {
  uint64_t total = 0;
  for (const auto& seg : *segments()) total += seg->size();
  return total;
}

int Log::segment_count() const { return static_cast<int>(segments()->size()); }

std::vector<int64_t> Log::SegmentBaseOffsets() const {
  std::vector<int64_t> out;
  for (const auto& seg : *segments()) out.push_back(seg->base_offset());
  return out;
}

}  // namespace gregor::storage
