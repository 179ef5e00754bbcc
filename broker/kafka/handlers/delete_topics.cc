#include "broker/kafka/handlers/delete_topics.h"

#include <set>
#include <vector>

#include "broker/kafka/handlers/admin_util.h"
#include "broker/replica/replica_manager.h"
#include "common/metadata/types.h"

namespace gregor::broker {
namespace {

using Resp = kafka::DeleteTopicsResponse;
using Result = Resp::DeletableTopicResult;

// One requested topic: by name, or by id (v6).
struct Entry {
  std::optional<std::string> name;
  gregor::Uuid id;
  // Set when the broker answers the entry itself.
  std::optional<Result> answer;
  // Index of its result in the controller's answer (names first, then ids).
  int controller_index = -1;
};

Result MakeResult(std::optional<std::string> name, gregor::Uuid id, kafka::ErrorCode code,
                  std::optional<std::string> message) {
  Result r;
  r.name = std::move(name);
  r.topic_id = id;
  r.error_code = Code(code);
  r.error_message = std::move(message);
  return r;
}

std::vector<Entry> Entries(const kafka::DeleteTopicsRequest& req, int16_t version) {
  std::vector<Entry> out;
  if (version < 6) {
    for (const auto& n : req.topic_names) out.push_back({n, gregor::Uuid(), std::nullopt, -1});
    return out;
  }
  std::set<gregor::Uuid> ids, duplicate_ids;
  for (const auto& t : req.topics) {
    if (!t.topic_id.IsZero() && !t.name && !ids.insert(t.topic_id).second) {
      duplicate_ids.insert(t.topic_id);
    }
  }
  for (const auto& t : req.topics) {
    Entry e{t.name, t.topic_id, std::nullopt, -1};
    if (!t.name && t.topic_id.IsZero()) {
      e.answer = MakeResult(std::nullopt, t.topic_id, kafka::ErrorCode::kInvalidRequest,
                            "Neither topic name nor id were specified.");
    } else if (t.name && !t.topic_id.IsZero()) {
      e.answer = MakeResult(t.name, t.topic_id, kafka::ErrorCode::kInvalidRequest,
                            "You may not specify both topic name and topic id.");
    } else if (!t.name && duplicate_ids.count(t.topic_id) > 0) {
      e.answer = MakeResult(std::nullopt, t.topic_id, kafka::ErrorCode::kInvalidRequest,
                            "Duplicate topic id.");
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

void DeleteTopicsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                 kafka::DeleteTopicsRequest req,
                                 Reply<kafka::DeleteTopicsResponse> reply) {
  const int16_t version = reply.version();
  auto entries = std::make_shared<std::vector<Entry>>(Entries(req, version));
  if (!ctx_->config->delete_topic_enable) {
    Resp resp;
    for (Entry& e : *entries) {
      resp.responses.push_back(MakeResult(e.name, e.id,
                                          version < 3 ? kafka::ErrorCode::kInvalidRequest
                                                      : kafka::ErrorCode::kTopicDeletionDisabled,
                                          "Topic deletion is disabled."));
    }
    reply.Send(resp);
    return;
  }
  controllerpb::DeleteTopicsRequest creq;
  for (Entry& e : *entries) {
    if (e.answer || !e.name) continue;
    e.controller_index = creq.names_size();
    creq.add_names(*e.name);
  }
  for (Entry& e : *entries) {
    if (e.answer || e.name) continue;
    e.controller_index = creq.names_size() + creq.topic_ids_size();
    metadata::UuidToProto(e.id, creq.add_topic_ids());
  }
  const int32_t timeout_ms = req.timeout_ms;
  const BrokerContext* bctx = ctx_;
  auto fail_all = [entries](Reply<Resp>& reply, kafka::ErrorCode code, const std::string& msg) {
    Resp resp;
    for (const Entry& e : *entries) {
      resp.responses.push_back(e.answer ? *e.answer : MakeResult(e.name, e.id, code, msg));
    }
    reply.Send(resp);
  };
  RunBlocking<Resp>(
      ctx_, std::move(reply),
      [bctx, entries, creq = std::move(creq), timeout_ms, fail_all](Reply<Resp>& reply) {
        absl::StatusOr<controllerpb::DeleteTopicsResponse> c = controllerpb::DeleteTopicsResponse();
        if (creq.names_size() + creq.topic_ids_size() > 0) {
          c = CallController(bctx, [&](auto& client) { return client.DeleteTopics(creq); });
        }
        if (!c.ok()) {
          fail_all(reply, kControllerUnavailable, ControllerUnavailableMessage(c.status()));
          return;
        }
        const int expected = creq.names_size() + creq.topic_ids_size();
        if (c->error().code() != 0 || c->topics_size() != expected) {
          ErrorFields e = FromController(c->error());
          fail_all(reply,
                   e.code != 0 ? static_cast<kafka::ErrorCode>(e.code)
                               : kafka::ErrorCode::kUnknownServerError,
                   e.message.value_or("The controller's answer does not match the request."));
          return;
        }
        Resp resp;
        std::vector<gregor::Uuid> deleted;
        for (const Entry& e : *entries) {
          if (e.answer) {
            resp.responses.push_back(*e.answer);
            continue;
          }
          const controllerpb::DeletableTopicResult& r = c->topics(e.controller_index);
          ErrorFields err = FromController(r.error());
          std::optional<std::string> name = e.name;
          if (!name && !r.name().empty()) name = r.name();
          resp.responses.push_back(MakeResult(name, e.id, static_cast<kafka::ErrorCode>(err.code),
                                              err.message));
          if (err.code == 0) {
            deleted.push_back(metadata::UuidFromProto(r.topic_id()));
            resp.responses.back().topic_id = deleted.back();
          }
        }
        if (!deleted.empty() && timeout_ms > 0 &&
            !WaitForImage(*bctx->replicas, std::chrono::milliseconds(timeout_ms),
                          [&](const metadata::MetadataImage& image) {
                            for (const auto& id : deleted) {
                              if (image.topic(id) != nullptr) return false;
                            }
                            return true;
                          })) {
          LOG(WARNING) << "DeleteTopics: deleted topics still in this broker's metadata after "
                       << timeout_ms << " ms; answering anyway";
        }
        reply.Send(resp);
      },
      [fail_all](Reply<Resp>& reply) {
        fail_all(reply, kControllerUnavailable, "The broker is overloaded; retry later.");
      });
}

}  // namespace gregor::broker
