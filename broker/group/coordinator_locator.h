// CoordinatorLocator: answers FindCoordinator for groups. The coordinator of
// a group is the current leader of partition PartitionFor(group) of
// __consumer_offsets, reached at the endpoint it registered for the listener
// the client connected through.
//
// __consumer_offsets is created on demand, as Kafka does: the first lookup
// that finds no such topic asks the controller to create it
// (offsets.topic.num.partitions partitions, offsets.topic.replication.factor
// replicas, cleanup.policy=compact, compression.type=producer,
// segment.bytes=104857600) on the blocking pool and answers
// COORDINATOR_NOT_AVAILABLE; clients retry until the partitions have
// leaders (Kafka 4.1.1 answered kafka-python exactly so, see CLIENTS.md).
// One creation at a time, at most one attempt per retry interval.
//
// Replication factor: like Kafka, the topic is created only once at least
// offsets.topic.replication.factor brokers are alive (unfenced); until then
// lookups answer COORDINATOR_NOT_AVAILABLE. Creating it smaller when few
// brokers happen to be up (e.g. during a cluster start) would leave group
// state under-replicated for good; a one-broker cluster sets the factor to 1.
//
// Thread-safety: thread-safe. Lookups never block (they read the current
// metadata image); only the creation runs on the pool.
#ifndef GREGOR_BROKER_GROUP_COORDINATOR_LOCATOR_H_
#define GREGOR_BROKER_GROUP_COORDINATOR_LOCATOR_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/group/errors.h"
#include "common/clock.h"
#include "common/metadata/image.h"
#include "common/thread_pool.h"
#include "proto/controller.pb.h"

namespace gregor::broker::group {

struct CoordinatorLocatorOptions {
  int32_t offsets_topic_num_partitions = 50;    // offsets.topic.num.partitions
  int16_t offsets_topic_replication_factor = 3;  // offsets.topic.replication.factor
  // Least time between two creation attempts.
  std::chrono::milliseconds create_retry_interval{1000};
};

struct CoordinatorLocation {
  ErrorCode error = ErrorCode::kNone;
  int32_t node_id = -1;
  std::string host;
  int32_t port = -1;
};

class CoordinatorLocator {
 public:
  using ImageFn = std::function<std::shared_ptr<const metadata::MetadataImage>()>;
  // Sends a CreateTopics request to the controller (blocking).
  using CreateTopicsFn = std::function<absl::StatusOr<controllerpb::CreateTopicsResponse>(
      const controllerpb::CreateTopicsRequest&)>;

  // `pool` runs `create` (it may be null, or `create` empty: no creation);
  // `pool` and `clock` must outlive the locator.
  CoordinatorLocator(CoordinatorLocatorOptions options, ImageFn image, CreateTopicsFn create,
                     ThreadPool* pool, Clock* clock);

  // Where the coordinator of `group_id` is, for a client of `listener_name`.
  CoordinatorLocation Locate(std::string_view group_id, const std::string& listener_name);

  // The request that creates __consumer_offsets.
  static controllerpb::CreateTopicsRequest OffsetsTopicRequest(
      const CoordinatorLocatorOptions& options);

  // Creation attempts sent to the controller so far.
  int64_t create_attempts() const;

 private:
  // Shared with queued creations, which may run after the locator is gone.
  struct Creation {
    absl::Mutex mu;
    bool in_flight ABSL_GUARDED_BY(mu) = false;
    std::chrono::steady_clock::time_point last_attempt ABSL_GUARDED_BY(mu);
    bool attempted ABSL_GUARDED_BY(mu) = false;
    int64_t attempts ABSL_GUARDED_BY(mu) = 0;
  };

  void MaybeCreate(const metadata::MetadataImage& image);

  const CoordinatorLocatorOptions options_;
  const ImageFn image_;
  const CreateTopicsFn create_;
  ThreadPool* const pool_;
  Clock* const clock_;
  const std::shared_ptr<Creation> creation_ = std::make_shared<Creation>();
};

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_COORDINATOR_LOCATOR_H_
