// FindCoordinator (key 10), v0-6: which broker coordinates a group (key type
// 0) or a transactional id (key type 1). v0-v3 carry one key, v4+ a list
// (`coordinator_keys`), each answered on its own.
//
// Groups: the leader of the group's __consumer_offsets partition, at the
// endpoint of the listener the client connected through; the topic is
// created on demand (broker/group/coordinator_locator.h) and
// COORDINATOR_NOT_AVAILABLE answered until its partitions have leaders.
// Transactional ids: COORDINATOR_NOT_AVAILABLE — there is no transaction
// coordinator yet. Any other key type is INVALID_REQUEST.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_FIND_COORDINATOR_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_FIND_COORDINATOR_H_

#include <memory>
#include <mutex>

#include "broker/group/coordinator_locator.h"
#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/find_coordinator.h"

namespace gregor::broker {

class FindCoordinatorHandler
    : public Handler<kafka::FindCoordinatorRequest, kafka::FindCoordinatorResponse> {
 public:
  // `ctx` must outlive the handler. Without ctx->controller (and
  // ctx->blocking_pool) __consumer_offsets is never created here.
  explicit FindCoordinatorHandler(BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::FindCoordinatorRequest req,
              Reply<kafka::FindCoordinatorResponse> reply) override;

 private:
  group::CoordinatorLocator& locator();

  BrokerContext* ctx_;
  // Built at the first request (the context is complete by then).
  std::once_flag once_;
  std::unique_ptr<group::CoordinatorLocator> locator_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_FIND_COORDINATOR_H_
