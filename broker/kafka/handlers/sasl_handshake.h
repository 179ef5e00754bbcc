// SaslHandshake (key 17), v0-1. Gregor has no SASL mechanism. On a
// listener without SASL (PLAINTEXT, SSL) the connection needs no
// authentication, and Kafka answers a handshake there with
// ILLEGAL_SASL_STATE and no mechanisms; so do we. On a listener configured
// as SASL_PLAINTEXT or SASL_SSL no mechanism is enabled: every mechanism is
// UNSUPPORTED_SASL_MECHANISM, with the (empty) list of enabled ones.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_SASL_HANDSHAKE_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_SASL_HANDSHAKE_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/sasl_handshake.h"

namespace gregor::broker {

class SaslHandshakeHandler
    : public Handler<kafka::SaslHandshakeRequest, kafka::SaslHandshakeResponse> {
 public:
  // REQUIRES: `ctx` (with config) outlives the handler.
  explicit SaslHandshakeHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::SaslHandshakeRequest req,
              Reply<kafka::SaslHandshakeResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_SASL_HANDSHAKE_H_
