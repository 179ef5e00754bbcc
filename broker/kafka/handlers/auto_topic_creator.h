// Creates topics that clients ask for but that do not exist (Kafka's
// auto.create.topics.enable), as Kafka's AutoTopicCreationManager does:
// the request goes to the controller in the background and the client is
// told UNKNOWN_TOPIC_OR_PARTITION now (it asks again; 100-300 ms later the
// topic has a leader). A topic already being created is not asked for twice.
//
// Topics get the broker's defaults (num.partitions,
// default.replication.factor); the internal topics get the offsets topic's
// settings (offsets.topic.num.partitions, offsets.topic.replication.factor)
// and cleanup.policy=compact.
//
// Thread-safety: thread-safe. Controller calls run on ctx->blocking_pool.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_AUTO_TOPIC_CREATOR_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_AUTO_TOPIC_CREATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "broker/kafka/broker_context.h"
#include "proto/controller.pb.h"

namespace gregor::broker {

struct AutoTopicCreatorOptions {
  // Topics being created at once, at most; more are answered
  // UNKNOWN_TOPIC_OR_PARTITION without a controller call (clients retry).
  size_t max_in_flight = 1000;
};

class AutoTopicCreator {
 public:
  // REQUIRES: `ctx` outlives every controller call started here (the
  // blocking pool is drained before the context goes away).
  explicit AutoTopicCreator(const BrokerContext* ctx, AutoTopicCreatorOptions options = {});

  // Starts creating `topics` (which do not exist). Returns one Kafka error
  // code per topic, in order: INVALID_TOPIC_EXCEPTION for illegal names,
  // UNKNOWN_TOPIC_OR_PARTITION otherwise (created in the background).
  std::vector<int16_t> Create(const std::vector<std::string>& topics);

  // The controller request used for `topic`.
  controllerpb::CreatableTopic CreatableFor(const std::string& topic) const;

  // Topics whose creation is under way (for tests).
  size_t in_flight() const;

 private:
  struct State {
    absl::Mutex mu;
    absl::flat_hash_set<std::string> in_flight ABSL_GUARDED_BY(mu);
  };
  void Send(std::vector<std::string> topics);

  const BrokerContext* ctx_;
  const AutoTopicCreatorOptions options_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_AUTO_TOPIC_CREATOR_H_
