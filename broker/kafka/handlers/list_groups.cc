#include "broker/kafka/handlers/list_groups.h"

#include "broker/group/group_coordinator.h"
#include "broker/kafka/handlers/group_common.h"

namespace gregor::broker {

void ListGroupsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                               kafka::ListGroupsRequest req,
                               Reply<kafka::ListGroupsResponse> reply) {
  kafka::ListGroupsResponse r;
  if (ctx_->groups == nullptr) {
    // No coordinator here: no groups (as a broker leading no partition).
    reply.Send(r);
    return;
  }
  group::ListGroupsResponse g = ctx_->groups->ListGroups(
      GroupRequestContext(*ctx), {std::move(req.states_filter), std::move(req.types_filter)});
  r.error_code = ToWire(g.error);
  r.groups.reserve(g.groups.size());
  for (group::ListedGroup& l : g.groups) {
    auto& w = r.groups.emplace_back();
    w.group_id = std::move(l.group_id);
    w.protocol_type = std::move(l.protocol_type);
    w.group_state = std::move(l.group_state);
    w.group_type = std::move(l.group_type);
  }
  reply.Send(r);
}

}  // namespace gregor::broker
