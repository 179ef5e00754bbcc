#include "broker/kafka/handlers/offset_for_leader_epoch.h"

#include "broker/replica/replica_manager.h"
#include "proto/kafka/errors.h"

namespace gregor::broker {

using kafka::ErrorCode;
using kafka::ToWire;

void OffsetForLeaderEpochHandler::Handle(const std::shared_ptr<RequestContext>& rctx,
                                         kafka::OffsetForLeaderEpochRequest req,
                                         Reply<kafka::OffsetForLeaderEpochResponse> reply) {
  ReplicaManager* rm = ctx_->replicas;
  std::shared_ptr<const metadata::MetadataImage> image = rm->image();
  kafka::OffsetForLeaderEpochResponse resp;
  for (const auto& t : req.topics) {
    auto& tr = resp.topics.emplace_back();
    tr.topic = t.topic;
    const metadata::TopicImage* ti = image->topic(t.topic);
    for (const auto& p : t.partitions) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition = p.partition;
      std::shared_ptr<Partition> part = rm->Get(t.topic, p.partition);
      if (part == nullptr || !part->is_leader()) {
        bool exists = ti != nullptr && ti->partition(PartitionId(p.partition)) != nullptr;
        pr.error_code = ToWire(exists ? ErrorCode::kNotLeaderOrFollower
                                      : ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      LeaderEpoch cur = part->leader_epoch();
      if (p.current_leader_epoch >= 0 && p.current_leader_epoch < cur.value()) {
        pr.error_code = ToWire(ErrorCode::kFencedLeaderEpoch);
        continue;
      }
      if (p.current_leader_epoch > cur.value()) {
        pr.error_code = ToWire(ErrorCode::kUnknownLeaderEpoch);
        continue;
      }
      storage::EpochEndOffset e = part->log()->EndOffsetForEpoch(LeaderEpoch(p.leader_epoch));
      pr.leader_epoch = e.epoch.value();
      pr.end_offset = e.end_offset.value();
    }
  }
  reply.Send(resp);
}

}  // namespace gregor::broker
