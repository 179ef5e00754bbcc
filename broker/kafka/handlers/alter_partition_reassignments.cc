#include "broker/kafka/handlers/alter_partition_reassignments.h"

#include <map>
#include <utility>

#include "broker/kafka/handlers/admin_util.h"

namespace gregor::broker {
namespace {

using AlterResp = kafka::AlterPartitionReassignmentsResponse;

AlterResp TopLevelError(int16_t code, std::optional<std::string> message) {
  AlterResp resp;
  resp.error_code = code;
  resp.error_message = std::move(message);
  return resp;
}

AlterResp AlterResponse(const kafka::AlterPartitionReassignmentsRequest& req,
                        const controllerpb::AlterPartitionReassignmentsResponse& c) {
  std::map<std::pair<std::string, int32_t>, const controllerpb::PartitionResult*> results;
  for (const auto& r : c.results()) results[{r.topic(), r.partition()}] = &r;
  AlterResp resp;
  resp.error_message = std::nullopt;
  for (const auto& t : req.topics) {
    AlterResp::ReassignableTopicResponse topic;
    topic.name = t.name;
    for (const auto& p : t.partitions) {
      AlterResp::ReassignablePartitionResponse part;
      part.partition_index = p.partition_index;
      auto it = results.find({t.name, p.partition_index});
      if (it == results.end()) {
        part.error_code = Code(kafka::ErrorCode::kUnknownServerError);
        part.error_message = "The controller gave no result for this partition.";
      } else {
        ErrorFields e = FromController(it->second->error());
        part.error_code = e.code;
        part.error_message = e.message;
      }
      topic.partitions.push_back(std::move(part));
    }
    resp.responses.push_back(std::move(topic));
  }
  return resp;
}

}  // namespace

void AlterPartitionReassignmentsHandler::Handle(
    const std::shared_ptr<RequestContext>& ctx, kafka::AlterPartitionReassignmentsRequest req,
    Reply<kafka::AlterPartitionReassignmentsResponse> reply) {
  controllerpb::AlterPartitionReassignmentsRequest creq;
  for (const auto& t : req.topics) {
    for (const auto& p : t.partitions) {
      controllerpb::ReassignablePartition* c = creq.add_partitions();
      c->set_topic(t.name);
      c->set_partition(p.partition_index);
      c->set_cancel(!p.replicas.has_value());
      if (p.replicas) {
        for (int32_t b : *p.replicas) c->add_replicas(b);
      }
    }
  }
  auto shared = std::make_shared<const kafka::AlterPartitionReassignmentsRequest>(std::move(req));
  const BrokerContext* bctx = ctx_;
  RunBlocking<AlterResp>(
      ctx_, std::move(reply),
      [bctx, shared, creq = std::move(creq)](Reply<AlterResp>& reply) {
        if (creq.partitions_size() == 0) {
          reply.Send(AlterResponse(*shared, {}));
          return;
        }
        absl::StatusOr<controllerpb::AlterPartitionReassignmentsResponse> c = CallController(
            bctx, [&](auto& client) { return client.AlterPartitionReassignments(creq); });
        if (!c.ok()) {
          reply.Send(TopLevelError(Code(kControllerUnavailable),
                                              ControllerUnavailableMessage(c.status())));
          return;
        }
        if (c->error().code() != 0) {
          ErrorFields e = FromController(c->error());
          reply.Send(TopLevelError(e.code, e.message));
          return;
        }
        reply.Send(AlterResponse(*shared, *c));
      },
      [](Reply<AlterResp>& reply) {
        reply.Send(TopLevelError(Code(kControllerUnavailable),
                                            "The broker is overloaded; retry later."));
      });
}

}  // namespace gregor::broker
