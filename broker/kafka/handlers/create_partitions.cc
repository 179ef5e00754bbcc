#include "broker/kafka/handlers/create_partitions.h"

#include <utility>
#include <vector>

#include "broker/kafka/handlers/admin_util.h"
#include "broker/replica/replica_manager.h"

namespace gregor::broker {
namespace {

using Resp = kafka::CreatePartitionsResponse;

controllerpb::CreatePartitionsRequest ToController(const kafka::CreatePartitionsRequest& req) {
  controllerpb::CreatePartitionsRequest out;
  out.set_validate_only(req.validate_only);
  for (const auto& t : req.topics) {
    controllerpb::CreatePartitionsTopic* c = out.add_topics();
    c->set_name(t.name);
    c->set_count(t.count);
    if (!t.assignments) continue;
    int32_t i = 0;
    for (const auto& a : *t.assignments) {
      controllerpb::ReplicaAssignment* ra = c->add_assignments();
      ra->set_partition_index(i++);
      for (int32_t b : a.broker_ids) ra->add_broker_ids(b);
    }
  }
  return out;
}

Resp ErrorResponse(const kafka::CreatePartitionsRequest& req, kafka::ErrorCode code,
                   const std::string& message) {
  Resp resp;
  for (const auto& t : req.topics) {
    Resp::CreatePartitionsTopicResult r;
    r.name = t.name;
    r.error_code = Code(code);
    r.error_message = message;
    resp.results.push_back(std::move(r));
  }
  return resp;
}

}  // namespace

void CreatePartitionsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                     kafka::CreatePartitionsRequest req,
                                     Reply<kafka::CreatePartitionsResponse> reply) {
  auto shared = std::make_shared<const kafka::CreatePartitionsRequest>(std::move(req));
  const BrokerContext* bctx = ctx_;
  RunBlocking<Resp>(
      ctx_, std::move(reply),
      [bctx, shared](Reply<Resp>& reply) {
        const kafka::CreatePartitionsRequest& req = *shared;
        absl::StatusOr<controllerpb::CreatePartitionsResponse> c = CallController(
            bctx, [&](auto& client) { return client.CreatePartitions(ToController(req)); });
        if (!c.ok()) {
          reply.Send(ErrorResponse(req, kControllerUnavailable,
                                   ControllerUnavailableMessage(c.status())));
          return;
        }
        if (c->error().code() != 0 || c->topics_size() != static_cast<int>(req.topics.size())) {
          ErrorFields e = FromController(c->error());
          reply.Send(ErrorResponse(req,
                                   e.code != 0 ? static_cast<kafka::ErrorCode>(e.code)
                                               : kafka::ErrorCode::kUnknownServerError,
                                   e.message.value_or("")));
          return;
        }
        Resp resp;
        std::vector<std::pair<std::string, int32_t>> grown;  // topic, new count
        for (int i = 0; i < c->topics_size(); ++i) {
          const auto& t = c->topics(i);
          ErrorFields e = FromController(t.error());
          Resp::CreatePartitionsTopicResult r;
          r.name = t.name();
          r.error_code = e.code;
          r.error_message = e.message;
          if (e.code == 0) grown.emplace_back(t.name(), req.topics[i].count);
          resp.results.push_back(std::move(r));
        }
        if (!req.validate_only && req.timeout_ms > 0 && !grown.empty() &&
            !WaitForImage(*bctx->replicas, std::chrono::milliseconds(req.timeout_ms),
                          [&](const metadata::MetadataImage& image) {
                            for (const auto& [name, count] : grown) {
                              const metadata::TopicImage* t = image.topic(name);
                              if (t == nullptr || t->num_partitions() < count) return false;
                              for (const auto& [pid, p] : t->partitions()) {
                                if (!p->HasLeader()) return false;
                              }
                            }
                            return true;
                          })) {
          LOG(WARNING) << "CreatePartitions: new partitions not in this broker's metadata after "
                       << req.timeout_ms << " ms; answering anyway";
        }
        reply.Send(resp);
      },
      [shared](Reply<Resp>& reply) {
        reply.Send(ErrorResponse(*shared, kControllerUnavailable,
                                 "The broker is overloaded; retry later."));
      });
}

}  // namespace gregor::broker
