#include "broker/kafka/handlers/list_offsets.h"

#include "broker/replica/replica_manager.h"
#include "proto/kafka/errors.h"

namespace gregor::broker {
namespace {

using kafka::ErrorCode;
using kafka::ToWire;

constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;
constexpr int64_t kMaxTimestamp = -3;
constexpr int64_t kEarliestLocal = -4;
constexpr int64_t kLatestTiered = -5;

// The leader epoch of the batch holding `offset` (-1 when unknown).
int32_t EpochOf(const storage::Log& log, int64_t offset) {
  int32_t epoch = -1;
  for (const auto& e : log.EpochEntries()) {
    if (e.start_offset.value() > offset) break;
    epoch = e.epoch.value();
  }
  return epoch;
}

}  // namespace

void ListOffsetsHandler::Handle(const std::shared_ptr<RequestContext>& rctx,
                                kafka::ListOffsetsRequest req,
                                Reply<kafka::ListOffsetsResponse> reply) {
  ReplicaManager* rm = ctx_->replicas;
  std::shared_ptr<const metadata::MetadataImage> image = rm->image();
  const bool read_committed = req.isolation_level == 1;
  kafka::ListOffsetsResponse resp;
  for (const auto& t : req.topics) {
    auto& tr = resp.topics.emplace_back();
    tr.name = t.name;
    const metadata::TopicImage* ti = image->topic(t.name);
    for (const auto& p : t.partitions) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = p.partition_index;
      std::shared_ptr<Partition> part = rm->Get(t.name, p.partition_index);
      if (part == nullptr || !part->is_leader()) {
        bool exists = ti != nullptr && ti->partition(PartitionId(p.partition_index)) != nullptr;
        pr.error_code = ToWire(exists ? ErrorCode::kNotLeaderOrFollower
                                      : ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      if (p.current_leader_epoch >= 0) {
        LeaderEpoch cur = part->leader_epoch();
        if (p.current_leader_epoch < cur.value()) {
          pr.error_code = ToWire(ErrorCode::kFencedLeaderEpoch);
          continue;
        }
        if (p.current_leader_epoch > cur.value()) {
          pr.error_code = ToWire(ErrorCode::kUnknownLeaderEpoch);
          continue;
        }
      }
      const storage::Log& log = *part->log();
      int64_t offset = -1;
      int64_t timestamp = -1;
      switch (p.timestamp) {
        case kEarliest:
        case kEarliestLocal:
          offset = log.log_start_offset().value();
          break;
        case kLatest:
          offset = read_committed ? part->last_stable_offset().value()
                                  : part->high_watermark().value();
          break;
        case kLatestTiered:
          break;  // no tiered storage: no offset
        case kMaxTimestamp: {
          absl::StatusOr<std::optional<storage::TimestampAndOffset>> m =
              log.MaxTimestampAndOffset();
          if (!m.ok()) {
            pr.error_code = ToWire(ErrorCode::kKafkaStorageError);
            continue;
          }
          if (m->has_value() && (*m)->offset < part->high_watermark().value()) {
            timestamp = (*m)->timestamp;
            offset = (*m)->offset;
          }
          break;
        }
        default: {
          if (p.timestamp < 0) {
            pr.error_code = ToWire(ErrorCode::kInvalidRequest);
            continue;
          }
          absl::StatusOr<std::optional<storage::TimestampAndOffset>> o =
              log.OffsetForTimestamp(p.timestamp);
          if (!o.ok()) {
            pr.error_code = ToWire(ErrorCode::kKafkaStorageError);
            continue;
          }
          if (o->has_value()) {
            offset = (*o)->offset;
            // Not past what consumers may see.
            int64_t visible = read_committed ? part->last_stable_offset().value()
                                             : part->high_watermark().value();
            if (offset >= visible) {
              offset = -1;
            } else {
              timestamp = (*o)->timestamp;
            }
          }
          break;
        }
      }
      pr.offset = offset;
      pr.timestamp = timestamp;
      pr.leader_epoch = offset >= 0 ? EpochOf(log, offset == log.log_end_offset().value()
                                                         ? offset - 1
                                                         : offset)
                                    : -1;
      if (rctx->api_version() == 0) pr.old_style_offsets = {offset};
    }
  }
  reply.Send(resp);
}

}  // namespace gregor::broker
