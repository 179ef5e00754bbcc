#include "broker/kafka/handlers/heartbeat.h"

#include "broker/group/group_coordinator.h"
#include "broker/kafka/handlers/group_common.h"

namespace gregor::broker {

void HeartbeatHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                              kafka::HeartbeatRequest req, Reply<kafka::HeartbeatResponse> reply) {
  if (ctx_->groups == nullptr) {
    kafka::HeartbeatResponse r;
    r.error_code = ToWire(group::ErrorCode::kCoordinatorNotAvailable);
    reply.Send(r);
    return;
  }
  group::HeartbeatRequest g;
  g.group_id = std::move(req.group_id);
  g.generation_id = req.generation_id;
  g.member_id = std::move(req.member_id);
  g.group_instance_id = std::move(req.group_instance_id);
  auto shared = SharedReply(std::move(reply));
  ctx_->groups->Heartbeat(GroupRequestContext(*ctx), g, [shared](group::HeartbeatResponse r) {
    kafka::HeartbeatResponse w;
    w.error_code = ToWire(r.error);
    shared->Send(w);
  });
}

}  // namespace gregor::broker
