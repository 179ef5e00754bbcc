#include "broker/kafka/handlers/produce.h"

#include <span>

#include "absl/synchronization/mutex.h"
#include "broker/replica/replica_manager.h"
#include "proto/kafka/errors.h"
#include "proto/kafka/records/produce_validation.h"

namespace gregor::broker {
namespace {

using kafka::ErrorCode;
using kafka::ToWire;
using PartitionResponse = kafka::ProduceResponse::PartitionProduceResponse;

int16_t ValidationErrorCode(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return ToWire(ErrorCode::kInvalidRecord);
    case absl::StatusCode::kOutOfRange:
      return ToWire(ErrorCode::kMessageTooLarge);
    case absl::StatusCode::kResourceExhausted:
      return ToWire(ErrorCode::kRecordListTooLarge);
    case absl::StatusCode::kFailedPrecondition:
      return ToWire(ErrorCode::kInvalidTimestamp);
    default:
      return ToWire(ErrorCode::kCorruptMessage);
  }
}

// One partition of an acks=all produce still waiting for its high watermark.
struct PendingPartition {
  size_t topic_index;
  size_t partition_index;
  std::shared_ptr<Partition> partition;
  Offset end;  // exclusive
  LeaderEpoch epoch;
  int32_t min_isr;
};

class DelayedProduce : public DelayedOperation {
 public:
  DelayedProduce(kafka::ProduceResponse resp, std::vector<PendingPartition> pending,
                 Reply<kafka::ProduceResponse> reply)
      : resp_(std::move(resp)), pending_(std::move(pending)), reply_(std::move(reply)) {}

  bool TryComplete() override {
    for (const PendingPartition& p : pending_) {
      if (!p.partition->AcksAllOutcome(p.end, p.epoch, p.min_isr).has_value()) return false;
    }
    return ForceComplete();
  }

 protected:
  void OnComplete() override {
    for (const PendingPartition& p : pending_) {
      std::optional<int16_t> outcome = p.partition->AcksAllOutcome(p.end, p.epoch, p.min_isr);
      PartitionResponse& pr = resp_.responses[p.topic_index].partition_responses[p.partition_index];
      pr.error_code = outcome.value_or(ToWire(ErrorCode::kRequestTimedOut));
      if (pr.error_code != 0) {
        pr.base_offset = -1;
        pr.log_append_time_ms = -1;
      }
    }
    reply_.Send(resp_);
  }

 private:
  kafka::ProduceResponse resp_;
  std::vector<PendingPartition> pending_;
  Reply<kafka::ProduceResponse> reply_;
};

}  // namespace

void ProduceHandler::Handle(const std::shared_ptr<RequestContext>& rctx,
                            kafka::ProduceRequest req, Reply<kafka::ProduceResponse> reply) {
  thread_local kafka::ProduceValidator validator;
  ReplicaManager* rm = ctx_->replicas;
  std::shared_ptr<const metadata::MetadataImage> image = rm->image();
  const int16_t acks = req.acks;
  const bool valid_acks = acks == 0 || acks == 1 || acks == -1;

  kafka::ProduceResponse resp;
  std::vector<PendingPartition> pending;
  bool any_error = false;
  resp.responses.reserve(req.topic_data.size());
  for (size_t ti = 0; ti < req.topic_data.size(); ++ti) {
    auto& topic = req.topic_data[ti];
    auto& tr = resp.responses.emplace_back();
    tr.name = topic.name;
    tr.partition_responses.reserve(topic.partition_data.size());
    const metadata::TopicImage* t = image->topic(topic.name);
    int32_t min_isr = rm->MinInsyncReplicas(topic.name);
    for (size_t pi = 0; pi < topic.partition_data.size(); ++pi) {
      auto& pd = topic.partition_data[pi];
      PartitionResponse& pr = tr.partition_responses.emplace_back();
      pr.index = pd.index;
      pr.base_offset = -1;
      if (!valid_acks) {
        pr.error_code = ToWire(ErrorCode::kInvalidRequiredAcks);
        any_error = true;
        continue;
      }
      std::shared_ptr<Partition> p = rm->Get(topic.name, pd.index);
      if (p == nullptr) {
        bool exists = t != nullptr && t->partition(PartitionId(pd.index)) != nullptr;
        pr.error_code = ToWire(exists ? ErrorCode::kNotLeaderOrFollower
                                      : ErrorCode::kUnknownTopicOrPartition);
        any_error = true;
        continue;
      }
      std::string_view bytes =
          pd.records.is_contiguous() ? pd.records.contiguous_bytes() : std::string_view();
      if (pd.records.is_null() || bytes.empty()) {
        pr.error_code = ToWire(ErrorCode::kInvalidRecord);
        pr.error_message = "Produce request with no record batches";
        any_error = true;
        continue;
      }
      kafka::ProduceValidationOptions vo;
      storage::LogConfig cfg = p->log()->config();
      vo.max_batch_bytes = static_cast<size_t>(cfg.max_message_bytes);
      vo.require_keys = cfg.cleanup_compact;
      validator.set_topic_options(vo);
      absl::StatusOr<kafka::ProducePayloadInfo> info = validator.Validate(bytes);
      if (!info.ok()) {
        pr.error_code = ValidationErrorCode(info.status());
        pr.error_message = std::string(info.status().message());
        any_error = true;
        continue;
      }
      // The records view points into the request frame, which this request
      // owns: the log writes offsets and the leader epoch into it in place.
      std::span<char> mutable_bytes(const_cast<char*>(bytes.data()), bytes.size());
      storage::LeaderAppendOptions ao;
      ao.crc_verified = true;  // the validator checked every batch's CRC
      Partition::AppendOutcome out = p->AppendAsLeader(mutable_bytes, acks, min_isr, ao);
      pr.error_code = out.error_code;
      if (!out.error_message.empty()) pr.error_message = out.error_message;
      pr.log_start_offset = out.log_start_offset.value();
      if (out.error_code != 0) {
        any_error = true;
        continue;
      }
      pr.base_offset = out.base_offset.value();
      pr.log_append_time_ms = out.log_append_time_ms;
      Offset end = out.last_offset + 1;
      if (!out.duplicate) {
        p->CountIn(bytes.size(), static_cast<uint64_t>(end.value() - out.base_offset.value()));
        rm->OnLeaderAppend(p, end);
      }
      if (acks == -1) {
        pending.push_back(PendingPartition{ti, pi, p, end, p->leader_epoch(), min_isr});
      }
    }
  }

  if (acks == 0) {
    if (any_error) {
      reply.Close("acks=0 produce failed");  // Kafka signals errors by closing
    } else {
      reply.NoResponse();
    }
    return;
  }
  if (pending.empty()) {
    reply.Send(resp);
    return;
  }
  std::vector<WatchKey> keys;
  keys.reserve(pending.size());
  for (const PendingPartition& p : pending) keys.push_back(ReplicaManager::KeyOf(*p.partition));
  auto op = std::make_shared<DelayedProduce>(std::move(resp), std::move(pending), std::move(reply));
  rm->produce_purgatory().TryCompleteElseWatch(
      op, keys, std::chrono::milliseconds(std::max(req.timeout_ms, 0)), *rctx->conn.loop);
}

}  // namespace gregor::broker
