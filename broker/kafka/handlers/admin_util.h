// Helpers shared by the admin handlers (Metadata, topic and config
// management, ...):
//   - running blocking work (controller RPCs) on the broker's blocking pool,
//     never on an event loop, with an answer even when the pool refuses it;
//   - waiting until this broker's metadata image shows a change the
//     controller has committed (CreateTopics & co. answer only then, up to
//     their timeout, so a client that acts at once finds the topic);
//   - Kafka's topic-name rules and internal topics;
//   - the authorized-operations bit sets Kafka reports without an authorizer.
//
// Thread-safety: the free functions are thread-safe.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_ADMIN_UTIL_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_ADMIN_UTIL_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "common/metadata/image.h"
#include "common/thread_pool.h"
#include "glog/logging.h"
#include "controller/client/controller_client.h"
#include "proto/controller.pb.h"
#include "proto/kafka/errors.h"

namespace gregor::broker {

class ReplicaManager;

// The wire value of a Kafka error code.
inline int16_t Code(kafka::ErrorCode e) { return kafka::ToWire(e); }

// ---- authorized operations (KIP-430) ----
// Int32 bit sets of AclOperation codes. With no authorizer Kafka allows
// every operation a resource type supports:
//   topic:   READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS,
//            ALTER_CONFIGS (what Kafka 4.1.1 returned: 3576);
//   cluster: CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS,
//            ALTER_CONFIGS, IDEMPOTENT_WRITE.
inline constexpr int32_t kAllTopicOperations = 3576;
inline constexpr int32_t kAllClusterOperations = 8096;
// The schema default: "not requested".
inline constexpr int32_t kOperationsNotRequested = std::numeric_limits<int32_t>::min();

// ---- topics ----
inline constexpr std::string_view kConsumerOffsetsTopic = "__consumer_offsets";
inline constexpr std::string_view kTransactionStateTopic = "__transaction_state";
// Kafka's longest topic name.
inline constexpr size_t kMaxTopicNameLength = 249;

bool IsInternalTopic(std::string_view topic);
// Kafka's Topic.validate: nullopt when `topic` is a legal name, else why not
// (as Kafka words it).
std::optional<std::string> InvalidTopicNameReason(std::string_view topic);

// ---- security ----
// Kafka's message for ACL requests on a broker without an authorizer.
inline constexpr std::string_view kNoAuthorizer = "No Authorizer is configured.";

// ---- listeners ----
// The security protocol of the listener named `listener` (PLAINTEXT when
// the configuration does not list it).
std::string SecurityProtocolOf(const BrokerConfig& config, const std::string& listener);

// ---- controller calls ----
// The error a client gets when no controller answered (the forwarding timed
// out), as Kafka answers a forwarded request that timed out.
inline constexpr kafka::ErrorCode kControllerUnavailable = kafka::ErrorCode::kRequestTimedOut;
// A message for that error naming the cause.
std::string ControllerUnavailableMessage(const absl::Status& status);

// Calls `fn(client)` with the broker's controller client; Unavailable when
// the broker has none.
template <typename Fn>
auto CallController(const BrokerContext* ctx, Fn fn) -> decltype(fn(*ctx->controller)) {
  if (ctx->controller == nullptr) {
    return absl::UnavailableError("this broker has no controller client");
  }
  return fn(*ctx->controller);
}

// A controller answer's error as Kafka fields: the code, and the message
// (nullopt on success or when the controller gave none).
struct ErrorFields {
  int16_t code = 0;
  std::optional<std::string> message;
};
ErrorFields FromController(const controllerpb::Error& error);

// The longest a handler waits for committed metadata to reach this broker,
// whatever timeout the request asks for (a limit on pool threads held).
inline constexpr std::chrono::milliseconds kMaxMetadataWait{30000};
// How often the image is checked while waiting.
inline constexpr std::chrono::milliseconds kMetadataPollInterval{5};

// Blocks (on a pool thread) until `ready(image)` holds for this broker's
// current image, or `timeout` (capped at kMaxMetadataWait) has passed.
// Returns whether it held. The wait is bounded by a count of polls, so it
// ends even under a fake clock.
bool WaitForImage(const ReplicaManager& replicas, std::chrono::milliseconds timeout,
                  const std::function<bool(const metadata::MetadataImage&)>& ready);

// Runs `work(reply)` on ctx->blocking_pool. When the pool refuses the work
// (its queue is full or it is stopping), `refused(reply)` runs instead, on
// the calling thread, so the client still gets an answer. Either function
// must send the reply.
template <typename Response>
void RunBlocking(const BrokerContext* ctx, Reply<Response> reply,
                 absl::AnyInvocable<void(Reply<Response>&)> work,
                 absl::AnyInvocable<void(Reply<Response>&)> refused) {
  auto holder = std::make_shared<Reply<Response>>(std::move(reply));
  bool queued = false;
  if (ctx->blocking_pool != nullptr) {
    queued = ctx->blocking_pool->Submit(
        [holder, work = std::move(work)]() mutable { work(*holder); });
  }
  if (!queued) {
    LOG(WARNING) << Response::kName << ": the blocking pool refused the request of "
                 << holder->context().conn.peer << "; answering with an error";
    refused(*holder);
  }
}

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_ADMIN_UTIL_H_
