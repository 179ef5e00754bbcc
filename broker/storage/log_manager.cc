#include "broker/storage/log_manager.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/storage/checkpoint_file.h"
#include "common/status.h"
#include "glog/logging.h"

namespace gregor::storage {

LogManager::LogManager(Env* env, Clock* clock, LogManagerOptions options)
    : env_(env),
      clock_(clock),
      options_(std::move(options)),
      cache_(std::make_shared<SegmentCache>(
          static_cast<size_t>(std::max(1, options_.storage.max_open_segments)))),
      segment_ctx_(
          SegmentContext::Make(env, cache_, static_cast<size_t>(options_.storage.max_batch_bytes))),
      flusher_(std::make_unique<Flusher>(std::max(1, options_.storage.flusher_threads))),
      cleaner_(std::make_unique<Cleaner>(env, clock, options_.storage)),
      checkpoint_mu_(new absl::Mutex[options_.log_dirs.size()]) {}

LogManager::~LogManager() {
  absl::Status s = Shutdown();
  if (!s.ok()) LOG(ERROR) << "storage shutdown: " << s;
}

absl::StatusOr<std::unique_ptr<LogManager>> LogManager::Open(Env* env, Clock* clock,
                                                             LogManagerOptions options) {
  if (options.log_dirs.empty()) return absl::InvalidArgumentError("no log dirs");
  std::unique_ptr<LogManager> m(new LogManager(env, clock, std::move(options)));
  RETURN_IF_ERROR(m->Load());
  if (m->options_.start_background_tasks) {
    const StorageOptions& o = m->options_.storage;
    using std::chrono::milliseconds;
    LogManager* self = m.get();
    m->scheduler_ = std::make_unique<Scheduler>(clock);
    m->scheduler_->Add("flush.ms", milliseconds(o.flush_check_interval_ms),
                       [self] { self->FlushLogsDueByTime(); });
    m->scheduler_->Add("recovery-point-checkpoint",
                       milliseconds(o.recovery_point_checkpoint_interval_ms), [self] {
                         absl::Status s = self->CheckpointRecoveryPoints();
                         if (!s.ok()) LOG(ERROR) << s;
                       });
    m->scheduler_->Add("high-watermark-checkpoint",
                       milliseconds(o.high_watermark_checkpoint_interval_ms), [self] {
                         absl::Status s = self->CheckpointHighWatermarks();
                         if (!s.ok()) LOG(ERROR) << s;
                       });
    m->scheduler_->Add("log-start-checkpoint",
                       milliseconds(o.log_start_offset_checkpoint_interval_ms), [self] {
                         absl::Status s = self->CheckpointLogStartOffsets();
                         if (!s.ok()) LOG(ERROR) << s;
                       });
    m->scheduler_->Add("retention", milliseconds(o.retention_check_interval_ms),
                       [self] { self->ApplyRetention(); });
    m->scheduler_->Start(std::max(1, o.background_threads));
    if (o.cleaner_threads > 0) {
      m->cleaner_scheduler_ = std::make_unique<Scheduler>(clock);
      m->cleaner_scheduler_->Add("cleaner", milliseconds(o.cleaner_backoff_ms), [self] {
        while (self->CleanOnce()) {
        }
      });
      m->cleaner_scheduler_->Start(o.cleaner_threads);
    }
  }
  return m;
}

absl::StatusOr<LogManager::DirCheckpoints> LogManager::ReadDirCheckpoints(const std::string& dir) {
  DirCheckpoints c;
  c.clean_shutdown = env_->FileExists(JoinPath(dir, kCleanShutdownFile));
  auto read = [&](const char* name, OffsetCheckpoint* out) -> absl::Status {
    auto cp = ReadOffsetCheckpoint(env_, JoinPath(dir, name));
    if (cp.ok()) {
      *out = std::move(*cp);
    } else if (absl::IsDataLoss(cp.status())) {
      // Unreadable: act as if it were missing (full recovery, defaults).
      LOG(ERROR) << cp.status() << "; ignoring it";
      if (std::string(name) == kRecoveryPointCheckpointFile) c.clean_shutdown = false;
    } else if (!absl::IsNotFound(cp.status())) {
      return cp.status();
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(read(kRecoveryPointCheckpointFile, &c.recovery_points));
  RETURN_IF_ERROR(read(kLogStartOffsetCheckpointFile, &c.log_starts));
  RETURN_IF_ERROR(read(kHighWatermarkCheckpointFile, &c.high_watermarks));
  RETURN_IF_ERROR(read(kCleanerOffsetCheckpointFile, &c.cleaner_offsets));
  return c;
}

LogParams LogManager::MakeParams(const std::string& dir, const TopicPartition& tp,
                                 size_t dir_index) {
  LogParams p;
  p.env = env_;
  p.clock = clock_;
  p.flusher = flusher_.get();
  p.segment_context = segment_ctx_;
  p.dir = JoinPath(dir, tp.DirName());
  p.topic_partition = tp;
  p.config = options_.default_config;
  p.options = options_.storage;
  p.on_recovery_point_lowered = [this, dir_index] { return WriteRecoveryCheckpoint(dir_index); };
  return p;
}

absl::Status LogManager::Load() {
  struct Pending {
    size_t dir;
    TopicPartition tp;
    LogParams params;
  };
  std::vector<Pending> pending;
  for (size_t d = 0; d < options_.log_dirs.size(); ++d) {
    const std::string& dir = options_.log_dirs[d];
    RETURN_IF_ERROR(env_->CreateDir(dir));
    ASSIGN_OR_RETURN(DirCheckpoints cp, ReadDirCheckpoints(dir));
    ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir));
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      if (absl::EndsWith(name, "-delete")) {
        // A partition whose deletion was interrupted.
        absl::Status s = DeleteDirAndFiles(env_, JoinPath(dir, name));
        if (!s.ok()) LOG(ERROR) << "removing " << name << ": " << s;
        continue;
      }
      std::optional<TopicPartition> tp = TopicPartition::FromDirName(name);
      if (!tp) continue;
      LogParams p = MakeParams(dir, *tp, d);
      p.clean_shutdown = cp.clean_shutdown;
      auto get = [&](const OffsetCheckpoint& m) -> std::optional<int64_t> {
        auto it = m.find(*tp);
        if (it == m.end()) return std::nullopt;
        return it->second;
      };
      p.recovery_point = get(cp.recovery_points);
      p.log_start_offset = get(cp.log_starts);
      p.high_watermark = get(cp.high_watermarks);
      if (auto c = get(cp.cleaner_offsets)) {
        absl::MutexLock l(&mu_);
        cleaner_offsets_[*tp] = *c;
      }
      pending.push_back({d, *tp, std::move(p)});
    }
  }
  // Open (and recover) the logs on a few threads.
  std::vector<absl::StatusOr<std::shared_ptr<Log>>> opened(pending.size(),
                                                           absl::UnknownError("not opened"));
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < pending.size(); i = next++) {
      opened[i] = Log::Open(pending[i].params);
    }
  };
  const int threads = std::clamp<int>(options_.recovery_threads, 1,
                                      static_cast<int>(std::max<size_t>(1, pending.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  {
    absl::MutexLock l(&mu_);
    for (size_t i = 0; i < pending.size(); ++i) {
      if (!opened[i].ok()) {
        return absl::Status(
            opened[i].status().code(),
            absl::StrCat("opening ", pending[i].params.dir, ": ", opened[i].status().message()));
      }
      if (logs_.count(pending[i].tp)) {
        return absl::FailedPreconditionError(
            absl::StrCat(pending[i].tp.DirName(), " is in more than one log dir"));
      }
      logs_[pending[i].tp] = {std::move(*opened[i]), pending[i].dir};
    }
  }
  // From here on the directories are in use: no longer cleanly shut down.
  for (size_t d = 0; d < options_.log_dirs.size(); ++d) {
    const std::string marker = JoinPath(options_.log_dirs[d], kCleanShutdownFile);
    if (env_->FileExists(marker)) {
      RETURN_IF_ERROR(env_->DeleteFile(marker));
      RETURN_IF_ERROR(env_->SyncDir(options_.log_dirs[d]));
    }
    RETURN_IF_ERROR(WriteRecoveryCheckpoint(d));
  }
  LOG(INFO) << "storage: opened " << pending.size() << " partition logs in "
            << options_.log_dirs.size() << " log dirs";
  return absl::OkStatus();
}

std::shared_ptr<Log> LogManager::GetLog(const TopicPartition& tp) const {
  absl::MutexLock l(&mu_);
  auto it = logs_.find(tp);
  return it == logs_.end() ? nullptr : it->second.log;
}

absl::StatusOr<std::shared_ptr<Log>> LogManager::GetOrCreateLog(const TopicPartition& tp,
                                                                const Uuid& topic_id,
                                                                const LogConfig& config) {
  if (!IsLegalTopicName(tp.topic) || tp.partition < 0) {
    return absl::InvalidArgumentError(absl::StrCat("illegal partition ", tp.DirName()));
  }
  absl::MutexLock create(&create_mu_);
  std::shared_ptr<Log> existing;
  size_t d = 0;
  {
    absl::MutexLock l(&mu_);
    if (shut_down_) return absl::FailedPreconditionError("storage is shut down");
    auto it = logs_.find(tp);
    if (it != logs_.end()) {
      existing = it->second.log;
    } else {
      // The log dir with the fewest partitions.
      std::vector<size_t> counts(options_.log_dirs.size(), 0);
      for (const auto& [_, e] : logs_) counts[e.dir]++;
      d = static_cast<size_t>(std::min_element(counts.begin(), counts.end()) - counts.begin());
    }
  }
  if (existing) {
    const Uuid& have = existing->topic_id();
    if (!topic_id.IsZero() && !have.IsZero() && have != topic_id) {
      return absl::FailedPreconditionError(absl::StrCat(
          tp.DirName(), " holds topic id ", have.ToBase64(), ", not ", topic_id.ToBase64()));
    }
    existing->SetConfig(config);
    return existing;
  }
  LogParams p = MakeParams(options_.log_dirs[d], tp, d);
  p.topic_id = topic_id;
  p.config = config;
  ASSIGN_OR_RETURN(std::shared_ptr<Log> log, Log::Open(std::move(p)));
  absl::MutexLock l(&mu_);
  logs_[tp] = {log, d};
  return log;
}

absl::Status LogManager::DeleteLog(const TopicPartition& tp) {
  Entry e;
  {
    absl::MutexLock l(&mu_);
    auto it = logs_.find(tp);
    if (it == logs_.end()) return absl::NotFoundError(absl::StrCat(tp.DirName(), " not here"));
    e = it->second;
    logs_.erase(it);
    cleaner_offsets_.erase(tp);
  }
  absl::Status s = e.log->Close();
  if (!s.ok()) LOG(WARNING) << "closing " << e.log->dir() << " before deleting it: " << s;
  e.log->MarkDeleted();
  // Kafka's layout: rename first, so a crash leaves a "-delete" directory.
  absl::BitGen gen;
  const std::string doomed = absl::StrCat(e.log->dir(), ".", Uuid::Random(gen).ToHex(), "-delete");
  RETURN_IF_ERROR(env_->RenameFile(e.log->dir(), doomed));
  RETURN_IF_ERROR(env_->SyncDir(options_.log_dirs[e.dir]));
  RETURN_IF_ERROR(WriteRecoveryCheckpoint(e.dir));
  return DeleteDirAndFiles(env_, doomed);
}

std::vector<LogManager::Entry> LogManager::Entries() const {
  absl::MutexLock l(&mu_);
  std::vector<Entry> out;
  out.reserve(logs_.size());
  for (const auto& [_, e] : logs_) out.push_back(e);
  return out;
}

std::vector<std::shared_ptr<Log>> LogManager::AllLogs() const {
  std::vector<std::shared_ptr<Log>> out;
  for (const Entry& e : Entries()) out.push_back(e.log);
  return out;
}

size_t LogManager::log_count() const {
  absl::MutexLock l(&mu_);
  return logs_.size();
}

void LogManager::FlushLogsDueByTime() {
  for (const Entry& e : Entries()) e.log->MaybeFlushForTime();
}

absl::Status LogManager::WriteCheckpoints(const char* file_name,
                                          const std::function<int64_t(const Log&)>& value) {
  std::vector<Entry> entries = Entries();
  absl::Status first_error;
  for (size_t d = 0; d < options_.log_dirs.size(); ++d) {
    absl::MutexLock l(&checkpoint_mu_[d]);
    OffsetCheckpoint cp;
    for (const Entry& e : entries) {
      if (e.dir == d) cp[e.log->topic_partition()] = value(*e.log);
    }
    absl::Status s = WriteOffsetCheckpoint(env_, JoinPath(options_.log_dirs[d], file_name), cp);
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  return first_error;
}

absl::Status LogManager::WriteRecoveryCheckpoint(size_t d) {
  std::vector<Entry> entries = Entries();
  absl::MutexLock l(&checkpoint_mu_[d]);
  OffsetCheckpoint cp;
  for (const Entry& e : entries) {
    if (e.dir == d) cp[e.log->topic_partition()] = e.log->recovery_point().value();
  }
  return WriteOffsetCheckpoint(env_, JoinPath(options_.log_dirs[d], kRecoveryPointCheckpointFile),
                               cp);
}

absl::Status LogManager::CheckpointRecoveryPoints() {
  // First make each log's index entries durable and advance its recovery
  // point (no manager lock held: a log may be truncating and call back).
  for (const Entry& e : Entries()) {
    auto rp = e.log->CheckpointRecoveryPoint();
    if (!rp.ok()) LOG(ERROR) << e.log->dir() << ": " << rp.status();
  }
  return WriteCheckpoints(kRecoveryPointCheckpointFile,
                          [](const Log& log) { return log.recovery_point().value(); });
}

absl::Status LogManager::CheckpointLogStartOffsets() {
  return WriteCheckpoints(kLogStartOffsetCheckpointFile,
                          [](const Log& log) { return log.log_start_offset().value(); });
}

absl::Status LogManager::CheckpointHighWatermarks() {
  return WriteCheckpoints(kHighWatermarkCheckpointFile,
                          [](const Log& log) { return log.high_watermark().value(); });
}

absl::Status LogManager::CheckpointCleanerOffsets() {
  std::map<TopicPartition, int64_t> offsets;
  {
    absl::MutexLock l(&mu_);
    offsets = cleaner_offsets_;
  }
  return WriteCheckpoints(kCleanerOffsetCheckpointFile, [&](const Log& log) {
    auto it = offsets.find(log.topic_partition());
    return it == offsets.end() ? log.log_start_offset().value() : it->second;
  });
}

int LogManager::ApplyRetention() {
  int deleted = 0;
  for (const Entry& e : Entries()) {
    auto n = e.log->ApplyRetention();
    if (n.ok()) {
      deleted += *n;
    } else {
      LOG(ERROR) << e.log->dir() << ": retention: " << n.status();
    }
  }
  return deleted;
}

bool LogManager::CleanOnce() {
  absl::MutexLock clean(&clean_mu_);
  std::shared_ptr<Log> best;
  Cleaner::Dirtiness best_d;
  for (const Entry& e : Entries()) {
    const LogConfig cfg = e.log->config();
    if (!cfg.cleanup_compact) continue;
    int64_t first_dirty;
    {
      absl::MutexLock l(&mu_);
      auto it = cleaner_offsets_.find(e.log->topic_partition());
      first_dirty = it == cleaner_offsets_.end() ? 0 : it->second;
    }
    auto d = cleaner_->Measure(*e.log, first_dirty);
    if (!d.ok()) {
      LOG(ERROR) << e.log->dir() << ": " << d.status();
      continue;
    }
    if (d->dirty_bytes == 0) continue;
    if (!d->forced && d->ratio() < cfg.min_cleanable_dirty_ratio) continue;
    if (!best || (d->forced && !best_d.forced) ||
        (d->forced == best_d.forced && d->ratio() > best_d.ratio())) {
      best = e.log;
      best_d = *d;
    }
  }
  if (!best) return false;
  auto r = cleaner_->Clean(*best, best_d.first_dirty);
  if (!r.ok()) {
    LOG(WARNING) << best->dir() << ": cleaning: " << r.status();
    return false;
  }
  {
    absl::MutexLock l(&mu_);
    cleaner_offsets_[best->topic_partition()] = r->cleaned_to;
  }
  absl::Status s = CheckpointCleanerOffsets();
  if (!s.ok()) LOG(ERROR) << s;
  return r->cleaned_to > best_d.first_dirty;
}

absl::Status LogManager::Shutdown() {
  {
    absl::MutexLock l(&mu_);
    if (shut_down_) return absl::OkStatus();
    shut_down_ = true;
  }
  if (cleaner_scheduler_) cleaner_scheduler_->Stop();
  if (scheduler_) scheduler_->Stop();
  absl::Status first_error;
  auto note = [&](absl::Status s) {
    if (!s.ok() && first_error.ok()) first_error = s;
  };
  bool all_closed = true;
  for (const Entry& e : Entries()) {
    absl::Status s = e.log->Close();
    if (!s.ok()) {
      all_closed = false;
      LOG(ERROR) << e.log->dir() << ": close: " << s;
    }
    note(s);
  }
  note(WriteCheckpoints(kRecoveryPointCheckpointFile,
                        [](const Log& log) { return log.recovery_point().value(); }));
  note(CheckpointLogStartOffsets());
  note(CheckpointHighWatermarks());
  note(CheckpointCleanerOffsets());
  if (all_closed && first_error.ok()) {
    for (const std::string& dir : options_.log_dirs) {
      note(WriteFileAtomically(env_, JoinPath(dir, kCleanShutdownFile), ""));
    }
  }
  return first_error;
}

}  // namespace gregor::storage
