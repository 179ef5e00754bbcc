// Which __consumer_offsets partition holds a group: Kafka's rule
//   Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions
// with Java's String.hashCode over the UTF-16 code units of the group id
// (decoded from UTF-8 as Java does, malformed bytes becoming U+FFFD) and
// Kafka's Utils.abs (Integer.MIN_VALUE maps to 0). Pure functions.
#ifndef GREGOR_BROKER_GROUP_PARTITIONER_H_
#define GREGOR_BROKER_GROUP_PARTITIONER_H_

#include <cstdint>
#include <string_view>

namespace gregor::broker::group {

// java.lang.String#hashCode of the string whose UTF-8 bytes are `utf8`.
int32_t JavaStringHashCode(std::string_view utf8);

// The partition of __consumer_offsets coordinating `group_id`.
// REQUIRES: num_partitions > 0.
int32_t PartitionForGroup(std::string_view group_id, int32_t num_partitions);

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_PARTITIONER_H_
