#include "broker/kafka/handlers/describe_topic_partitions.h"

#include <algorithm>
#include <set>

#include "broker/kafka/handlers/admin_util.h"
#include "broker/kafka/handlers/topic_metadata_util.h"
#include "broker/replica/replica_manager.h"

namespace gregor::broker {
namespace {

using Resp = kafka::DescribeTopicPartitionsResponse;

Resp ErrorResponse(const kafka::DescribeTopicPartitionsRequest& req, kafka::ErrorCode error) {
  Resp resp;
  for (const auto& t : req.topics) {
    Resp::DescribeTopicPartitionsResponseTopic out;
    out.name = t.name;
    out.error_code = Code(error);
    out.topic_authorized_operations = kAllTopicOperations;
    resp.topics.push_back(std::move(out));
  }
  return resp;
}

Resp::Cursor MakeCursor(const std::string& topic, int32_t partition) {
  Resp::Cursor c;
  c.topic_name = topic;
  c.partition_index = partition;
  return c;
}

Resp::DescribeTopicPartitionsResponsePartition ToResponse(int32_t index, PartitionView v) {
  Resp::DescribeTopicPartitionsResponsePartition out;
  out.error_code = v.error_code;
  out.partition_index = index;
  out.leader_id = v.leader_id;
  out.leader_epoch = v.leader_epoch;
  out.replica_nodes = std::move(v.replicas);
  out.isr_nodes = std::move(v.isr);
  out.eligible_leader_replicas = std::vector<int32_t>();
  out.last_known_elr = std::vector<int32_t>();
  out.offline_replicas = std::move(v.offline_replicas);
  return out;
}

}  // namespace

void DescribeTopicPartitionsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                            kafka::DescribeTopicPartitionsRequest req,
                                            Reply<kafka::DescribeTopicPartitionsResponse> reply) {
  std::shared_ptr<const metadata::MetadataImage> image = ctx_->replicas->image();
  reply.Send(Answer(req, *image, ctx->conn.listener_name));
}

kafka::DescribeTopicPartitionsResponse DescribeTopicPartitionsHandler::Answer(
    const kafka::DescribeTopicPartitionsRequest& req, const metadata::MetadataImage& image,
    const std::string& listener) {
  const bool all_topics = req.topics.empty();
  std::set<std::string> names;
  if (all_topics) {
    for (const auto& [name, id] : image.topic_ids_by_name()) names.insert(name);
  } else {
    for (const auto& t : req.topics) names.insert(t.name);
  }
  std::string start_topic;
  int32_t start_partition = 0;
  if (req.cursor) {
    // The cursor's topic must be among those asked for (Kafka's rule).
    if (names.count(req.cursor->topic_name) == 0 || req.cursor->partition_index < 0) {
      return ErrorResponse(req, kafka::ErrorCode::kInvalidRequest);
    }
    start_topic = req.cursor->topic_name;
    start_partition = req.cursor->partition_index;
  }
  int64_t remaining =
      std::max(std::min(kMaxPartitionsPerResponse, req.response_partition_limit), 1);
  PartitionViewOptions options;
  options.report_errors = false;

  Resp resp;
  for (auto it = names.lower_bound(start_topic); it != names.end(); ++it) {
    const std::string& name = *it;
    if (remaining == 0) {
      // The page is full: the next page starts at this topic.
      resp.next_cursor = MakeCursor(name, 0);
      break;
    }
    const metadata::TopicImage* topic = image.topic(name);
    if (topic == nullptr) {
      if (all_topics) continue;
      Resp::DescribeTopicPartitionsResponseTopic out;
      out.error_code = InvalidTopicNameReason(name)
                           ? Code(kafka::ErrorCode::kInvalidTopicException)
                           : Code(kafka::ErrorCode::kUnknownTopicOrPartition);
      out.name = name;
      out.is_internal = IsInternalTopic(name);
      out.topic_authorized_operations = kAllTopicOperations;
      resp.topics.push_back(std::move(out));
      continue;
    }
    Resp::DescribeTopicPartitionsResponseTopic out;
    out.name = name;
    out.topic_id = topic->id();
    out.is_internal = IsInternalTopic(name);
    out.topic_authorized_operations = kAllTopicOperations;
    const int32_t count = topic->num_partitions();
    const int32_t first = name == start_topic ? start_partition : 0;
    const int32_t end = static_cast<int32_t>(std::min<int64_t>(count, first + remaining));
    for (int32_t i = first; i < end; ++i) {
      const metadata::PartitionRegistration* p = topic->partition(PartitionId(i));
      if (p == nullptr) continue;
      out.partitions.push_back(ToResponse(i, ViewPartition(image, *p, listener, options)));
    }
    remaining -= std::max(0, end - first);
    resp.topics.push_back(std::move(out));
    if (end < count) {
      resp.next_cursor = MakeCursor(name, end);
      break;
    }
  }
  return resp;
}

}  // namespace gregor::broker
