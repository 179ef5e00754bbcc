#include "broker/kafka/handlers/join_group.h"

#include "broker/group/group_coordinator.h"
#include "broker/kafka/handlers/group_common.h"

namespace gregor::broker {
namespace {

kafka::JoinGroupResponse ToWireResponse(const group::JoinGroupResponse& g, int16_t version) {
  kafka::JoinGroupResponse r;
  r.error_code = ToWire(g.error);
  r.generation_id = g.generation_id;
  r.protocol_type = g.protocol_type;  // v7+ only
  // Nullable from v7; older versions carry "" (as Kafka writes them).
  r.protocol_name = version >= 7 ? g.protocol_name : g.protocol_name.value_or("");
  r.leader = g.leader;
  r.skip_assignment = g.skip_assignment;
  r.member_id = g.member_id;
  r.members.reserve(g.members.size());
  for (const group::JoinGroupResponseMember& m : g.members) {
    kafka::JoinGroupResponse::JoinGroupResponseMember wm;
    wm.member_id = m.member_id;
    wm.group_instance_id = m.group_instance_id;
    wm.metadata = m.metadata;
    r.members.push_back(std::move(wm));
  }
  return r;
}

}  // namespace

void JoinGroupHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                              kafka::JoinGroupRequest req, Reply<kafka::JoinGroupResponse> reply) {
  const int16_t version = reply.version();
  if (ctx_->groups == nullptr) {
    group::JoinGroupResponse g;
    g.error = group::ErrorCode::kCoordinatorNotAvailable;
    g.member_id = req.member_id;
    reply.Send(ToWireResponse(g, version));
    return;
  }
  group::JoinGroupRequest g;
  g.group_id = std::move(req.group_id);
  g.session_timeout_ms = req.session_timeout_ms;
  // v0 has no rebalance timeout: Kafka uses the session timeout.
  g.rebalance_timeout_ms = version == 0 ? req.session_timeout_ms : req.rebalance_timeout_ms;
  g.member_id = std::move(req.member_id);
  g.group_instance_id = std::move(req.group_instance_id);
  g.protocol_type = std::move(req.protocol_type);
  g.protocols.reserve(req.protocols.size());
  for (auto& p : req.protocols) g.protocols.push_back({std::move(p.name), std::move(p.metadata)});
  g.reason = std::move(req.reason);
  auto shared = SharedReply(std::move(reply));
  ctx_->groups->JoinGroup(GroupRequestContext(*ctx), g,
                          [shared, version](group::JoinGroupResponse r) {
                            shared->Send(ToWireResponse(r, version));
                          });
}

}  // namespace gregor::broker
