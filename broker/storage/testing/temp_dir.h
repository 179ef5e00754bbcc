// A fresh directory under the test's temporary directory, removed (with
// everything in it) when the object goes away.
#ifndef GREGOR_BROKER_STORAGE_TESTING_TEMP_DIR_H_
#define GREGOR_BROKER_STORAGE_TESTING_TEMP_DIR_H_

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace gregor::storage::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = ::testing::TempDir() + "/storage_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace gregor::storage::testing

#endif  // GREGOR_BROKER_STORAGE_TESTING_TEMP_DIR_H_
