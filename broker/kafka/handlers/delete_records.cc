#include "broker/kafka/handlers/delete_records.h"

#include "broker/kafka/handlers/admin_util.h"
#include "broker/replica/replica_manager.h"

namespace gregor::broker {
namespace {

using Resp = kafka::DeleteRecordsResponse;

constexpr int64_t kHighWatermark = -1;

Resp AllFailed(const kafka::DeleteRecordsRequest& req, kafka::ErrorCode code) {
  Resp resp;
  for (const auto& t : req.topics) {
    Resp::DeleteRecordsTopicResult topic;
    topic.name = t.name;
    for (const auto& p : t.partitions) {
      Resp::DeleteRecordsPartitionResult part;
      part.partition_index = p.partition_index;
      part.error_code = Code(code);
      part.low_watermark = -1;
      topic.partitions.push_back(part);
    }
    resp.topics.push_back(std::move(topic));
  }
  return resp;
}

}  // namespace

std::pair<int16_t, int64_t> DeleteRecordsHandler::DeleteUpTo(const BrokerContext& ctx,
                                                             const std::string& topic,
                                                             int32_t partition, int64_t offset) {
  std::shared_ptr<Partition> p = ctx.replicas->Get(topic, partition);
  if (p == nullptr) {
    std::shared_ptr<const metadata::MetadataImage> image = ctx.replicas->image();
    const metadata::TopicImage* t = image->topic(topic);
    const bool known = t != nullptr && t->partition(PartitionId(partition)) != nullptr;
    return {known ? Code(kafka::ErrorCode::kNotLeaderOrFollower)
                  : Code(kafka::ErrorCode::kUnknownTopicOrPartition),
            -1};
  }
  if (!p->is_leader()) return {Code(kafka::ErrorCode::kNotLeaderOrFollower), -1};
  if (!ctx.replicas->LogConfigFor(topic).cleanup_delete) {
    return {Code(kafka::ErrorCode::kPolicyViolation), -1};
  }
  const int64_t hw = p->high_watermark().value();
  const int64_t target = offset == kHighWatermark ? hw : offset;
  if (target < 0 || target > hw) return {Code(kafka::ErrorCode::kOffsetOutOfRange), -1};
  absl::Status s = p->log()->AdvanceLogStartOffset(Offset(target));
  if (!s.ok()) {
    LOG(WARNING) << "DeleteRecords on " << topic << "-" << partition << " up to " << target
                 << ": " << s;
    return {StorageErrorCode(s), -1};
  }
  return {Code(kafka::ErrorCode::kNone), p->log_start_offset().value()};
}

void DeleteRecordsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                  kafka::DeleteRecordsRequest req,
                                  Reply<kafka::DeleteRecordsResponse> reply) {
  auto shared = std::make_shared<const kafka::DeleteRecordsRequest>(std::move(req));
  const BrokerContext* bctx = ctx_;
  RunBlocking<Resp>(
      ctx_, std::move(reply),
      [bctx, shared](Reply<Resp>& reply) {
        Resp resp;
        for (const auto& t : shared->topics) {
          Resp::DeleteRecordsTopicResult topic;
          topic.name = t.name;
          for (const auto& p : t.partitions) {
            auto [code, low] = DeleteUpTo(*bctx, t.name, p.partition_index, p.offset);
            Resp::DeleteRecordsPartitionResult part;
            part.partition_index = p.partition_index;
            part.error_code = code;
            part.low_watermark = low;
            topic.partitions.push_back(part);
          }
          resp.topics.push_back(std::move(topic));
        }
        reply.Send(resp);
      },
      [shared](Reply<Resp>& reply) {
        reply.Send(AllFailed(*shared, kafka::ErrorCode::kRequestTimedOut));
      });
}

}  // namespace gregor::broker
