#include "broker/kafka/handlers/consumer_group_describe.h"

#include "broker/group/group_coordinator.h"
#include "broker/kafka/handlers/group_common.h"

namespace gregor::broker {

void ConsumerGroupDescribeHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                          kafka::ConsumerGroupDescribeRequest req,
                                          Reply<kafka::ConsumerGroupDescribeResponse> reply) {
  group::ConsumerGroupDescribeResponse g;
  if (ctx_->groups == nullptr) {
    for (const std::string& id : req.group_ids) {
      group::ConsumerGroupDescribedGroup d;
      d.group_id = id;
      d.error = group::ErrorCode::kCoordinatorNotAvailable;
      g.groups.push_back(std::move(d));
    }
  } else {
    g = ctx_->groups->ConsumerGroupDescribe(
        GroupRequestContext(*ctx), {std::move(req.group_ids), req.include_authorized_operations});
  }
  kafka::ConsumerGroupDescribeResponse r;
  r.groups.reserve(g.groups.size());
  for (group::ConsumerGroupDescribedGroup& d : g.groups) {
    kafka::ConsumerGroupDescribeResponse::DescribedGroup w;
    w.error_code = ToWire(d.error);
    w.error_message = std::move(d.error_message);
    w.group_id = std::move(d.group_id);
    w.group_state = std::move(d.group_state);
    w.group_epoch = d.group_epoch;
    w.assignment_epoch = d.assignment_epoch;
    w.assignor_name = std::move(d.assignor_name);
    w.authorized_operations = d.authorized_operations;
    r.groups.push_back(std::move(w));
  }
  reply.Send(r);
}

}  // namespace gregor::broker
