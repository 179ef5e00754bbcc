// Fetch (key 1) for consumers: reads whole batches up to the high watermark
// (or the last stable offset for read_committed) as file regions, so the
// record bytes go to the socket with sendfile(2). Honours max_bytes (the
// first partition with data always returns at least one batch),
// partition_max_bytes, min_bytes and max_wait_ms (the request parks in the
// fetch purgatory until new data passes the HW), topic ids (v13+) and
// incremental fetch sessions (KIP-227, v7+).
//
// Versions 4-17 (Kafka 4 dropped 0-3, which predate RecordBatch v2).
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_FETCH_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_FETCH_H_

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/fetch.h"

namespace gregor::broker {

class FetchHandler : public Handler<kafka::FetchRequest, kafka::FetchResponse> {
 public:
  explicit FetchHandler(BrokerContext* ctx) : ctx_(ctx) {}
  int16_t min_version() const override { return 4; }

 protected:
  void Handle(const std::shared_ptr<RequestContext>& rctx, kafka::FetchRequest req,
              Reply<kafka::FetchResponse> reply) override;

 private:
  BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_FETCH_H_
