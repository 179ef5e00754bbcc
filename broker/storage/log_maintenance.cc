// Log: truncation, log start and retention, durability (group commit),
// checkpoints and lifecycle.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "broker/storage/checkpoint_file.h"
#include "broker/storage/log.h"
#include "broker/storage/storage_error.h"
#include "common/status.h"
#include "glog/logging.h"

namespace gregor::storage {

// ---------------------------------------------------------------- truncation

void Log::RemoveSegments(const std::vector<std::shared_ptr<Segment>>& victims,
                         std::vector<std::shared_ptr<Segment>>* renamed) {
  if (victims.empty()) return;
  SegmentList list = *segments();
  for (const auto& v : victims) {
    absl::Status s = v->RenameForDeletion();
    if (!s.ok()) LOG(ERROR) << "deleting segment " << v->path(kLogSuffix) << ": " << s;
    list.erase(std::remove(list.begin(), list.end(), v), list.end());
    pending_sync_.erase(std::remove(pending_sync_.begin(), pending_sync_.end(), v),
                        pending_sync_.end());
    renamed->push_back(v);
  }
  CHECK(!list.empty()) << "removed every segment of " << dir_;
  PublishSegments(std::move(list));
}

void Log::DeleteRemovedFiles(const std::vector<std::shared_ptr<Segment>>& renamed) {
  for (const auto& seg : renamed) {
    absl::Status s = seg->DeleteRenamedFiles();
    if (!s.ok()) LOG(ERROR) << s;
  }
}

absl::Status Log::LowerRecoveryPoint(int64_t offset) {
  if (recovery_point_.load() <= offset) return absl::OkStatus();
  recovery_point_.store(offset);
  if (on_recovery_point_lowered_) return on_recovery_point_lowered_();
  return absl::OkStatus();
}

absl::Status Log::SetLogStartLocked(int64_t offset) {
  if (offset <= log_start_.load()) return absl::OkStatus();
  log_start_.store(offset);
  if (hw_.load() < offset) hw_.store(offset);
  if (epoch_cache_.TruncateFromStart(Offset(offset))) return PersistEpochCache();
  return absl::OkStatus();
}

absl::Status Log::TruncateTo(Offset offset) {
  std::vector<std::shared_ptr<Segment>> renamed;
  std::vector<DurableCallback> cut;
  absl::Status status;
  {
    absl::MutexLock fl(&flush_mu_);
    absl::MutexLock l(&mu_);
    RETURN_IF_ERROR(CheckWritable());
    const int64_t target = offset.value();
    if (target < 0) {
      return MakeStorageError(StorageError::kOffsetOutOfRange,
                              absl::StrCat("cannot truncate to ", target));
    }
    if (target >= leo_.load()) {
      // Nothing to cut, but an epoch may start at the log end with no
      // record in it (this replica led that epoch and wrote nothing before
      // losing leadership). It must go like any epoch above the cut: a
      // follower that kept it would send it as its last fetched epoch, and a
      // leader that never saw it would answer "diverging" forever (Kafka
      // truncates the epoch cache here too).
      if (epoch_cache_.TruncateFromEnd(Offset(leo_.load()))) return PersistEpochCache();
      return absl::OkStatus();
    }
    std::shared_ptr<const SegmentList> list = segments();
    if (target < log_start_.load() || target < list->front()->base_offset()) {
      status = TruncateFullyLocked(target, &renamed);
    } else {
      std::vector<std::shared_ptr<Segment>> victims;
      std::shared_ptr<Segment> keep;
      for (const auto& seg : *list) {
        if (seg->base_offset() > target) {
          victims.push_back(seg);
        } else {
          keep = seg;
        }
      }
      RemoveSegments(victims, &renamed);
      status = keep->MakeActive();
      if (status.ok()) status = keep->TruncateTo(target).status();
      // Neither the cut nor the removed segments may come back after a crash.
      if (status.ok()) status = keep->SyncLog();
      if (status.ok() && !victims.empty()) status = env_->SyncDir(dir_);
      if (!status.ok()) {
        Fail(status);
      } else {
        const int64_t leo = keep->next_offset();
        leo_.store(leo);
        if (hw_.load() > leo) hw_.store(leo);
        if (flushed_.load() > leo) flushed_.store(leo);
        unflushed_messages_ = 0;
        if (epoch_cache_.TruncateFromEnd(Offset(leo))) status = PersistEpochCache();
        if (status.ok()) status = LowerRecoveryPoint(leo);
        LOG(INFO) << dir_ << ": truncated to " << target << "; log end offset now " << leo;
      }
    }
    cut = TakeWaitersAbove(leo_.load());
  }
  DeleteRemovedFiles(renamed);
  RunWaiters(std::move(cut),
             MakeStorageError(StorageError::kTruncated, absl::StrCat(dir_, " was truncated")));
  RunFailedWaiters();
  return status;
}

absl::Status Log::TruncateFullyLocked(int64_t offset,
                                      std::vector<std::shared_ptr<Segment>>* renamed) {
  std::shared_ptr<const SegmentList> list = segments();
  SegmentList old(list->begin(), list->end());
  for (const auto& seg : old) {
    absl::Status s = seg->RenameForDeletion();
    if (!s.ok()) LOG(ERROR) << s;
    renamed->push_back(seg);
  }
  pending_sync_.clear();
  auto seg =
      std::make_shared<Segment>(segment_ctx_, dir_, offset, 0, config().index_interval_bytes);
  absl::Status s = seg->CreateActive();
  if (s.ok()) s = env_->SyncDir(dir_);
  if (!s.ok()) {
    Fail(s);
    return s;
  }
  PublishSegments({seg});
  leo_.store(offset);
  log_start_.store(offset);
  hw_.store(offset);
  flushed_.store(offset);
  unflushed_messages_ = 0;
  if (epoch_cache_.Clear()) RETURN_IF_ERROR(PersistEpochCache());
  LOG(INFO) << dir_ << ": truncated fully; the log restarts at " << offset;
  return LowerRecoveryPoint(offset);
}

absl::Status Log::TruncateFullyAndStartAt(Offset offset) {
  if (offset.value() < 0) {
    return MakeStorageError(StorageError::kOffsetOutOfRange, "negative start offset");
  }
  std::vector<std::shared_ptr<Segment>> renamed;
  std::vector<DurableCallback> cut;
  absl::Status status;
  {
    absl::MutexLock fl(&flush_mu_);
    absl::MutexLock l(&mu_);
    RETURN_IF_ERROR(CheckWritable());
    status = TruncateFullyLocked(offset.value(), &renamed);
    cut = TakeWaitersAbove(offset.value());
  }
  DeleteRemovedFiles(renamed);
  RunWaiters(std::move(cut),
             MakeStorageError(StorageError::kTruncated, absl::StrCat(dir_, " was truncated")));
  return status;
}

absl::Status Log::AdvanceLogStartOffset(Offset offset) {
  std::vector<std::shared_ptr<Segment>> renamed;
  {
    absl::MutexLock l(&mu_);
    RETURN_IF_ERROR(CheckWritable());
    if (offset.value() > hw_.load()) {
      return MakeStorageError(
          StorageError::kOffsetOutOfRange,
          absl::StrCat("cannot move the log start of ", tp_.DirName(), " to ", offset.value(),
                       ", past the high watermark ", hw_.load()));
    }
    if (offset.value() <= log_start_.load()) return absl::OkStatus();
    RETURN_IF_ERROR(SetLogStartLocked(offset.value()));
    std::shared_ptr<const SegmentList> list = segments();
    std::vector<std::shared_ptr<Segment>> victims;
    for (size_t i = 0; i + 1 < list->size(); ++i) {
      if ((*list)[i + 1]->base_offset() > offset.value()) break;
      victims.push_back((*list)[i]);
    }
    RemoveSegments(victims, &renamed);
  }
  DeleteRemovedFiles(renamed);
  return absl::OkStatus();
}

// ----------------------------------------------------------------- retention

absl::StatusOr<int> Log::ApplyRetention() {
  const LogConfig cfg = config();
  const int64_t now = clock_->WallMillis();
  std::shared_ptr<const SegmentList> list = segments();
  const int64_t hw = hw_.load();
  const int64_t leo = leo_.load();
  const int64_t log_start = log_start_.load();
  uint64_t total = 0;
  for (const auto& seg : *list) total += seg->size();

  // Decide outside the lock (finding a segment's max timestamp may read it).
  size_t count = 0;
  bool roll_active = false;
  for (size_t i = 0; i < list->size(); ++i) {
    const auto& seg = (*list)[i];
    const bool last = i + 1 == list->size();
    const int64_t end = last ? leo : (*list)[i + 1]->base_offset();
    if (end > hw) break;  // only what is wholly below the high watermark
    const uint64_t size = seg->size();
    bool breach = !last && end <= log_start;
    if (cfg.cleanup_delete && !breach && cfg.retention_ms >= 0) {
      ASSIGN_OR_RETURN(auto max, seg->MaxTimestamp());
      breach = max.first >= 0 && now - max.first > cfg.retention_ms;
    }
    if (cfg.cleanup_delete && !breach && cfg.retention_bytes >= 0) {
      breach = total >= size && total - size >= static_cast<uint64_t>(cfg.retention_bytes);
    }
    if (!breach) break;
    if (last) {
      if (size == 0) break;
      if (flushed_.load() < leo) {
        RequestFlush();  // the next pass may delete it once it is durable
        break;
      }
      roll_active = true;
    }
    ++count;
    total -= size;
  }
  if (count == 0) return 0;

  std::vector<std::shared_ptr<Segment>> renamed;
  int deleted = 0;
  {
    absl::MutexLock l(&mu_);
    RETURN_IF_ERROR(CheckWritable());
    std::shared_ptr<const SegmentList> now_list = segments();
    if (roll_active) {
      if (now_list->back() != list->back() || leo_.load() != leo) {
        roll_active = false;
        --count;  // the log moved on; leave the active segment alone
      } else {
        RETURN_IF_ERROR(Roll(leo, cfg));
        now_list = segments();
      }
    }
    std::vector<std::shared_ptr<Segment>> victims;
    for (size_t i = 0; i < count && i + 1 < now_list->size(); ++i) {
      if ((*now_list)[i] != (*list)[i]) break;  // changed under us (truncation)
      victims.push_back((*now_list)[i]);
    }
    RemoveSegments(victims, &renamed);
    deleted = static_cast<int>(victims.size());
    if (deleted > 0) {
      RETURN_IF_ERROR(SetLogStartLocked(segments()->front()->base_offset()));
      LOG(INFO) << dir_ << ": retention deleted " << deleted << " segments; log start now "
                << log_start_.load();
    }
  }
  DeleteRemovedFiles(renamed);
  return deleted;
}

// ---------------------------------------------------------------- durability

void Log::WhenDurable(Offset end_offset, DurableCallback done) {
  absl::Status status;
  bool wait = false;
  {
    absl::MutexLock l(&waiters_mu_);
    if (!waiters_error_.ok()) {
      status = waiters_error_;
    } else if (!options_.sync_before_ack || flushed_.load() >= end_offset.value()) {
      status = absl::OkStatus();
    } else {
      waiters_.emplace(end_offset.value(), std::move(done));
      wait = true;
    }
  }
  if (!wait) {
    done(status);
    return;
  }
  if (flusher_ != nullptr) {
    RequestFlush();
  } else {
    (void)DoFlush();  // completes (or fails) the waiters itself
  }
}

absl::Status Log::Flush() { return DoFlush(); }

void Log::MaybeFlushForTime() {
  const LogConfig cfg = config();
  if (cfg.flush_ms == kNoLimit || flushed_.load() >= leo_.load()) return;
  if (clock_->WallMillis() - last_flush_ms_.load() >= cfg.flush_ms) RequestFlush();
}

void Log::RequestFlush() {
  if (flusher_ == nullptr || closed_flag_.load()) return;
  int s = flush_state_.load();
  while (true) {
    if (s == kIdle) {
      if (flush_state_.compare_exchange_weak(s, kQueued)) {
        flusher_->Schedule(weak_from_this());
        return;
      }
    } else if (s == kRunning) {
      if (flush_state_.compare_exchange_weak(s, kRunningRequeue)) return;
    } else {
      return;  // queued, or a follow-up sync is already promised
    }
  }
}

void Log::RunScheduledFlush() {
  flush_state_.store(kRunning);
  (void)DoFlush();
  int expected = kRunning;
  if (!flush_state_.compare_exchange_strong(expected, kIdle)) {
    flush_state_.store(kQueued);
    flusher_->Schedule(weak_from_this());
  }
}

absl::Status Log::DoFlush() {
  absl::Status s;
  {
    absl::MutexLock fl(&flush_mu_);
    s = DoFlushLocked();
  }
  // Callbacks run with no lock of this log held.
  if (s.ok()) CompleteWaiters(flushed_.load());
  RunFailedWaiters();
  return s;
}

absl::Status Log::DoFlushLocked() {
  int64_t target;
  int64_t messages;
  std::vector<std::shared_ptr<Segment>> rolled;
  std::shared_ptr<Segment> current;
  bool sync_dir;
  {
    absl::MutexLock l(&mu_);
    if (!failed_.ok()) return failed_;
    target = leo_.load();
    messages = unflushed_messages_;
    rolled.swap(pending_sync_);
    current = segments()->back();
    sync_dir = dir_dirty_;
    dir_dirty_ = false;
  }
  absl::Status s;
  for (const auto& seg : rolled) {
    if (s.ok() && seg != current) s = seg->SyncLog();
    if (s.ok()) s = seg->PersistIndexes(/*sync=*/true);
  }
  if (s.ok()) s = current->SyncLog();
  if (s.ok() && sync_dir) s = env_->SyncDir(dir_);
  if (!s.ok()) {
    LOG(ERROR) << dir_ << ": flush failed, taking the log offline: " << s;
    absl::MutexLock l(&mu_);
    Fail(s);
    return s;
  }
  {
    absl::MutexLock l(&mu_);
    unflushed_messages_ = std::max<int64_t>(0, unflushed_messages_ - messages);
  }
  int64_t prev = flushed_.load();
  while (prev < target && !flushed_.compare_exchange_weak(prev, target)) {
  }
  last_flush_ms_.store(clock_->WallMillis());
  return absl::OkStatus();
}

void Log::CompleteWaiters(int64_t durable) {
  std::vector<DurableCallback> ready;
  {
    absl::MutexLock l(&waiters_mu_);
    auto end = waiters_.upper_bound(durable);
    for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
    waiters_.erase(waiters_.begin(), end);
  }
  RunWaiters(std::move(ready), absl::OkStatus());
}

std::vector<DurableCallback> Log::TakeWaitersAbove(int64_t end) {
  std::vector<DurableCallback> out;
  absl::MutexLock l(&waiters_mu_);
  for (auto it = waiters_.upper_bound(end); it != waiters_.end(); ++it) {
    out.push_back(std::move(it->second));
  }
  waiters_.erase(waiters_.upper_bound(end), waiters_.end());
  return out;
}

void Log::RunFailedWaiters() {
  std::vector<DurableCallback> failed;
  {
    absl::MutexLock l(&waiters_mu_);
    failed.swap(failed_waiters_);
  }
  RunWaiters(std::move(failed), absl::OkStatus());
}

void Log::RunWaiters(std::vector<DurableCallback> waiters, const absl::Status& status) {
  if (waiters.empty()) return;
  for (auto& cb : waiters) cb(status);
}

void Log::Fail(const absl::Status& error) {
  if (!failed_.ok()) return;
  failed_ = error;
  absl::Status e = MakeStorageError(StorageError::kLogFailed,
                                    absl::StrCat(dir_, " is offline: ", error.message()));
  absl::MutexLock l(&waiters_mu_);
  waiters_error_ = e;
  for (auto& [offset, cb] : waiters_) {
    failed_waiters_.push_back([cb = std::move(cb), e](absl::Status) mutable { cb(e); });
  }
  waiters_.clear();
}

// ------------------------------------------------------- replication helpers

void Log::SetHighWatermark(Offset hw) {
  // Lock-free so that a slow append never delays the replication path. A
  // truncation racing with this can leave hw above the new log end for a
  // moment; the clamp below (and every reader's min with the log end) fixes
  // that.
  hw_.store(std::clamp(hw.value(), log_start_.load(), leo_.load()));
  int64_t cur = hw_.load();
  for (int64_t leo = leo_.load(); cur > leo; leo = leo_.load()) {
    if (hw_.compare_exchange_weak(cur, leo)) break;
  }
}

absl::Status Log::AssignEpochStartOffset(LeaderEpoch epoch, Offset start_offset) {
  absl::MutexLock l(&mu_);
  RETURN_IF_ERROR(CheckWritable());
  if (epoch_cache_.Assign(epoch, start_offset)) return PersistEpochCache();
  return absl::OkStatus();
}

// ------------------------------------------------------------- checkpoints

absl::StatusOr<Offset> Log::CheckpointRecoveryPoint() {
  absl::MutexLock fl(&flush_mu_);
  const int64_t target = flushed_.load();
  std::shared_ptr<Segment> current = segments()->back();
  RETURN_IF_ERROR(current->PersistIndexes(/*sync=*/true));
  int64_t prev = recovery_point_.load();
  while (prev < target && !recovery_point_.compare_exchange_weak(prev, target)) {
  }
  return Offset(recovery_point_.load());
}

// ---------------------------------------------------------------- lifecycle

absl::Status Log::Close() {
  {
    absl::MutexLock l(&mu_);
    if (closed_) return absl::OkStatus();
  }
  absl::Status s = DoFlush();
  if (s.ok()) {
    for (const auto& seg : *segments()) {
      absl::Status p = seg->PersistIndexes(/*sync=*/true);
      if (!p.ok() && s.ok()) s = p;
    }
  }
  std::vector<DurableCallback> rest;
  {
    absl::MutexLock l(&mu_);
    closed_ = true;
    closed_flag_.store(true);
    if (s.ok()) recovery_point_.store(flushed_.load());
    rest = TakeWaitersAbove(-1);
    absl::MutexLock w(&waiters_mu_);
    if (waiters_error_.ok()) {
      waiters_error_ = MakeStorageError(StorageError::kLogClosed, absl::StrCat(dir_, " is closed"));
    }
  }
  RunWaiters(std::move(rest),
             MakeStorageError(StorageError::kLogClosed, absl::StrCat(dir_, " was closed")));
  RunFailedWaiters();
  return s;
}

absl::Status Log::Delete() {
  (void)Close();
  {
    absl::MutexLock l(&mu_);
    closed_ = true;
  }
  for (const auto& seg : *segments()) {
    absl::Status s = seg->RenameForDeletion();
    if (!s.ok()) LOG(WARNING) << s;
  }
  return DeleteDirAndFiles(env_, dir_);
}

// -------------------------------------------------------- compaction swaps

absl::Status Log::ReplaceWithCleaned(const std::vector<std::shared_ptr<Segment>>& group,
                                     int64_t end, const std::string& cleaned_path,
                                     uint64_t cleaned_size) {
  CHECK(!group.empty());
  const int64_t base = group.front()->base_offset();
  std::vector<std::shared_ptr<Segment>> renamed;
  std::shared_ptr<Segment> fresh;
  {
    absl::MutexLock l(&mu_);
    RETURN_IF_ERROR(CheckWritable());
    SegmentList list = *segments();
    auto first = std::find(list.begin(), list.end(), group.front());
    const size_t at = static_cast<size_t>(first - list.begin());
    bool same = first != list.end() && at + group.size() < list.size() &&
                list[at + group.size()]->base_offset() == end;
    for (size_t k = 0; same && k < group.size(); ++k) {
      same = list[at + k] == group[k] && !group[k]->is_active();
    }
    if (!same) {
      return absl::AbortedError(
          absl::StrCat(dir_, ": the log changed while cleaning [", base, ", ", end, ")"));
    }
    // The marker makes the swap complete itself after a crash from here on.
    const std::string marker = JoinPath(dir_, Segment::FileName(base, kSwapSuffix));
    absl::Status s = WriteFileAtomically(env_, marker, absl::StrCat("end ", end, "\n"));
    for (size_t k = 0; s.ok() && k < group.size(); ++k) s = group[k]->RenameForDeletion();
    if (s.ok())
      s = env_->RenameFile(cleaned_path, JoinPath(dir_, Segment::FileName(base, kLogSuffix)));
    if (s.ok()) s = env_->SyncDir(dir_);
    if (!s.ok()) {
      Fail(s);  // the directory is between two states: recovery finishes the swap
      return s;
    }
    (void)env_->DeleteFile(marker);
    fresh = std::make_shared<Segment>(segment_ctx_, dir_, base, cleaned_size,
                                      config().index_interval_bytes);
    list.erase(list.begin() + at, list.begin() + at + group.size());
    list.insert(list.begin() + at, fresh);
    for (const auto& seg : group) {
      pending_sync_.erase(std::remove(pending_sync_.begin(), pending_sync_.end(), seg),
                          pending_sync_.end());
      renamed.push_back(seg);
    }
    PublishSegments(std::move(list));
  }
  DeleteRemovedFiles(renamed);
  // Index files for the new segment (built by one header scan).
  RETURN_IF_ERROR(fresh->OpenFile().status());
  return fresh->PersistIndexes(/*sync=*/true);
}

void Log::MarkDeleted() {
  absl::MutexLock l(&mu_);
  closed_ = true;
  closed_flag_.store(true);
}

absl::Status Log::CompleteInterruptedSwaps() {
  ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir_));
  for (const std::string& name : names) {
    std::optional<int64_t> base = Segment::ParseFileName(name, kSwapSuffix);
    if (!base) continue;
    const std::string marker = JoinPath(dir_, name);
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(env_, marker, 64));
    absl::string_view t = absl::StripAsciiWhitespace(text);
    int64_t end;
    if (!absl::ConsumePrefix(&t, "end ") || !absl::SimpleAtoi(t, &end) || end <= *base) {
      return absl::DataLossError(absl::StrCat(marker, ": bad swap marker '", text, "'"));
    }
    LOG(WARNING) << dir_ << ": completing the compaction swap of [" << *base << ", " << end << ")";
    // Old segments inside the range go; the base segment's files are replaced.
    for (const std::string& other : names) {
      for (const char* suffix : {kLogSuffix, kIndexSuffix, kTimeIndexSuffix}) {
        std::optional<int64_t> b = Segment::ParseFileName(other, suffix);
        if (b && *b > *base && *b < end) {
          absl::Status s = env_->DeleteFile(JoinPath(dir_, other));
          if (!s.ok() && !absl::IsNotFound(s)) return s;
        }
      }
    }
    for (const char* suffix : {kIndexSuffix, kTimeIndexSuffix, kLogSuffix}) {
      const std::string final_path = JoinPath(dir_, Segment::FileName(*base, suffix));
      const std::string cleaned = final_path + kCleanedSuffix;
      if (env_->FileExists(cleaned)) {
        RETURN_IF_ERROR(env_->RenameFile(cleaned, final_path));
      } else if (std::string(suffix) != kLogSuffix) {
        // No cleaned index: drop the old one; it is rebuilt from the new log.
        absl::Status s = env_->DeleteFile(final_path);
        if (!s.ok() && !absl::IsNotFound(s)) return s;
      }
    }
    RETURN_IF_ERROR(env_->SyncDir(dir_));
    RETURN_IF_ERROR(env_->DeleteFile(marker));
    RETURN_IF_ERROR(env_->SyncDir(dir_));
  }
  return absl::OkStatus();
}

}  // namespace gregor::storage
