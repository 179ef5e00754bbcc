#include "broker/kafka/handlers/offset_delete.h"

#include <map>
#include <utility>

#include "broker/group/group_coordinator.h"
#include "broker/kafka/handlers/group_common.h"
#include "broker/replica/replica_manager.h"

namespace gregor::broker {
namespace {

using TopicPartitionKey = std::pair<std::string, int32_t>;

kafka::OffsetDeleteResponse Merge(const kafka::OffsetDeleteRequest& req, group::ErrorCode error,
                                  const std::map<TopicPartitionKey, group::ErrorCode>& results) {
  kafka::OffsetDeleteResponse r;
  r.error_code = ToWire(error);
  for (const auto& t : req.topics) {
    kafka::OffsetDeleteResponse::OffsetDeleteResponseTopic rt;
    rt.name = t.name;
    for (const auto& p : t.partitions) {
      auto it = results.find({t.name, p.partition_index});
      if (it == results.end()) continue;  // a group-level error answers for them
      auto& rp = rt.partitions.emplace_back();
      rp.partition_index = p.partition_index;
      rp.error_code = ToWire(it->second);
    }
    if (!rt.partitions.empty()) r.topics.push_back(std::move(rt));
  }
  return r;
}

}  // namespace

void OffsetDeleteHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                 kafka::OffsetDeleteRequest req,
                                 Reply<kafka::OffsetDeleteResponse> reply) {
  if (ctx_->groups == nullptr) {
    reply.Send(Merge(req, group::ErrorCode::kCoordinatorNotAvailable, {}));
    return;
  }
  std::shared_ptr<const metadata::MetadataImage> image = ctx_->replicas->image();
  std::map<TopicPartitionKey, group::ErrorCode> results;
  group::OffsetDeleteRequest g;
  g.group_id = req.group_id;
  for (const auto& t : req.topics) {
    group::OffsetDeleteRequestTopic gt;
    gt.name = t.name;
    for (const auto& p : t.partitions) {
      if (!TopicPartitionExists(*image, t.name, p.partition_index)) {
        results[{t.name, p.partition_index}] = group::ErrorCode::kUnknownTopicOrPartition;
        continue;
      }
      gt.partition_indexes.push_back(p.partition_index);
    }
    if (!gt.partition_indexes.empty()) g.topics.push_back(std::move(gt));
  }
  auto shared = SharedReply(std::move(reply));
  auto request = std::make_shared<kafka::OffsetDeleteRequest>(std::move(req));
  // The coordinator answers group-level errors even without partitions.
  ctx_->groups->OffsetDelete(
      GroupRequestContext(*ctx), g,
      [shared, request, results = std::move(results)](group::OffsetDeleteResponse r) mutable {
        for (const auto& t : r.topics) {
          for (const auto& p : t.partitions) {
            results.emplace(TopicPartitionKey{t.name, p.partition_index}, p.error);
          }
        }
        shared->Send(Merge(*request, r.error, results));
      });
}

}  // namespace gregor::broker
