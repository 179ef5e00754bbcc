// SaslAuthenticate (key 36), v0-2. Without SASL there is nothing to
// authenticate: on a listener without SASL Kafka answers ILLEGAL_SASL_STATE
// ("SaslAuthenticate request received after successful authentication"),
// as here; on a SASL listener no handshake can have succeeded (no mechanism
// is enabled), which is ILLEGAL_SASL_STATE too.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_SASL_AUTHENTICATE_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_SASL_AUTHENTICATE_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/sasl_authenticate.h"

namespace gregor::broker {

class SaslAuthenticateHandler
    : public Handler<kafka::SaslAuthenticateRequest, kafka::SaslAuthenticateResponse> {
 public:
  // REQUIRES: `ctx` (with config) outlives the handler.
  explicit SaslAuthenticateHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::SaslAuthenticateRequest req,
              Reply<kafka::SaslAuthenticateResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_SASL_AUTHENTICATE_H_
