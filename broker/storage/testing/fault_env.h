// A test Env over a real one that injects I/O errors and simulates power
// loss (in the spirit of leveldb's FaultInjectionTestEnv).
//
// Power-loss model: the env remembers, per file it has seen created or opened,
// how many bytes are known durable (up to the last Sync, lowered by Truncate)
// and whether the file's directory entry is durable (a SyncDir of its
// directory after it was created or renamed). SimulatePowerLoss() then makes
// the real files look as they could after a power cut: files whose creation
// was never made durable disappear, and every other file is cut back to its
// durable length, optionally followed by a torn tail (a prefix of the lost
// bytes, zeros, or garbage). Deletions are treated as immediately durable.
//
// Thread-safe. Call SimulatePowerLoss() only when nothing writes through the
// env (close or abandon the logs first).
#ifndef GREGOR_BROKER_STORAGE_TESTING_FAULT_ENV_H_
#define GREGOR_BROKER_STORAGE_TESTING_FAULT_ENV_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "broker/storage/env.h"

namespace gregor::storage {

enum class TornTail {
  kNone,     // cut exactly at the durable length
  kPrefix,   // keep a random prefix of the bytes that were not durable
  kZeros,    // replace the lost bytes by a random-length run of zeros
  kGarbage,  // replace the lost bytes by a random-length run of random bytes
};

class FaultInjectionEnv : public Env {
 public:
  explicit FaultInjectionEnv(Env* base);
  ~FaultInjectionEnv() override;

  // Error injection. Each makes the next `count` calls of that kind fail with
  // `error` (count < 0: every call until cleared with count 0).
  void FailWrites(int count, absl::Status error);
  void FailSyncs(int count, absl::Status error);
  void FailOpens(int count, absl::Status error);
  // Disk full: writes succeed until `bytes` more bytes have been written; the
  // write that crosses the limit writes what fits, then fails with ENOSPC.
  void SetSpaceLeft(int64_t bytes);  // < 0: unlimited (the default)
  // Makes Sync and SyncDir return at once without syncing (for tests that
  // create many files and do not test durability). Power-loss tracking then
  // treats them as done.
  void SetSkipSyncs(bool skip);

  int64_t sync_count() const;
  int64_t write_count() const;

  // See the class comment. `seed` drives the random tail lengths and bytes.
  absl::Status SimulatePowerLoss(TornTail torn, uint64_t seed);

  // Env.
  absl::StatusOr<std::shared_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override;
  absl::Status CreateDir(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path) override;
  absl::Status DeleteFile(const std::string& path) override;
  absl::Status DeleteDir(const std::string& path) override;
  absl::Status RenameFile(const std::string& from, const std::string& to) override;
  absl::Status SyncDir(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override;

  struct State;  // shared with the open files

 private:
  Env* const base_;
  std::shared_ptr<State> state_;
};

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_TESTING_FAULT_ENV_H_
