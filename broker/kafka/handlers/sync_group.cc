#include "broker/kafka/handlers/sync_group.h"

#include "broker/group/group_coordinator.h"
#include "broker/kafka/handlers/group_common.h"

namespace gregor::broker {
namespace {

kafka::SyncGroupResponse ToWireResponse(const group::SyncGroupResponse& g) {
  kafka::SyncGroupResponse r;
  r.error_code = ToWire(g.error);
  r.protocol_type = g.protocol_type;  // v5+ only
  r.protocol_name = g.protocol_name;
  r.assignment = g.assignment;
  return r;
}

}  // namespace

void SyncGroupHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                              kafka::SyncGroupRequest req, Reply<kafka::SyncGroupResponse> reply) {
  if (ctx_->groups == nullptr) {
    reply.Send(ToWireResponse({group::ErrorCode::kCoordinatorNotAvailable, {}, {}, {}}));
    return;
  }
  group::SyncGroupRequest g;
  g.group_id = std::move(req.group_id);
  g.generation_id = req.generation_id;
  g.member_id = std::move(req.member_id);
  g.group_instance_id = std::move(req.group_instance_id);
  g.protocol_type = std::move(req.protocol_type);
  g.protocol_name = std::move(req.protocol_name);
  g.assignments.reserve(req.assignments.size());
  for (auto& a : req.assignments) {
    g.assignments.push_back({std::move(a.member_id), std::move(a.assignment)});
  }
  auto shared = SharedReply(std::move(reply));
  ctx_->groups->SyncGroup(GroupRequestContext(*ctx), g, [shared](group::SyncGroupResponse r) {
    shared->Send(ToWireResponse(r));
  });
}

}  // namespace gregor::broker
