#include "broker/kafka/handlers/delete_groups.h"

#include "broker/group/group_coordinator.h"
#include "broker/kafka/handlers/group_common.h"

namespace gregor::broker {
namespace {

kafka::DeleteGroupsResponse ToWireResponse(const group::DeleteGroupsResponse& g) {
  kafka::DeleteGroupsResponse r;
  r.results.reserve(g.results.size());
  for (const group::DeletableGroupResult& d : g.results) {
    auto& w = r.results.emplace_back();
    w.group_id = d.group_id;
    w.error_code = ToWire(d.error);
  }
  return r;
}

}  // namespace

void DeleteGroupsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                 kafka::DeleteGroupsRequest req,
                                 Reply<kafka::DeleteGroupsResponse> reply) {
  if (ctx_->groups == nullptr) {
    group::DeleteGroupsResponse g;
    for (const std::string& id : req.groups_names) {
      g.results.push_back({id, group::ErrorCode::kCoordinatorNotAvailable});
    }
    reply.Send(ToWireResponse(g));
    return;
  }
  auto shared = SharedReply(std::move(reply));
  ctx_->groups->DeleteGroups(GroupRequestContext(*ctx), {std::move(req.groups_names)},
                             [shared](group::DeleteGroupsResponse r) {
                               shared->Send(ToWireResponse(r));
                             });
}

}  // namespace gregor::broker
