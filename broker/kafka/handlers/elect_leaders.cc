#include "broker/kafka/handlers/elect_leaders.h"

#include <map>

#include "broker/kafka/handlers/admin_util.h"

namespace gregor::broker {
namespace {

using Resp = kafka::ElectLeadersResponse;

// Appends a partition result under its topic (topics in first-seen order).
class ResultBuilder {
 public:
  void Add(const std::string& topic, int32_t partition, int16_t code,
           std::optional<std::string> message) {
    auto [it, inserted] = index_.try_emplace(topic, resp_.replica_election_results.size());
    if (inserted) {
      Resp::ReplicaElectionResult r;
      r.topic = topic;
      resp_.replica_election_results.push_back(std::move(r));
    }
    Resp::PartitionResult p;
    p.partition_id = partition;
    p.error_code = code;
    p.error_message = std::move(message);
    resp_.replica_election_results[it->second].partition_result.push_back(std::move(p));
  }
  Resp& response() { return resp_; }

 private:
  Resp resp_;
  std::map<std::string, size_t> index_;
};

Resp AllFailed(const kafka::ElectLeadersRequest& req, int16_t code, const std::string& message) {
  ResultBuilder b;
  b.response().error_code = code;
  if (req.topic_partitions) {
    for (const auto& tp : *req.topic_partitions) {
      for (int32_t p : tp.partitions) b.Add(tp.topic, p, code, message);
    }
  }
  return std::move(b.response());
}

}  // namespace

void ElectLeadersHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                 kafka::ElectLeadersRequest req,
                                 Reply<kafka::ElectLeadersResponse> reply) {
  if (req.topic_partitions && req.topic_partitions->empty()) {
    reply.Send(Resp());
    return;
  }
  controllerpb::ElectLeadersRequest creq;
  creq.set_election_type(reply.version() == 0 ? 0 : req.election_type);
  if (req.topic_partitions) {
    for (const auto& tp : *req.topic_partitions) {
      controllerpb::TopicPartitions* t = creq.add_topic_partitions();
      t->set_topic(tp.topic);
      for (int32_t p : tp.partitions) t->add_partitions(p);
    }
  }
  auto shared = std::make_shared<const kafka::ElectLeadersRequest>(std::move(req));
  const BrokerContext* bctx = ctx_;
  RunBlocking<Resp>(
      ctx_, std::move(reply),
      [bctx, shared, creq = std::move(creq)](Reply<Resp>& reply) {
        absl::StatusOr<controllerpb::ElectLeadersResponse> c =
            CallController(bctx, [&](auto& client) { return client.ElectLeaders(creq); });
        if (!c.ok()) {
          reply.Send(AllFailed(*shared, Code(kControllerUnavailable),
                               ControllerUnavailableMessage(c.status())));
          return;
        }
        if (c->error().code() != 0) {
          ErrorFields e = FromController(c->error());
          reply.Send(AllFailed(*shared, e.code, e.message.value_or("")));
          return;
        }
        ResultBuilder b;
        for (const auto& r : c->results()) {
          ErrorFields e = FromController(r.error());
          b.Add(r.topic(), r.partition(), e.code, e.message);
        }
        reply.Send(b.response());
      },
      [shared](Reply<Resp>& reply) {
        reply.Send(AllFailed(*shared, Code(kControllerUnavailable),
                             "The broker is overloaded; retry later."));
      });
}

}  // namespace gregor::broker
