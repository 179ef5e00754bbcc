#include "broker/kafka/handlers/offset_commit.h"

#include <map>
#include <utility>

#include "broker/group/group_coordinator.h"
#include "broker/kafka/handlers/group_common.h"
#include "broker/replica/replica_manager.h"

namespace gregor::broker {
namespace {

using TopicPartitionKey = std::pair<std::string, int32_t>;

// The answer in the request's order: partitions of unknown topics from
// `unknown`, the others from the coordinator's answer (or `error` for all).
kafka::OffsetCommitResponse Merge(const kafka::OffsetCommitRequest& req,
                                  const std::map<TopicPartitionKey, group::ErrorCode>& results,
                                  group::ErrorCode missing) {
  kafka::OffsetCommitResponse r;
  r.topics.reserve(req.topics.size());
  for (const auto& t : req.topics) {
    kafka::OffsetCommitResponse::OffsetCommitResponseTopic rt;
    rt.name = t.name;
    rt.partitions.reserve(t.partitions.size());
    for (const auto& p : t.partitions) {
      auto it = results.find({t.name, p.partition_index});
      group::ErrorCode e = it == results.end() ? missing : it->second;
      auto& w = rt.partitions.emplace_back();
      w.partition_index = p.partition_index;
      w.error_code = ToWire(e);
    }
    r.topics.push_back(std::move(rt));
  }
  return r;
}

}  // namespace

void OffsetCommitHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                 kafka::OffsetCommitRequest req,
                                 Reply<kafka::OffsetCommitResponse> reply) {
  const int16_t version = reply.version();
  if (ctx_->groups == nullptr) {
    reply.Send(Merge(req, {}, group::ErrorCode::kCoordinatorNotAvailable));
    return;
  }
  std::shared_ptr<const metadata::MetadataImage> image = ctx_->replicas->image();
  std::map<TopicPartitionKey, group::ErrorCode> results;
  group::OffsetCommitRequest g;
  g.group_id = req.group_id;
  g.generation_id_or_member_epoch = req.generation_id_or_member_epoch;
  g.member_id = req.member_id;
  g.group_instance_id = req.group_instance_id;
  g.retention_time_ms = version >= 2 && version <= 4 ? req.retention_time_ms : -1;
  for (const auto& t : req.topics) {
    group::OffsetCommitRequestTopic gt;
    gt.name = t.name;
    for (const auto& p : t.partitions) {
      // As Kafka's KafkaApis: only partitions the metadata knows are stored.
      if (!TopicPartitionExists(*image, t.name, p.partition_index)) {
        results[{t.name, p.partition_index}] = group::ErrorCode::kUnknownTopicOrPartition;
        continue;
      }
      group::OffsetCommitRequestPartition gp;
      gp.partition_index = p.partition_index;
      gp.committed_offset = p.committed_offset;
      gp.committed_leader_epoch = p.committed_leader_epoch;
      gp.commit_timestamp_ms = version == 1 ? p.commit_timestamp : -1;
      gp.committed_metadata = p.committed_metadata;
      gt.partitions.push_back(std::move(gp));
    }
    if (!gt.partitions.empty()) g.topics.push_back(std::move(gt));
  }
  if (g.topics.empty()) {
    reply.Send(Merge(req, results, group::ErrorCode::kNone));
    return;
  }
  auto shared = SharedReply(std::move(reply));
  auto request = std::make_shared<kafka::OffsetCommitRequest>(std::move(req));
  ctx_->groups->OffsetCommit(
      GroupRequestContext(*ctx), g,
      [shared, request, results = std::move(results)](group::OffsetCommitResponse r) mutable {
        for (const auto& t : r.topics) {
          for (const auto& p : t.partitions) {
            results.emplace(TopicPartitionKey{t.name, p.partition_index}, p.error);
          }
        }
        shared->Send(Merge(*request, results, group::ErrorCode::kUnknownServerError));
      });
}

}  // namespace gregor::broker
