#include "broker/kafka/handlers/create_topics.h"

#include <vector>

#include "broker/kafka/handlers/admin_util.h"
#include "broker/replica/replica_manager.h"
#include "common/metadata/types.h"

namespace gregor::broker {
namespace {

using Resp = kafka::CreateTopicsResponse;

controllerpb::CreateTopicsRequest ToController(const kafka::CreateTopicsRequest& req) {
  controllerpb::CreateTopicsRequest out;
  out.set_validate_only(req.validate_only);
  for (const auto& t : req.topics) {
    controllerpb::CreatableTopic* c = out.add_topics();
    c->set_name(t.name);
    c->set_num_partitions(t.num_partitions);
    c->set_replication_factor(t.replication_factor);
    for (const auto& a : t.assignments) {
      controllerpb::ReplicaAssignment* ra = c->add_assignments();
      ra->set_partition_index(a.partition_index);
      for (int32_t b : a.broker_ids) ra->add_broker_ids(b);
    }
    for (const auto& cfg : t.configs) {
      controllerpb::TopicConfig* tc = c->add_configs();
      tc->set_name(cfg.name);
      if (cfg.value) tc->set_value(*cfg.value);
    }
  }
  return out;
}

Resp ErrorResponse(const kafka::CreateTopicsRequest& req, kafka::ErrorCode code,
                   const std::string& message) {
  Resp resp;
  for (const auto& t : req.topics) {
    Resp::CreatableTopicResult r;
    r.name = t.name;
    r.error_code = Code(code);
    r.error_message = message;
    resp.topics.push_back(std::move(r));
  }
  return resp;
}

Resp FromControllerResponse(const kafka::CreateTopicsRequest& req,
                            const controllerpb::CreateTopicsResponse& c) {
  if (c.error().code() != 0 || c.topics_size() != static_cast<int>(req.topics.size())) {
    ErrorFields e = FromController(c.error());
    if (e.code == 0) e.code = Code(kafka::ErrorCode::kUnknownServerError);
    return ErrorResponse(req, static_cast<kafka::ErrorCode>(e.code), e.message.value_or(""));
  }
  Resp resp;
  for (const auto& t : c.topics()) {
    Resp::CreatableTopicResult r;
    r.name = t.name();
    ErrorFields e = FromController(t.error());
    r.error_code = e.code;
    r.error_message = e.message;
    if (e.code == 0) {
      r.topic_id = metadata::UuidFromProto(t.topic_id());
      r.num_partitions = t.num_partitions();
      r.replication_factor = static_cast<int16_t>(t.replication_factor());
      for (const auto& cfg : t.configs()) {
        Resp::CreatableTopicConfigs out;
        out.name = cfg.name();
        if (cfg.has_value()) {
          out.value = cfg.value();
        } else {
          out.value = std::nullopt;
        }
        out.config_source = static_cast<int8_t>(cfg.config_source());
        r.configs->push_back(std::move(out));
      }
    }
    resp.topics.push_back(std::move(r));
  }
  return resp;
}

// Every created topic is in the image with all its partitions led.
bool AllCreated(const metadata::MetadataImage& image, const std::vector<gregor::Uuid>& ids) {
  for (const gregor::Uuid& id : ids) {
    const metadata::TopicImage* t = image.topic(id);
    if (t == nullptr) return false;
    for (const auto& [pid, p] : t->partitions()) {
      if (!p->HasLeader()) return false;
    }
  }
  return true;
}

}  // namespace

void CreateTopicsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                 kafka::CreateTopicsRequest req,
                                 Reply<kafka::CreateTopicsResponse> reply) {
  auto shared = std::make_shared<const kafka::CreateTopicsRequest>(std::move(req));
  const BrokerContext* bctx = ctx_;
  RunBlocking<Resp>(
      ctx_, std::move(reply),
      [bctx, shared](Reply<Resp>& reply) {
        const kafka::CreateTopicsRequest& req = *shared;
        absl::StatusOr<controllerpb::CreateTopicsResponse> c = CallController(
            bctx, [&](auto& client) { return client.CreateTopics(ToController(req)); });
        if (!c.ok()) {
          reply.Send(ErrorResponse(req, kControllerUnavailable,
                                   ControllerUnavailableMessage(c.status())));
          return;
        }
        Resp resp = FromControllerResponse(req, *c);
        if (!req.validate_only && req.timeout_ms > 0) {
          std::vector<gregor::Uuid> created;
          for (const auto& t : resp.topics) {
            if (t.error_code == 0) created.push_back(t.topic_id);
          }
          if (!created.empty() &&
              !WaitForImage(*bctx->replicas, std::chrono::milliseconds(req.timeout_ms),
                            [&](const metadata::MetadataImage& i) { return AllCreated(i, created); })) {
            LOG(WARNING) << "CreateTopics: created topics not in this broker's metadata after "
                         << req.timeout_ms << " ms; answering anyway";
          }
        }
        reply.Send(resp);
      },
      [shared](Reply<Resp>& reply) {
        reply.Send(ErrorResponse(*shared, kControllerUnavailable,
                                 "The broker is overloaded; retry later."));
      });
}

}  // namespace gregor::broker
