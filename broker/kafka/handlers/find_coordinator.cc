#include "broker/kafka/handlers/find_coordinator.h"

#include "broker/kafka/handlers/group_common.h"
#include "broker/replica/replica_manager.h"
#include "controller/client/controller_client.h"
#include "proto/kafka/errors.h"

namespace gregor::broker {
namespace {

constexpr int8_t kKeyTypeGroup = 0;
constexpr int8_t kKeyTypeTransaction = 1;

std::string ErrorMessageOf(int16_t code) {
  return std::string(kafka::ErrorMessage(static_cast<kafka::ErrorCode>(code)));
}

}  // namespace

group::CoordinatorLocator& FindCoordinatorHandler::locator() {
  std::call_once(once_, [this] {
    group::CoordinatorLocatorOptions o;
    if (ctx_->config != nullptr) {
      o.offsets_topic_num_partitions = ctx_->config->offsets_topic_num_partitions;
      o.offsets_topic_replication_factor = ctx_->config->offsets_topic_replication_factor;
    }
    BrokerContext* ctx = ctx_;
    group::CoordinatorLocator::CreateTopicsFn create;
    if (ctx_->controller != nullptr) {
      create = [ctx](const controllerpb::CreateTopicsRequest& req) {
        return ctx->controller->CreateTopics(req);
      };
    }
    locator_ = std::make_unique<group::CoordinatorLocator>(
        o, [ctx] { return ctx->replicas->image(); }, std::move(create), ctx_->blocking_pool,
        ctx_->clock != nullptr ? ctx_->clock : Clock::Real());
  });
  return *locator_;
}

void FindCoordinatorHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                    kafka::FindCoordinatorRequest req,
                                    Reply<kafka::FindCoordinatorResponse> reply) {
  const int16_t version = reply.version();
  const std::string& listener = ctx->conn.listener_name;
  // One key's answer.
  auto find = [&](const std::string& key) {
    kafka::FindCoordinatorResponse::Coordinator c;
    c.key = key;
    c.node_id = -1;
    c.port = -1;
    group::ErrorCode error;
    if (req.key_type == kKeyTypeGroup) {
      group::CoordinatorLocation loc = locator().Locate(key, listener);
      error = loc.error;
      if (error == group::ErrorCode::kNone) {
        c.node_id = loc.node_id;
        c.host = loc.host;
        c.port = loc.port;
      }
    } else if (req.key_type == kKeyTypeTransaction) {
      error = group::ErrorCode::kCoordinatorNotAvailable;  // no transaction coordinator yet
    } else {
      error = group::ErrorCode::kInvalidRequest;
    }
    c.error_code = ToWire(error);
    c.error_message = error == group::ErrorCode::kNone ? "" : ErrorMessageOf(c.error_code);
    if (req.key_type != kKeyTypeGroup && req.key_type != kKeyTypeTransaction) {
      c.error_message = "Unknown coordinator key type " + std::to_string(req.key_type);
    }
    return c;
  };

  kafka::FindCoordinatorResponse r;
  if (version >= 4) {
    r.coordinators.reserve(req.coordinator_keys.size());
    for (const std::string& key : req.coordinator_keys) r.coordinators.push_back(find(key));
  } else {
    kafka::FindCoordinatorResponse::Coordinator c = find(req.key);
    r.error_code = c.error_code;
    // Kafka writes the error's message, "NONE" on success (seen from 4.1.1).
    r.error_message = c.error_code == 0 ? "NONE" : *c.error_message;
    r.node_id = c.node_id;
    r.host = c.host;
    r.port = c.port;
  }
  reply.Send(r);
}

}  // namespace gregor::broker
