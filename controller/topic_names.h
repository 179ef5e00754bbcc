// Kafka's topic-name rules (org.apache.kafka.common.internals.Topic): a name
// is 1..249 characters of [a-zA-Z0-9._-] and is neither "." nor "..".
#ifndef GREGOR_CONTROLLER_TOPIC_NAMES_H_
#define GREGOR_CONTROLLER_TOPIC_NAMES_H_

#include <cstddef>
#include <string_view>

#include "controller/errors.h"

namespace gregor::controller {

inline constexpr size_t kMaxTopicNameLength = 249;

// Returns None, or INVALID_TOPIC_EXCEPTION with Kafka's message.
ApiError ValidateTopicName(std::string_view name);

}  // namespace gregor::controller

#endif  // GREGOR_CONTROLLER_TOPIC_NAMES_H_
