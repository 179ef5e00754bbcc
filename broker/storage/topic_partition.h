// A (topic name, partition number) pair and its directory name
// "<topic>-<partition>" (see docs/formats/segment.md).
#ifndef GREGOR_BROKER_STORAGE_TOPIC_PARTITION_H_
#define GREGOR_BROKER_STORAGE_TOPIC_PARTITION_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace gregor::storage {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const TopicPartition& tp) {
    return H::combine(std::move(h), tp.topic, tp.partition);
  }
  friend std::ostream& operator<<(std::ostream& os, const TopicPartition& tp) {
    return os << tp.topic << "-" << tp.partition;
  }

  // "<topic>-<partition>".
  std::string DirName() const;
  // Parses a directory name; nullopt when it is not "<topic>-<n>" with a legal
  // topic name and n >= 0.
  static std::optional<TopicPartition> FromDirName(std::string_view name);
};

// Kafka's legal topic names: 1..249 characters of [a-zA-Z0-9._-], not "." or "..".
bool IsLegalTopicName(std::string_view topic);

}  // namespace gregor::storage

#endif  // GREGOR_BROKER_STORAGE_TOPIC_PARTITION_H_
