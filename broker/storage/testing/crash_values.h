// What crash_helper writes, so crash_test can check every surviving record.
#ifndef GREGOR_BROKER_STORAGE_TESTING_CRASH_VALUES_H_
#define GREGOR_BROKER_STORAGE_TESTING_CRASH_VALUES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "broker/storage/topic_partition.h"

namespace gregor::storage {

inline const TopicPartition kCrashPartition{"crash", 0};

inline char ValueByte(int64_t offset, size_t i) {
  return static_cast<char>((static_cast<uint64_t>(offset) * 2654435761u + i * 31) & 0xff);
}

// The value of the record at `offset` (its length varies).
inline std::string ValueFor(int64_t offset, size_t size) {
  std::string v(size, '\0');
  for (size_t i = 0; i < size; ++i) v[i] = ValueByte(offset, i);
  return v;
}

inline bool IsValueFor(int64_t offset, std::string_view v) {
  if (v.empty()) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != ValueByte(offset, i)) return false;
  }
  return true;
}

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_TESTING_CRASH_VALUES_H_
