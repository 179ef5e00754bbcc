#include "broker/kafka/handlers/partition_reassignments.h"

#include <map>
#include <utility>

#include "broker/kafka/handlers/admin_util.h"

namespace gregor::broker {
namespace {

using AlterResp = kafka::AlterPartitionReassignmentsResponse;
using ListResp = kafka::ListPartitionReassignmentsResponse;

template <typename Resp>
Resp TopLevelError(int16_t code, std::optional<std::string> message) {
  Resp resp;
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
          reply.Send(TopLevelError<AlterResp>(Code(kControllerUnavailable),
                                              ControllerUnavailableMessage(c.status())));
          return;
        }
        if (c->error().code() != 0) {
          ErrorFields e = FromController(c->error());
          reply.Send(TopLevelError<AlterResp>(e.code, e.message));
          return;
        }
        reply.Send(AlterResponse(*shared, *c));
      },
      [](Reply<AlterResp>& reply) {
        reply.Send(TopLevelError<AlterResp>(Code(kControllerUnavailable),
                                            "The broker is overloaded; retry later."));
      });
}

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
          reply.Send(TopLevelError<ListResp>(Code(kControllerUnavailable),
                                             ControllerUnavailableMessage(c.status())));
          return;
        }
        if (c->error().code() != 0) {
          ErrorFields e = FromController(c->error());
          reply.Send(TopLevelError<ListResp>(e.code, e.message));
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
        reply.Send(TopLevelError<ListResp>(Code(kControllerUnavailable),
                                           "The broker is overloaded; retry later."));
      });
}

}  // namespace gregor::broker
