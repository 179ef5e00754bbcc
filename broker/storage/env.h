// File-system access for the storage engine, injected (like leveldb's Env) so
// tests can substitute a fault-injecting or power-loss-simulating file system.
// Only main-level code picks Env::Default(); everything in broker/storage takes
// an Env* from its caller.
//
// Files are real descriptors in every implementation used so far, because the
// gateway serves reads with sendfile(2): File::fd() exposes the descriptor
// (or -1 for a file system that has none).
#ifndef GREGOR_BROKER_STORAGE_ENV_H_
#define GREGOR_BROKER_STORAGE_ENV_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gregor::storage {

// An open file. All methods are thread-safe: reads, writes at disjoint
// positions and Sync may run concurrently. The descriptor is closed when the
// last shared_ptr to the File goes away, so a reader holding a File keeps
// reading a file that has since been unlinked.
class File {
 public:
  virtual ~File() = default;

  // Reads up to `n` bytes at `offset` into `buf`; returns the count read,
  // which is less than `n` only at end of file.
  virtual absl::StatusOr<size_t> ReadAt(uint64_t offset, char* buf, size_t n) = 0;
  // Writes all of `data` at `offset` (retrying short writes).
  virtual absl::Status WriteAt(uint64_t offset, std::string_view data) = 0;
  // fdatasync(2): data written so far, and the size, are on stable storage.
  virtual absl::Status Sync() = 0;
  virtual absl::Status Truncate(uint64_t size) = 0;
  virtual absl::StatusOr<uint64_t> Size() = 0;
  // The descriptor for sendfile(2), or -1.
  virtual int fd() const = 0;
  virtual const std::string& path() const = 0;
};

enum class OpenMode {
  kRead,       // existing file, read-only
  kReadWrite,  // existing file, read-write
  kCreate,     // read-write, created when missing
  kCreateNew,  // read-write, must not exist yet
};

class Env {
 public:
  virtual ~Env() = default;

  virtual absl::StatusOr<std::shared_ptr<File>> OpenFile(const std::string& path,
                                                         OpenMode mode) = 0;
  // Creates the directory (not its parents); OK when it exists already.
  virtual absl::Status CreateDir(const std::string& path) = 0;
  // Names of the entries in `path`, without "." and "..", unordered.
  virtual absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path) = 0;
  virtual absl::Status DeleteFile(const std::string& path) = 0;
  // Removes an empty directory.
  virtual absl::Status DeleteDir(const std::string& path) = 0;
  // rename(2): atomically replaces `to`.
  virtual absl::Status RenameFile(const std::string& from, const std::string& to) = 0;
  // fsync(2) of a directory: makes creations, renames and deletions in it durable.
  virtual absl::Status SyncDir(const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // stat(2) size of a file.
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& path) = 0;

  // The real POSIX file system. Never destroyed; thread-safe.
  static Env* Default();
};

// Whole-file helpers built on Env.

// Reads a whole (small) file; an error when it is larger than `max_bytes`.
absl::StatusOr<std::string> ReadFileToString(Env* env, const std::string& path, size_t max_bytes);
// Atomic replace: writes `path`.tmp, syncs it, renames it over `path` and syncs
// the directory holding `path`.
absl::Status WriteFileAtomically(Env* env, const std::string& path, std::string_view contents);
// Deletes a directory and the files in it (one level; no subdirectories).
absl::Status DeleteDirAndFiles(Env* env, const std::string& path);

// Path helpers.
std::string JoinPath(std::string_view dir, std::string_view name);
std::string DirName(std::string_view path);

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_ENV_H_
