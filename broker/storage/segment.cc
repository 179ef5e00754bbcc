#include "broker/storage/segment.h"

#include <algorithm>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "broker/storage/segment_cache.h"
#include "common/status.h"
#include "glog/logging.h"
#include "proto/kafka/records/record_batch_reader.h"

namespace gregor::storage {

// The descriptor, indexes and end-of-segment facts of a loaded segment.
struct Segment::Loaded {
  explicit Loaded(int64_t base) : offset_index(base), time_index(base) {}

  std::shared_ptr<File> file;
  bool writable = false;
  OffsetIndex offset_index;
  TimeIndex time_index;
  size_t offset_on_disk = 0;  // leading entries of each index that are in its file
  size_t time_on_disk = 0;
  bool trim_files = false;                // the files may hold stale entries past *_on_disk
  bool unsynced = false;                  // index files written but not yet synced
  std::unique_ptr<RecentBatches> recent;  // the active segment only

  uint64_t size = 0;
  int64_t last_offset = -1;  // of the last batch; -1 when empty
  int64_t max_ts = -1;
  int64_t offset_of_max_ts = -1;
  int64_t first_ts = -1;  // maxTimestamp of the first batch
  int64_t bytes_since_index = 0;
};

namespace {
constexpr int64_t kMaxRelativeOffset = std::numeric_limits<int32_t>::max();
constexpr size_t kMaxIndexFileBytes = size_t{1} << 31;
}  // namespace

std::string Segment::FileName(int64_t base_offset, std::string_view suffix) {
  return absl::StrFormat("%020d%s", base_offset, absl::string_view(suffix.data(), suffix.size()));
}

std::optional<int64_t> Segment::ParseFileName(std::string_view name, std::string_view suffix) {
  if (name.size() != 20 + suffix.size() || name.substr(20) != suffix) return std::nullopt;
  int64_t v = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

Segment::Segment(std::shared_ptr<const SegmentContext> ctx, std::string dir, int64_t base_offset,
                 uint64_t size, int64_t index_interval_bytes)
    : ctx_(std::move(ctx)),
      dir_(std::move(dir)),
      base_(base_offset),
      index_interval_bytes_(index_interval_bytes),
      size_(size),
      next_offset_(base_offset) {}

Segment::~Segment() {
  if (ctx_->cache != nullptr) ctx_->cache->Remove(this);
}

std::string Segment::path(std::string_view suffix) const {
  return JoinPath(dir_, FileName(base_, suffix));
}

uint64_t Segment::size() const {
  absl::ReaderMutexLock l(&mu_);
  return size_;
}

int64_t Segment::next_offset() const {
  absl::ReaderMutexLock l(&mu_);
  CHECK(next_offset_known_) << "next offset of unloaded segment " << base_;
  return next_offset_;
}

int64_t Segment::roll_base_ms() const {
  absl::ReaderMutexLock l(&mu_);
  return roll_base_ms_;
}

size_t Segment::offset_index_entries() const {
  absl::ReaderMutexLock l(&mu_);
  return loaded_ ? loaded_->offset_index.size() : 0;
}

bool Segment::is_active() const {
  absl::ReaderMutexLock l(&mu_);
  return active_;
}

bool Segment::loaded() const {
  absl::ReaderMutexLock l(&mu_);
  return loaded_ != nullptr;
}

void Segment::IndexBatch(Loaded* l, const BatchInfo& b, uint64_t position) const {
  if (l->bytes_since_index > index_interval_bytes_) {
    l->offset_index.Append({b.last_offset, static_cast<uint32_t>(position)});
    l->time_index.MaybeAppend({std::max(l->max_ts, b.max_timestamp), b.last_offset});
    l->bytes_since_index = 0;
  }
  l->bytes_since_index += b.size;
  if (b.max_timestamp > l->max_ts) {
    l->max_ts = b.max_timestamp;
    l->offset_of_max_ts = b.base_offset;
  }
  if (position == 0) l->first_ts = b.max_timestamp;
  l->last_offset = b.last_offset;
  if (l->recent) l->recent->Add(b.last_offset, position);
}

absl::Status Segment::ScanHeaders(File* file, Loaded* l, uint64_t pos, uint64_t end) const {
  BatchReader reader(file, pos, end, ctx_->max_batch_bytes);
  int64_t prev_last = base_ - 1;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<BatchAt> b, reader.Next(/*whole=*/false));
    if (!b.has_value()) break;
    const kafka::BatchHeader& h = b->header;
    if (h.base_offset <= prev_last || h.last_offset_delta < 0 ||
        h.last_offset() - base_ > kMaxRelativeOffset) {
      return absl::DataLossError(absl::StrCat(file->path(), ": batch at position ", b->position,
                                              " has offsets ", h.base_offset, "..", h.last_offset(),
                                              " after ", prev_last));
    }
    IndexBatch(
        l, {h.base_offset, h.last_offset(), h.max_timestamp, static_cast<uint32_t>(h.total_size())},
        b->position);
    prev_last = h.last_offset();
  }
  return absl::OkStatus();
}

bool Segment::ReadIndexFiles(File* log, uint64_t log_size, Loaded* l) const {
  auto read = [&](std::string_view suffix) -> std::optional<std::string> {
    auto text = ReadFileToString(ctx_->env, path(suffix), kMaxIndexFileBytes);
    if (absl::IsNotFound(text.status())) return std::string();
    if (!text.ok()) {
      LOG(WARNING) << text.status();
      return std::nullopt;
    }
    return std::move(*text);
  };
  std::optional<std::string> ob = read(kIndexSuffix);
  std::optional<std::string> tb = read(kTimeIndexSuffix);
  if (!ob || !tb) return false;
  auto oi = OffsetIndex::Decode(base_, *ob, log_size);
  auto ti = TimeIndex::Decode(base_, *tb);
  if (!oi.ok() || !ti.ok()) {
    LOG(WARNING) << path(kIndexSuffix) << ": " << (!oi.ok() ? oi.status() : ti.status())
                 << "; rebuilding the indexes";
    return false;
  }
  if (auto last = oi->last()) {
    // The last entry must point at a batch with that last offset.
    BatchReader reader(log, last->position, log_size, ctx_->max_batch_bytes);
    auto b = reader.Next(/*whole=*/false);
    if (!b.ok() || !b->has_value() || (*b)->header.last_offset() != last->offset) {
      LOG(WARNING) << path(kIndexSuffix) << ": last entry (" << last->offset << ", "
                   << last->position << ") does not match the log; rebuilding the indexes";
      return false;
    }
  }
  l->offset_index = std::move(*oi);
  l->time_index = std::move(*ti);
  l->offset_on_disk = l->offset_index.size();
  l->time_on_disk = l->time_index.size();
  return true;
}

absl::StatusOr<std::unique_ptr<Segment::Loaded>> Segment::LoadFrom(
    std::shared_ptr<File> file) const {
  auto l = std::make_unique<Loaded>(base_);
  ASSIGN_OR_RETURN(l->size, file->Size());
  l->file = std::move(file);
  File* f = l->file.get();
  if (ReadIndexFiles(f, l->size, l.get())) {
    uint64_t pos = 0;
    if (auto last = l->offset_index.last()) pos = last->position;
    if (auto t = l->time_index.last()) {
      l->max_ts = t->timestamp;
      l->offset_of_max_ts = t->offset;
    }
    absl::Status s = ScanHeaders(f, l.get(), pos, l->size);
    auto t = l->time_index.last();
    if (s.ok() && (!t || t->offset <= l->last_offset)) {
      if (pos != 0) {
        BatchReader first(f, 0, l->size, ctx_->max_batch_bytes);
        ASSIGN_OR_RETURN(std::optional<BatchAt> b, first.Next(false));
        if (b) l->first_ts = b->header.max_timestamp;
      }
      return l;
    }
    LOG(WARNING) << f->path() << ": indexes do not match the log ("
                 << (s.ok() ? "time index past the end" : s.ToString()) << "); rebuilding";
  }
  auto fresh = std::make_unique<Loaded>(base_);
  fresh->file = std::move(l->file);
  fresh->size = l->size;
  fresh->trim_files = true;
  RETURN_IF_ERROR(ScanHeaders(fresh->file.get(), fresh.get(), 0, fresh->size));
  return fresh;
}

void Segment::Install(std::unique_ptr<Loaded> l) {
  size_ = l->size;
  next_offset_ = l->last_offset >= 0 ? l->last_offset + 1 : base_;
  next_offset_known_ = true;
  max_timestamp_ = l->max_ts;
  offset_of_max_timestamp_ = l->offset_of_max_ts;
  max_timestamp_known_ = true;
  if (roll_base_ms_ < 0) roll_base_ms_ = l->first_ts;
  if (active_ && !l->recent) l->recent = std::make_unique<RecentBatches>(next_offset_);
  loaded_ = std::move(l);
}

absl::Status Segment::CreateActive() {
  auto file = ctx_->env->OpenFile(path(kLogSuffix), OpenMode::kCreateNew);
  if (absl::IsAlreadyExists(file.status())) {
    // Left over by an earlier attempt: reuse it only when empty.
    file = ctx_->env->OpenFile(path(kLogSuffix), OpenMode::kReadWrite);
    if (file.ok()) {
      ASSIGN_OR_RETURN(uint64_t size, (*file)->Size());
      if (size != 0) {
        return absl::AlreadyExistsError(
            absl::StrCat(path(kLogSuffix), " exists and holds ", size, " bytes"));
      }
    }
  }
  if (!file.ok()) return file.status();
  // Stale index files of a segment that once had this base offset.
  for (const char* suffix : {kIndexSuffix, kTimeIndexSuffix}) {
    absl::Status s = ctx_->env->DeleteFile(path(suffix));
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  auto l = std::make_unique<Loaded>(base_);
  l->file = std::move(*file);
  l->writable = true;
  absl::MutexLock lock(&mu_);
  active_ = true;
  Install(std::move(l));
  return absl::OkStatus();
}

absl::Status Segment::Load(bool writable) {
  ASSIGN_OR_RETURN(
      std::shared_ptr<File> file,
      ctx_->env->OpenFile(path(kLogSuffix), writable ? OpenMode::kReadWrite : OpenMode::kRead));
  ASSIGN_OR_RETURN(std::unique_ptr<Loaded> l, LoadFrom(std::move(file)));
  l->writable = writable;
  absl::MutexLock lock(&mu_);
  Install(std::move(l));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Segment::Recover(
    int64_t trusted_below, int64_t min_base_offset,
    const std::function<void(const kafka::BatchHeader&)>& on_batch) {
  ASSIGN_OR_RETURN(std::shared_ptr<File> file,
                   ctx_->env->OpenFile(path(kLogSuffix), OpenMode::kReadWrite));
  auto l = std::make_unique<Loaded>(base_);
  l->writable = true;
  ASSIGN_OR_RETURN(l->size, file->Size());
  l->file = file;
  uint64_t pos = 0;
  if (ReadIndexFiles(file.get(), l->size, l.get())) {
    // Keep what indexes batches below the recovery point; redo the rest.
    l->offset_index.TruncateFromOffset(trusted_below);
    if (auto e = l->offset_index.last()) {
      l->time_index.TruncateFromOffset(e->offset + 1);
      pos = e->position;
      if (auto t = l->time_index.last()) {
        l->max_ts = t->timestamp;
        l->offset_of_max_ts = t->offset;
      }
    } else {
      l->time_index.Clear();
    }
    l->offset_on_disk = std::min(l->offset_on_disk, l->offset_index.size());
    l->time_on_disk = std::min(l->time_on_disk, l->time_index.size());
  }
  l->trim_files = true;

  const uint64_t original_size = l->size;
  BatchReader reader(file.get(), pos, original_size, ctx_->max_batch_bytes,
                     /*read_ahead_bytes=*/1 << 20);
  int64_t prev_last = (pos == 0 ? std::max(min_base_offset, base_) : base_) - 1;
  uint64_t cut = original_size;
  while (true) {
    auto next = reader.Next(/*whole=*/true);
    if (!next.ok()) {
      if (!absl::IsDataLoss(next.status())) return next.status();
      LOG(WARNING) << file->path() << ": recovery stops: " << next.status().message();
      cut = reader.position();
      break;
    }
    if (!next->has_value()) break;
    const kafka::BatchHeader& h = (*next)->header;
    if (h.base_offset <= prev_last || h.last_offset() - base_ > kMaxRelativeOffset) {
      LOG(WARNING) << file->path() << ": recovery stops at position " << (*next)->position
                   << ": offsets " << h.base_offset << ".." << h.last_offset() << " after "
                   << prev_last;
      cut = (*next)->position;
      break;
    }
    IndexBatch(
        l.get(),
        {h.base_offset, h.last_offset(), h.max_timestamp, static_cast<uint32_t>(h.total_size())},
        (*next)->position);
    if (on_batch) on_batch(h);
    prev_last = h.last_offset();
  }
  if (cut < original_size) {
    RETURN_IF_ERROR(file->Truncate(cut));
    l->size = cut;
    l->offset_index.TruncateFromPosition(cut);
  }
  if (pos != 0) {
    BatchReader first(file.get(), 0, l->size, ctx_->max_batch_bytes);
    ASSIGN_OR_RETURN(std::optional<BatchAt> b, first.Next(false));
    if (b) l->first_ts = b->header.max_timestamp;
  }
  absl::MutexLock lock(&mu_);
  roll_base_ms_ = -1;
  Install(std::move(l));
  return original_size - cut;
}

absl::Status Segment::Append(std::string_view data, std::span<const BatchInfo> batches,
                             int64_t now_ms) {
  std::shared_ptr<File> file;
  uint64_t pos;
  {
    absl::ReaderMutexLock l(&mu_);
    CHECK(active_ && loaded_ && loaded_->writable) << "append to inactive segment " << base_;
    file = loaded_->file;
    pos = size_;
  }
  absl::Status s = file->WriteAt(pos, data);
  if (!s.ok()) {
    absl::Status t = file->Truncate(pos);
    if (!t.ok()) {
      return absl::DataLossError(
          absl::StrCat(s.message(), "; cutting back to ", pos, " failed too: ", t.message()));
    }
    return s;
  }
  absl::MutexLock l(&mu_);
  Loaded* ld = loaded_.get();
  uint64_t p = pos;
  for (const BatchInfo& b : batches) {
    IndexBatch(ld, b, p);
    p += b.size;
  }
  CHECK_EQ(p, pos + data.size());
  ld->size = p;
  size_ = p;
  next_offset_ = ld->last_offset + 1;
  max_timestamp_ = ld->max_ts;
  offset_of_max_timestamp_ = ld->offset_of_max_ts;
  if (roll_base_ms_ < 0) roll_base_ms_ = now_ms;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Segment::TruncateTo(int64_t offset) {
  absl::MutexLock fl(&index_file_mu_);
  std::shared_ptr<File> file;
  uint64_t size, hint;
  bool exact = false;
  {
    absl::ReaderMutexLock l(&mu_);
    CHECK(active_ && loaded_) << "truncating inactive segment " << base_;
    file = loaded_->file;
    size = size_;
    hint = StartHint(offset, &exact);
  }
  uint64_t pos = hint;
  if (!exact) {
    ASSIGN_OR_RETURN(pos, ScanForOffset(file.get(), hint, size, offset));
  }
  if (pos >= size) return 0;

  // What remains: re-derive the end facts from the last index entry before `pos`.
  uint64_t from = 0;
  int64_t time_max = -1, time_max_offset = -1;
  {
    absl::ReaderMutexLock l(&mu_);
    if (pos > 0) {
      if (auto e = loaded_->offset_index.FloorByPosition(pos - 1)) from = e->position;
    }
  }
  int64_t last = -1, scanned_max = -1, scanned_max_offset = -1, first_ts = -1;
  BatchReader reader(file.get(), from, pos, ctx_->max_batch_bytes);
  while (true) {
    ASSIGN_OR_RETURN(std::optional<BatchAt> b, reader.Next(false));
    if (!b) break;
    last = b->header.last_offset();
    if (b->position == 0) first_ts = b->header.max_timestamp;
    if (b->header.max_timestamp > scanned_max) {
      scanned_max = b->header.max_timestamp;
      scanned_max_offset = b->header.base_offset;
    }
  }
  RETURN_IF_ERROR(file->Truncate(pos));

  absl::MutexLock l(&mu_);
  Loaded* ld = loaded_.get();
  ld->offset_index.TruncateFromPosition(pos);
  int64_t next = pos == 0 ? base_ : last + 1;
  ld->time_index.TruncateFromOffset(next);
  if (auto t = ld->time_index.last()) {
    time_max = t->timestamp;
    time_max_offset = t->offset;
  }
  ld->offset_on_disk = std::min(ld->offset_on_disk, ld->offset_index.size());
  ld->time_on_disk = std::min(ld->time_on_disk, ld->time_index.size());
  ld->trim_files = true;
  ld->bytes_since_index = static_cast<int64_t>(pos - from);
  if (scanned_max >= time_max) {
    ld->max_ts = scanned_max;
    ld->offset_of_max_ts = scanned_max_offset;
  } else {
    ld->max_ts = time_max;
    ld->offset_of_max_ts = time_max_offset;
  }
  if (pos == 0) {
    ld->first_ts = -1;
    roll_base_ms_ = -1;
  } else if (from == 0) {
    ld->first_ts = first_ts;
  }
  ld->last_offset = pos == 0 ? -1 : last;
  ld->size = pos;
  if (ld->recent) ld->recent->Reset(next);
  size_ = pos;
  next_offset_ = next;
  max_timestamp_ = ld->max_ts;
  offset_of_max_timestamp_ = ld->offset_of_max_ts;
  return size - pos;
}

void Segment::MakeInactive() {
  absl::MutexLock l(&mu_);
  active_ = false;
  if (!loaded_) return;
  if (loaded_->last_offset >= 0) {
    loaded_->time_index.MaybeAppend({loaded_->max_ts, loaded_->last_offset});
  }
  loaded_->recent.reset();
}

absl::Status Segment::MakeActive() {
  bool need_load;
  {
    absl::ReaderMutexLock l(&mu_);
    need_load = !loaded_ || !loaded_->writable;
  }
  if (need_load) {
    ASSIGN_OR_RETURN(std::shared_ptr<File> file,
                     ctx_->env->OpenFile(path(kLogSuffix), OpenMode::kReadWrite));
    ASSIGN_OR_RETURN(std::unique_ptr<Loaded> fresh, LoadFrom(std::move(file)));
    fresh->writable = true;
    absl::MutexLock l(&mu_);
    Install(std::move(fresh));
  }
  if (ctx_->cache != nullptr) ctx_->cache->Remove(this);
  absl::MutexLock l(&mu_);
  active_ = true;
  loaded_->recent = std::make_unique<RecentBatches>(next_offset_);
  return absl::OkStatus();
}

absl::Status Segment::SyncLog() {
  auto file = EnsureLoaded();
  if (!file.ok()) {
    absl::ReaderMutexLock l(&mu_);
    if (deleted_) return absl::OkStatus();  // nothing left to make durable
    return file.status();
  }
  return (*file)->Sync();
}

absl::Status Segment::PersistIndexes(bool sync) {
  absl::MutexLock fl(&index_file_mu_);
  std::string ob, tb;
  size_t o_from, t_from, o_n, t_n;
  bool trim, unsynced;
  {
    absl::ReaderMutexLock l(&mu_);
    if (!loaded_ || deleted_) return absl::OkStatus();
    o_from = loaded_->offset_on_disk;
    t_from = loaded_->time_on_disk;
    o_n = loaded_->offset_index.size();
    t_n = loaded_->time_index.size();
    ob = loaded_->offset_index.Encode(o_from);
    tb = loaded_->time_index.Encode(t_from);
    trim = loaded_->trim_files;
    unsynced = loaded_->unsynced;
  }
  if (ob.empty() && tb.empty() && !trim && !(sync && unsynced)) return absl::OkStatus();
  auto write = [&](std::string_view suffix, size_t from, size_t entry_size,
                   const std::string& bytes) -> absl::Status {
    if (bytes.empty() && !trim && !(sync && unsynced)) return absl::OkStatus();
    if (bytes.empty() && from == 0 && !ctx_->env->FileExists(path(suffix))) {
      return absl::OkStatus();  // no entries, no file: nothing to do
    }
    ASSIGN_OR_RETURN(std::shared_ptr<File> f, ctx_->env->OpenFile(path(suffix), OpenMode::kCreate));
    if (trim) RETURN_IF_ERROR(f->Truncate(from * entry_size));
    if (!bytes.empty()) RETURN_IF_ERROR(f->WriteAt(from * entry_size, bytes));
    if (sync) RETURN_IF_ERROR(f->Sync());
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(write(kIndexSuffix, o_from, kOffsetIndexEntrySize, ob));
  RETURN_IF_ERROR(write(kTimeIndexSuffix, t_from, kTimeIndexEntrySize, tb));
  bool inactive;
  {
    absl::MutexLock l(&mu_);
    if (loaded_) {
      loaded_->offset_on_disk = std::max(loaded_->offset_on_disk, o_n);
      loaded_->time_on_disk = std::max(loaded_->time_on_disk, t_n);
      loaded_->trim_files = false;
      loaded_->unsynced = !sync;
    }
    inactive = !active_;
  }
  if (inactive) TouchCache();
  return absl::OkStatus();
}

absl::Status Segment::RenameForDeletion() {
  absl::MutexLock fl(&index_file_mu_);
  {
    absl::MutexLock l(&mu_);
    deleted_ = true;
  }
  if (ctx_->cache != nullptr) ctx_->cache->Remove(this);
  for (const char* suffix : {kLogSuffix, kIndexSuffix, kTimeIndexSuffix}) {
    std::string p = path(suffix);
    absl::Status s = ctx_->env->RenameFile(p, p + kDeletedSuffix);
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  return absl::OkStatus();
}

absl::Status Segment::DeleteRenamedFiles() {
  for (const char* suffix : {kLogSuffix, kIndexSuffix, kTimeIndexSuffix}) {
    absl::Status s = ctx_->env->DeleteFile(path(suffix) + kDeletedSuffix);
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  return absl::OkStatus();
}

void Segment::Unload() {
  absl::MutexLock l(&mu_);
  if (active_ || !loaded_) return;
  if (loaded_->offset_on_disk < loaded_->offset_index.size() ||
      loaded_->time_on_disk < loaded_->time_index.size() || loaded_->trim_files) {
    return;  // PersistIndexes has not caught up; it re-registers the segment
  }
  loaded_.reset();
}

void Segment::TouchCache() {
  if (ctx_->cache != nullptr) ctx_->cache->Touch(shared_from_this());
}

absl::StatusOr<std::shared_ptr<File>> Segment::EnsureLoaded() {
  std::shared_ptr<File> current;
  bool inactive = false;
  {
    absl::ReaderMutexLock l(&mu_);
    if (deleted_) {
      return absl::NotFoundError(absl::StrCat("segment ", path(kLogSuffix), " was deleted"));
    }
    if (loaded_) {
      current = loaded_->file;
      inactive = !active_;
    }
  }
  if (current) {
    if (inactive) TouchCache();
    return current;
  }
  ASSIGN_OR_RETURN(std::shared_ptr<File> file,
                   ctx_->env->OpenFile(path(kLogSuffix), OpenMode::kRead));
  ASSIGN_OR_RETURN(std::unique_ptr<Loaded> fresh, LoadFrom(std::move(file)));
  std::shared_ptr<File> out;
  {
    absl::MutexLock l(&mu_);
    if (!loaded_) Install(std::move(fresh));
    out = loaded_->file;
  }
  TouchCache();
  return out;
}

absl::StatusOr<std::shared_ptr<File>> Segment::OpenFile() { return EnsureLoaded(); }

absl::StatusOr<std::pair<int64_t, int64_t>> Segment::MaxTimestamp() {
  {
    absl::ReaderMutexLock l(&mu_);
    if (max_timestamp_known_) return std::make_pair(max_timestamp_, offset_of_max_timestamp_);
  }
  RETURN_IF_ERROR(EnsureLoaded().status());
  absl::ReaderMutexLock l(&mu_);
  return std::make_pair(max_timestamp_, offset_of_max_timestamp_);
}

uint64_t Segment::StartHint(int64_t offset, bool* exact) const {
  *exact = false;
  if (!loaded_) return 0;
  if (loaded_->recent) {
    if (std::optional<uint64_t> p = loaded_->recent->Find(offset)) {
      *exact = true;
      return *p;
    }
  }
  std::optional<OffsetIndexEntry> e = loaded_->offset_index.Floor(offset);
  if (!e) return 0;
  // An entry for exactly this offset is the batch that ends with it.
  *exact = e->offset == offset;
  return e->position;
}

absl::StatusOr<uint64_t> Segment::ScanForOffset(File* file, uint64_t from, uint64_t end,
                                                int64_t offset) const {
  BatchReader reader(file, from, end, ctx_->max_batch_bytes);
  while (true) {
    ASSIGN_OR_RETURN(std::optional<BatchAt> b, reader.Next(false));
    if (!b) return end;
    if (b->header.last_offset() >= offset) return b->position;
  }
}

absl::StatusOr<uint64_t> Segment::FindPosition(int64_t offset) {
  ASSIGN_OR_RETURN(std::shared_ptr<File> file, EnsureLoaded());
  uint64_t size, hint;
  bool exact;
  {
    absl::ReaderMutexLock l(&mu_);
    size = size_;
    if (offset >= next_offset_) return size;
    hint = StartHint(offset, &exact);
  }
  if (exact) return hint;
  return ScanForOffset(file.get(), hint, size, offset);
}

absl::StatusOr<std::optional<SegmentSlice>> Segment::Read(int64_t start_offset, int64_t max_offset,
                                                          uint64_t max_bytes, bool min_one) {
  ASSIGN_OR_RETURN(std::shared_ptr<File> file, EnsureLoaded());
  uint64_t size, start_hint, end_hint = 0;
  bool start_exact, end_exact = false;
  bool to_end;
  {
    absl::ReaderMutexLock l(&mu_);
    size = size_;
    if (start_offset >= next_offset_) return std::nullopt;
    start_hint = StartHint(start_offset, &start_exact);
    to_end = max_offset >= next_offset_;
    if (!to_end) end_hint = StartHint(max_offset, &end_exact);
  }
  uint64_t start = start_hint;
  if (!start_exact) {
    ASSIGN_OR_RETURN(start, ScanForOffset(file.get(), start_hint, size, start_offset));
  }
  if (start >= size) return std::nullopt;

  uint64_t end = size;
  if (!to_end) {
    if (end_exact) {
      end = end_hint;
    } else {
      ASSIGN_OR_RETURN(end, ScanForOffset(file.get(), std::max(end_hint, start), size, max_offset));
    }
  }
  SegmentSlice slice{file, start, 0};
  if (end <= start) return slice;
  if (end - start <= max_bytes) {
    slice.length = end - start;
    return slice;
  }
  // Cap to max_bytes at a batch boundary: walk headers from the last index
  // entry at or before the cap.
  const uint64_t cap = start + max_bytes;
  uint64_t from = start;
  {
    absl::ReaderMutexLock l(&mu_);
    if (loaded_) {
      if (auto e = loaded_->offset_index.FloorByPosition(cap))
        from = std::max<uint64_t>(start, e->position);
    }
  }
  uint64_t boundary = from;
  BatchReader reader(file.get(), from, end, ctx_->max_batch_bytes);
  while (true) {
    ASSIGN_OR_RETURN(std::optional<BatchAt> b, reader.Next(false));
    if (!b || b->end() > cap) {
      if (boundary == start && min_one) {
        if (b && b->position == start) {
          boundary = b->end();
        } else {
          BatchReader first(file.get(), start, end, ctx_->max_batch_bytes);
          ASSIGN_OR_RETURN(std::optional<BatchAt> fb, first.Next(false));
          if (fb) boundary = fb->end();
        }
      }
      break;
    }
    boundary = b->end();
  }
  slice.length = boundary - start;
  return slice;
}

absl::StatusOr<std::optional<TimestampAndOffset>> Segment::FindOffsetByTimestamp(
    int64_t timestamp, int64_t min_offset) {
  ASSIGN_OR_RETURN(std::shared_ptr<File> file, EnsureLoaded());
  uint64_t size, from = 0;
  {
    absl::ReaderMutexLock l(&mu_);
    size = size_;
    if (max_timestamp_ < timestamp) return std::nullopt;
    if (loaded_) {
      if (auto t = loaded_->time_index.LastBefore(timestamp)) {
        bool exact;
        from = StartHint(t->offset + 1, &exact);
      }
    }
  }
  BatchReader reader(file.get(), from, size, ctx_->max_batch_bytes);
  kafka::RecordBatchReader records;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<BatchAt> b, reader.Next(/*whole=*/false));
    if (!b) return std::nullopt;
    if (b->header.max_timestamp < timestamp || b->header.last_offset() < min_offset) continue;
    // Read this batch whole and look at its records.
    BatchReader whole(file.get(), b->position, b->end(), ctx_->max_batch_bytes);
    ASSIGN_OR_RETURN(std::optional<BatchAt> w, whole.Next(/*whole=*/true));
    const int64_t fallback = std::max(b->header.base_offset, min_offset);
    if (!w || !records.Reset(w->bytes).ok()) {
      return TimestampAndOffset{b->header.max_timestamp, fallback};
    }
    kafka::Record r;
    while (records.Next(&r)) {
      if (r.timestamp >= timestamp && r.offset >= min_offset) {
        return TimestampAndOffset{r.timestamp, r.offset};
      }
    }
    if (!records.status().ok()) return TimestampAndOffset{b->header.max_timestamp, fallback};
    // No record reaches it (an emptied or compacted batch): keep looking.
  }
}

absl::StatusOr<bool> Segment::VisitHeaders(int64_t from,
                                           const std::function<bool(const BatchAt&)>& fn) {
  ASSIGN_OR_RETURN(std::shared_ptr<File> file, EnsureLoaded());
  uint64_t size, hint;
  bool exact;
  {
    absl::ReaderMutexLock l(&mu_);
    size = size_;
    hint = StartHint(from, &exact);
  }
  BatchReader reader(file.get(), hint, size, ctx_->max_batch_bytes);
  while (true) {
    ASSIGN_OR_RETURN(std::optional<BatchAt> b, reader.Next(false));
    if (!b) return true;
    if (b->header.last_offset() < from) continue;
    if (!fn(*b)) return false;
  }
}

}  // namespace gregor::storage
