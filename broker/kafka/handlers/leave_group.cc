#include "broker/kafka/handlers/leave_group.h"

#include "broker/group/group_coordinator.h"
#include "broker/kafka/handlers/group_common.h"

namespace gregor::broker {
namespace {

kafka::LeaveGroupResponse ToWireResponse(const group::LeaveGroupResponse& g, int16_t version) {
  kafka::LeaveGroupResponse r;
  if (version < 3) {
    // One member, one error code (Kafka's LeaveGroupResponse for v0-v2).
    r.error_code = ToWire(g.LegacyError());
    return r;
  }
  r.error_code = ToWire(g.error);
  r.members.reserve(g.members.size());
  for (const group::LeaveGroupMemberResponse& m : g.members) {
    kafka::LeaveGroupResponse::MemberResponse wm;
    wm.member_id = m.member_id;
    wm.group_instance_id = m.group_instance_id;
    wm.error_code = ToWire(m.error);
    r.members.push_back(std::move(wm));
  }
  return r;
}

}  // namespace

void LeaveGroupHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                               kafka::LeaveGroupRequest req,
                               Reply<kafka::LeaveGroupResponse> reply) {
  const int16_t version = reply.version();
  if (ctx_->groups == nullptr) {
    reply.Send(ToWireResponse({group::ErrorCode::kCoordinatorNotAvailable, {}}, version));
    return;
  }
  group::LeaveGroupRequest g;
  g.group_id = std::move(req.group_id);
  if (version < 3) {
    g.members.push_back({std::move(req.member_id), std::nullopt, std::nullopt});
  } else {
    g.members.reserve(req.members.size());
    for (auto& m : req.members) {
      g.members.push_back(
          {std::move(m.member_id), std::move(m.group_instance_id), std::move(m.reason)});
    }
  }
  auto shared = SharedReply(std::move(reply));
  ctx_->groups->LeaveGroup(GroupRequestContext(*ctx), g,
                           [shared, version](group::LeaveGroupResponse r) {
                             shared->Send(ToWireResponse(r, version));
                           });
}

}  // namespace gregor::broker
