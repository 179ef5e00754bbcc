#include "broker/kafka/handlers/describe_groups.h"

#include "broker/group/group_coordinator.h"
#include "broker/kafka/handlers/group_common.h"

namespace gregor::broker {

void DescribeGroupsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                   kafka::DescribeGroupsRequest req,
                                   Reply<kafka::DescribeGroupsResponse> reply) {
  group::DescribeGroupsResponse g;
  if (ctx_->groups == nullptr) {
    for (const std::string& id : req.groups) {
      group::DescribedGroup d;
      d.group_id = id;
      d.error = group::ErrorCode::kCoordinatorNotAvailable;
      g.groups.push_back(std::move(d));
    }
  } else {
    g = ctx_->groups->DescribeGroups(GroupRequestContext(*ctx),
                                     {req.groups, req.include_authorized_operations});
  }
  kafka::DescribeGroupsResponse r;
  r.groups.reserve(g.groups.size());
  for (group::DescribedGroup& d : g.groups) {
    kafka::DescribeGroupsResponse::DescribedGroup w;
    w.error_code = ToWire(d.error);
    w.group_id = std::move(d.group_id);
    w.group_state = std::move(d.group_state);
    w.protocol_type = std::move(d.protocol_type);
    w.protocol_data = std::move(d.protocol_data);
    for (group::DescribedGroupMember& m : d.members) {
      kafka::DescribeGroupsResponse::DescribedGroupMember wm;
      wm.member_id = std::move(m.member_id);
      wm.group_instance_id = std::move(m.group_instance_id);
      wm.client_id = std::move(m.client_id);
      wm.client_host = std::move(m.client_host);
      wm.member_metadata = std::move(m.member_metadata);
      wm.member_assignment = std::move(m.member_assignment);
      w.members.push_back(std::move(wm));
    }
    w.authorized_operations = req.include_authorized_operations && d.error == group::ErrorCode::kNone
                                  ? GroupAuthorizedOperations()
                                  : group::kAuthorizedOperationsOmitted;
    r.groups.push_back(std::move(w));
  }
  reply.Send(r);
}

}  // namespace gregor::broker
