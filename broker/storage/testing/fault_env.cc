#include "broker/storage/testing/fault_env.h"

#include <errno.h>

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace gregor::storage {

struct FaultInjectionEnv::State {
  struct FileInfo {
    uint64_t size = 0;
    uint64_t durable_size = 0;
    bool name_durable = true;
  };
  struct Injection {
    int remaining = 0;
    absl::Status error;
    // Returns the error to inject now, or OK.
    absl::Status Take() {
      if (remaining == 0) return absl::OkStatus();
      if (remaining > 0) --remaining;
      return error;
    }
  };

  absl::Mutex mu;
  std::map<std::string, FileInfo> files ABSL_GUARDED_BY(mu);
  Injection writes ABSL_GUARDED_BY(mu);
  Injection syncs ABSL_GUARDED_BY(mu);
  Injection opens ABSL_GUARDED_BY(mu);
  int64_t space_left ABSL_GUARDED_BY(mu) = -1;
  bool skip_syncs ABSL_GUARDED_BY(mu) = false;
  int64_t sync_count ABSL_GUARDED_BY(mu) = 0;
  int64_t write_count ABSL_GUARDED_BY(mu) = 0;
};

namespace {

class FaultFile : public File {
 public:
  FaultFile(std::shared_ptr<File> base, std::shared_ptr<FaultInjectionEnv::State> state)
      : base_(std::move(base)), state_(std::move(state)) {}

  absl::StatusOr<size_t> ReadAt(uint64_t offset, char* buf, size_t n) override {
    return base_->ReadAt(offset, buf, n);
  }

  absl::Status WriteAt(uint64_t offset, std::string_view data) override {
    size_t allowed = data.size();
    {
      absl::MutexLock l(&state_->mu);
      ++state_->write_count;
      RETURN_IF_ERROR(state_->writes.Take());
      if (state_->space_left >= 0) {
        allowed = std::min<uint64_t>(allowed, static_cast<uint64_t>(state_->space_left));
        state_->space_left -= static_cast<int64_t>(allowed);
      }
    }
    RETURN_IF_ERROR(base_->WriteAt(offset, data.substr(0, allowed)));
    {
      absl::MutexLock l(&state_->mu);
      auto& info = state_->files[base_->path()];
      info.size = std::max<uint64_t>(info.size, offset + allowed);
    }
    if (allowed < data.size()) {
      return absl::ResourceExhaustedError(
          absl::StrCat("pwrite ", base_->path(), ": No space left on device (injected)"));
    }
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    bool skip;
    {
      absl::MutexLock l(&state_->mu);
      ++state_->sync_count;
      RETURN_IF_ERROR(state_->syncs.Take());
      skip = state_->skip_syncs;
    }
    if (!skip) RETURN_IF_ERROR(base_->Sync());
    ASSIGN_OR_RETURN(uint64_t size, base_->Size());
    absl::MutexLock l(&state_->mu);
    auto& info = state_->files[base_->path()];
    info.size = size;
    info.durable_size = size;
    return absl::OkStatus();
  }

  absl::Status Truncate(uint64_t size) override {
    RETURN_IF_ERROR(base_->Truncate(size));
    absl::MutexLock l(&state_->mu);
    auto& info = state_->files[base_->path()];
    info.size = size;
    info.durable_size = std::min(info.durable_size, size);
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> Size() override { return base_->Size(); }
  int fd() const override { return base_->fd(); }
  const std::string& path() const override { return base_->path(); }

 private:
  std::shared_ptr<File> base_;
  std::shared_ptr<FaultInjectionEnv::State> state_;
};

}  // namespace

FaultInjectionEnv::FaultInjectionEnv(Env* base) : base_(base), state_(std::make_shared<State>()) {}
FaultInjectionEnv::~FaultInjectionEnv() = default;

void FaultInjectionEnv::FailWrites(int count, absl::Status error) {
  absl::MutexLock l(&state_->mu);
  state_->writes = {count, std::move(error)};
}
void FaultInjectionEnv::FailSyncs(int count, absl::Status error) {
  absl::MutexLock l(&state_->mu);
  state_->syncs = {count, std::move(error)};
}
void FaultInjectionEnv::FailOpens(int count, absl::Status error) {
  absl::MutexLock l(&state_->mu);
  state_->opens = {count, std::move(error)};
}
void FaultInjectionEnv::SetSkipSyncs(bool skip) {
  absl::MutexLock l(&state_->mu);
  state_->skip_syncs = skip;
}
void FaultInjectionEnv::SetSpaceLeft(int64_t bytes) {
  absl::MutexLock l(&state_->mu);
  state_->space_left = bytes;
}
int64_t FaultInjectionEnv::sync_count() const {
  absl::MutexLock l(&state_->mu);
  return state_->sync_count;
}
int64_t FaultInjectionEnv::write_count() const {
  absl::MutexLock l(&state_->mu);
  return state_->write_count;
}

absl::StatusOr<std::shared_ptr<File>> FaultInjectionEnv::OpenFile(const std::string& path,
                                                                  OpenMode mode) {
  {
    absl::MutexLock l(&state_->mu);
    RETURN_IF_ERROR(state_->opens.Take());
  }
  bool existed = base_->FileExists(path);
  ASSIGN_OR_RETURN(std::shared_ptr<File> f, base_->OpenFile(path, mode));
  ASSIGN_OR_RETURN(uint64_t size, f->Size());
  {
    absl::MutexLock l(&state_->mu);
    auto it = state_->files.find(path);
    if (it == state_->files.end()) {
      State::FileInfo info;
      info.size = size;
      // A file that existed before we saw it is taken as durable.
      info.durable_size = existed ? size : 0;
      info.name_durable = existed;
      state_->files.emplace(path, info);
    }
  }
  return std::shared_ptr<File>(std::make_shared<FaultFile>(std::move(f), state_));
}

absl::Status FaultInjectionEnv::CreateDir(const std::string& path) {
  return base_->CreateDir(path);
}
absl::StatusOr<std::vector<std::string>> FaultInjectionEnv::ListDir(const std::string& path) {
  return base_->ListDir(path);
}
absl::Status FaultInjectionEnv::DeleteFile(const std::string& path) {
  RETURN_IF_ERROR(base_->DeleteFile(path));
  absl::MutexLock l(&state_->mu);
  state_->files.erase(path);
  return absl::OkStatus();
}
absl::Status FaultInjectionEnv::DeleteDir(const std::string& path) {
  return base_->DeleteDir(path);
}

absl::Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(base_->RenameFile(from, to));
  absl::MutexLock l(&state_->mu);
  auto it = state_->files.find(from);
  State::FileInfo info;
  if (it != state_->files.end()) {
    info = it->second;
    state_->files.erase(it);
  }
  // The rename itself is taken as durable (the model keeps the new name); a
  // file whose creation was not durable stays so under its new name.
  state_->files[to] = info;
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::SyncDir(const std::string& path) {
  bool skip;
  {
    absl::MutexLock l(&state_->mu);
    ++state_->sync_count;
    RETURN_IF_ERROR(state_->syncs.Take());
    skip = state_->skip_syncs;
  }
  if (!skip) RETURN_IF_ERROR(base_->SyncDir(path));
  absl::MutexLock l(&state_->mu);
  for (auto& [p, info] : state_->files) {
    if (DirName(p) == path) info.name_durable = true;
  }
  return absl::OkStatus();
}

bool FaultInjectionEnv::FileExists(const std::string& path) { return base_->FileExists(path); }
absl::StatusOr<uint64_t> FaultInjectionEnv::FileSize(const std::string& path) {
  return base_->FileSize(path);
}

absl::Status FaultInjectionEnv::SimulatePowerLoss(TornTail torn, uint64_t seed) {
  std::mt19937_64 rng(seed);
  absl::MutexLock l(&state_->mu);
  for (auto& [path, info] : state_->files) {
    if (!base_->FileExists(path)) continue;
    if (!info.name_durable) {
      RETURN_IF_ERROR(base_->DeleteFile(path));
      continue;
    }
    ASSIGN_OR_RETURN(std::shared_ptr<File> f, base_->OpenFile(path, OpenMode::kReadWrite));
    ASSIGN_OR_RETURN(uint64_t size, f->Size());
    if (size <= info.durable_size) continue;
    uint64_t lost = size - info.durable_size;
    std::string tail;
    if (torn == TornTail::kPrefix) {
      tail.resize(rng() % (lost + 1));
      ASSIGN_OR_RETURN(size_t n, f->ReadAt(info.durable_size, tail.data(), tail.size()));
      tail.resize(n);
    } else if (torn == TornTail::kZeros) {
      tail.assign(rng() % (lost + 1), '\0');
    } else if (torn == TornTail::kGarbage) {
      tail.resize(rng() % (lost + 1));
      for (char& c : tail) c = static_cast<char>(rng());
    }
    RETURN_IF_ERROR(f->Truncate(info.durable_size));
    if (!tail.empty()) RETURN_IF_ERROR(f->WriteAt(info.durable_size, tail));
    RETURN_IF_ERROR(f->Sync());
  }
  state_->files.clear();
  return absl::OkStatus();
}

}  // namespace gregor::storage
