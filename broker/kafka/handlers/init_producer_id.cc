#include "broker/kafka/handlers/init_producer_id.h"

#include "broker/producer/producer_id_manager.h"
#include "proto/kafka/errors.h"

namespace gregor::broker {

using kafka::ErrorCode;
using kafka::ToWire;

void InitProducerIdHandler::Handle(const std::shared_ptr<RequestContext>& rctx,
                                   kafka::InitProducerIdRequest req,
                                   Reply<kafka::InitProducerIdResponse> reply) {
  kafka::InitProducerIdResponse resp;
  resp.producer_id = -1;
  resp.producer_epoch = -1;
  if (req.transactional_id.has_value()) {
    resp.error_code = ToWire(ErrorCode::kCoordinatorNotAvailable);
    reply.Send(resp);
    return;
  }
  std::optional<int64_t> id =
      ctx_->producer_ids != nullptr ? ctx_->producer_ids->Next() : std::nullopt;
  if (!id.has_value()) {
    resp.error_code = ToWire(ErrorCode::kCoordinatorLoadInProgress);
    reply.Send(resp);
    return;
  }
  resp.producer_id = *id;
  resp.producer_epoch = 0;
  reply.Send(resp);
}

}  // namespace gregor::broker
