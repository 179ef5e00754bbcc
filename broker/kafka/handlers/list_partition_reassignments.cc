#include "broker/kafka/handlers/list_partition_reassignments.h"

#include <map>
#include <utility>

#include "broker/kafka/handlers/admin_util.h"

namespace gregor::broker {
namespace {

using ListResp = kafka::ListPartitionReassignmentsResponse;

ListResp TopLevelError(int16_t code, std::optional<std::string> message) {
  ListResp resp;
  resp.error_code = code;
  resp.error_message = std::move(message);
  return resp;
}

}  // namespace

void ListPartitionReassignmentsHandler::Handle(
    const std::shared_ptr<RequestContext>& ctx, kafka::ListPartitionReassignmentsRequest req,
    Reply<kafka::ListPartitionReassignmentsResponse> reply) {
  ListResp empty;
  empty.error_message = std::nullopt;
  if (req.topics && req.topics->empty()) {
    reply.Send(empty);
    return;
  }
  controllerpb::ListPartitionReassignmentsRequest creq;
  if (req.topics) {
    for (const auto& t : *req.topics) {
      if (t.partition_indexes.empty()) continue;
      controllerpb::TopicPartitions* tp = creq.add_topic_partitions();
      tp->set_topic(t.name);
      for (int32_t p : t.partition_indexes) tp->add_partitions(p);
    }
    if (creq.topic_partitions_size() == 0) {
      reply.Send(empty);
      return;
    }
  }
  const BrokerContext* bctx = ctx_;
  RunBlocking<ListResp>(
      ctx_, std::move(reply),
      [bctx, creq = std::move(creq)](Reply<ListResp>& reply) {
        absl::StatusOr<controllerpb::ListPartitionReassignmentsResponse> c = CallController(
            bctx, [&](auto& client) { return client.ListPartitionReassignments(creq); });
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
        ListResp resp;
        resp.error_message = std::nullopt;
        std::map<std::string, size_t> index;
        for (const auto& r : c->reassignments()) {
          auto [it, inserted] = index.try_emplace(r.topic(), resp.topics.size());
          if (inserted) {
            ListResp::OngoingTopicReassignment t;
            t.name = r.topic();
            resp.topics.push_back(std::move(t));
          }
          ListResp::OngoingPartitionReassignment p;
          p.partition_index = r.partition();
          p.replicas.assign(r.replicas().begin(), r.replicas().end());
          p.adding_replicas.assign(r.adding_replicas().begin(), r.adding_replicas().end());
          p.removing_replicas.assign(r.removing_replicas().begin(), r.removing_replicas().end());
          resp.topics[it->second].partitions.push_back(std::move(p));
        }
        reply.Send(resp);
      },
      [](Reply<ListResp>& reply) {
        reply.Send(TopLevelError(Code(kControllerUnavailable),
                                           "The broker is overloaded; retry later."));
      });
}

}  // namespace gregor::broker
