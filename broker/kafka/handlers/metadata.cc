#include "broker/kafka/handlers/metadata.h"

#include <set>

#include "absl/container/flat_hash_set.h"
#include "broker/kafka/handlers/admin_util.h"
#include "broker/kafka/handlers/topic_metadata_util.h"
#include "broker/replica/replica_manager.h"

namespace gregor::broker {
namespace {

using Resp = kafka::MetadataResponse;

// Kafka's answer to a request it refuses as a whole: every requested topic
// with the error, nothing else.
Resp ErrorResponse(const kafka::MetadataRequest& req, kafka::ErrorCode error) {
  Resp resp;
  if (!req.topics) return resp;
  for (const auto& t : *req.topics) {
    Resp::MetadataResponseTopic out;
    out.error_code = Code(error);
    out.name = t.name.value_or("");
    out.topic_id = t.topic_id;
    resp.topics.push_back(std::move(out));
  }
  return resp;
}

Resp::MetadataResponseTopic DescribeTopic(const metadata::MetadataImage& image,
                                          const metadata::TopicImage& topic,
                                          const std::string& listener, int16_t version) {
  Resp::MetadataResponseTopic out;
  out.name = topic.name();
  out.topic_id = topic.id();
  out.is_internal = IsInternalTopic(topic.name());
  PartitionViewOptions options;
  options.filter_unavailable_replicas = version == 0;
  options.error_unavailable_listeners = version >= 6;
  for (const auto& [id, p] : topic.partitions()) {
    PartitionView v = ViewPartition(image, *p, listener, options);
    Resp::MetadataResponsePartition part;
    part.error_code = v.error_code;
    part.partition_index = id.value();
    part.leader_id = v.leader_id;
    part.leader_epoch = v.leader_epoch;
    part.replica_nodes = std::move(v.replicas);
    part.isr_nodes = std::move(v.isr);
    part.offline_replicas = std::move(v.offline_replicas);
    out.partitions.push_back(std::move(part));
  }
  return out;
}

Resp::MetadataResponseTopic MissingTopic(std::optional<std::string> name, gregor::Uuid id,
                                         int16_t error) {
  Resp::MetadataResponseTopic out;
  out.error_code = error;
  out.is_internal = name && IsInternalTopic(*name);
  out.name = std::move(name);
  out.topic_id = id;
  return out;
}

}  // namespace

MetadataHandler::MetadataHandler(const BrokerContext* ctx) : ctx_(ctx), creator_(ctx) {}

void MetadataHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                             kafka::MetadataRequest req, Reply<kafka::MetadataResponse> reply) {
  std::shared_ptr<const metadata::MetadataImage> image = ctx_->replicas->image();
  reply.Send(Answer(req, reply.version(), *image, ctx->conn.listener_name));
}

kafka::MetadataResponse MetadataHandler::Answer(const kafka::MetadataRequest& req,
                                                int16_t version,
                                                const metadata::MetadataImage& image,
                                                const std::string& listener) {
  if (req.topics) {
    for (const auto& t : *req.topics) {
      // Kafka: names are required and ids unsupported before v12; a topic
      // needs a name or an id.
      const bool bad = version < 12 ? (!t.name || !t.topic_id.IsZero())
                                    : (!t.name && t.topic_id.IsZero());
      if (bad) return ErrorResponse(req, kafka::ErrorCode::kInvalidRequest);
    }
  }
  const BrokerConfig& config = *ctx_->config;
  Resp resp;
  for (BrokerNode& b : BrokersOnListener(image, listener)) {
    Resp::MetadataResponseBroker out;
    out.node_id = b.id;
    out.host = std::move(b.host);
    out.port = b.port;
    out.rack = std::move(b.rack);
    resp.brokers.push_back(std::move(out));
  }
  if (!config.cluster_id.empty()) resp.cluster_id = config.cluster_id;
  resp.controller_id = ControllerIdFor(image, listener, BrokerId(config.node_id));
  if (version >= 8 && version <= 10 && req.include_cluster_authorized_operations) {
    resp.cluster_authorized_operations = kAllClusterOperations;
  }

  const bool all_topics = !req.topics || (version == 0 && req.topics->empty());
  if (all_topics) {
    for (const auto& [name, id] : image.topic_ids_by_name()) {
      const metadata::TopicImage* t = image.topic(id);
      if (t != nullptr) resp.topics.push_back(DescribeTopic(image, *t, listener, version));
    }
  } else {
    absl::flat_hash_set<std::string> seen_names;
    absl::flat_hash_set<gregor::Uuid> seen_ids;
    std::vector<std::string> missing;
    for (const auto& t : *req.topics) {
      if (!t.topic_id.IsZero()) {
        if (!seen_ids.insert(t.topic_id).second) continue;
        const metadata::TopicImage* topic = image.topic(t.topic_id);
        if (topic == nullptr) {
          resp.topics.push_back(
              MissingTopic(std::nullopt, t.topic_id, Code(kafka::ErrorCode::kUnknownTopicId)));
        } else if (seen_names.insert(topic->name()).second) {
          resp.topics.push_back(DescribeTopic(image, *topic, listener, version));
        }
        continue;
      }
      if (!seen_names.insert(*t.name).second) continue;
      const metadata::TopicImage* topic = image.topic(*t.name);
      if (topic != nullptr) {
        resp.topics.push_back(DescribeTopic(image, *topic, listener, version));
      } else {
        missing.push_back(*t.name);
      }
    }
    if (!missing.empty()) {
      // v0-3 carry no flag: the broker setting alone decides (the decoded
      // default is true).
      const bool create = config.auto_create_topics_enable && req.allow_auto_topic_creation;
      std::vector<int16_t> errors;
      if (create) {
        errors = creator_.Create(missing);
      } else {
        for (const std::string& name : missing) {
          errors.push_back(InvalidTopicNameReason(name)
                               ? Code(kafka::ErrorCode::kInvalidTopicException)
                               : Code(kafka::ErrorCode::kUnknownTopicOrPartition));
        }
      }
      for (size_t i = 0; i < missing.size(); ++i) {
        resp.topics.push_back(MissingTopic(missing[i], gregor::Uuid(), errors[i]));
      }
    }
  }
  if (version >= 8 && req.include_topic_authorized_operations) {
    for (auto& t : resp.topics) t.topic_authorized_operations = kAllTopicOperations;
  }
  return resp;
}

}  // namespace gregor::broker
