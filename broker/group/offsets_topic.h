// The internal topic holding group state, __consumer_offsets: its name, the
// configs it is created with, and the request that creates it.
#ifndef GREGOR_BROKER_GROUP_OFFSETS_TOPIC_H_
#define GREGOR_BROKER_GROUP_OFFSETS_TOPIC_H_

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace gregor::broker::group {

inline constexpr char kOffsetsTopic[] = "__consumer_offsets";

// Topic configs __consumer_offsets is created with (Kafka's: compacted,
// batches kept as written, 100 MiB segments).
inline const std::vector<std::pair<std::string_view, std::string_view>>& OffsetsTopicConfigs() {
  static const auto* configs = new std::vector<std::pair<std::string_view, std::string_view>>{
      {"cleanup.policy", "compact"},
      {"compression.type", "producer"},
      {"segment.bytes", "104857600"},
  };
  return *configs;
}

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_OFFSETS_TOPIC_H_
