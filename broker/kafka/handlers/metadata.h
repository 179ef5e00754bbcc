// Metadata (key 3), v0-12: brokers, cluster id, controller, and topics with
// their partitions' leaders, epochs, replicas, ISR and offline replicas, as
// seen on the listener the client connected through.
//
// Topic selection: v0 `[]` and v1+ `null` mean all topics; v1+ `[]` means
// none; topics may be named by id (v12). A topic that does not exist is
// created when the request allows it (v4+ allow_auto_topic_creation; always
// for v0-3) and auto.create.topics.enable is on — the answer is then
// UNKNOWN_TOPIC_OR_PARTITION while the controller creates it, as Kafka 4.1.1
// answers. Illegal names get INVALID_TOPIC_EXCEPTION.
//
// Answers on the event loop from the current image; only auto-creation
// touches the controller (in the background).
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_METADATA_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_METADATA_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "broker/kafka/handlers/auto_topic_creator.h"
#include "proto/kafka/messages/metadata.h"

namespace gregor::broker {

class MetadataHandler : public Handler<kafka::MetadataRequest, kafka::MetadataResponse> {
 public:
  // REQUIRES: `ctx` (with config and replicas) outlives the handler.
  explicit MetadataHandler(const BrokerContext* ctx);

  // The response for `req` at `version` from `image`, for a client on
  // `listener`. Starts auto-creation of missing topics when allowed.
  kafka::MetadataResponse Answer(const kafka::MetadataRequest& req, int16_t version,
                                 const metadata::MetadataImage& image,
                                 const std::string& listener);

  AutoTopicCreator& auto_creator() { return creator_; }

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::MetadataRequest req,
              Reply<kafka::MetadataResponse> reply) override;

 private:
  const BrokerContext* ctx_;
  AutoTopicCreator creator_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_METADATA_H_
