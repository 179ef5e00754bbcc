#include "broker/group/replica_coordinator_log.h"

#include <span>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/group/io_context_ref.h"
#include "broker/group/offsets_topic.h"
#include "broker/purgatory/purgatory.h"
#include "glog/logging.h"

namespace gregor::broker::group {
namespace {

// One appended coordinator batch waiting for the high watermark.
class DelayedCoordinatorAppend : private IoContextRef, public DelayedOperation {
 public:
  DelayedCoordinatorAppend(std::shared_ptr<asio::io_context> io, std::shared_ptr<Partition> p,
                           Offset end, LeaderEpoch epoch, int32_t min_isr,
                           std::function<void(absl::Status)> done)
      : IoContextRef(std::move(io)),
        partition_(std::move(p)),
        end_(end),
        epoch_(epoch),
        min_isr_(min_isr),
        done_(std::move(done)) {}

  bool TryComplete() override {
    if (!partition_->AcksAllOutcome(end_, epoch_, min_isr_).has_value()) return false;
    return ForceComplete();
  }

 protected:
  void OnComplete() override {
    std::optional<int16_t> outcome = partition_->AcksAllOutcome(end_, epoch_, min_isr_);
    const std::string name = absl::StrCat(partition_->topic(), "-", partition_->index());
    absl::Status status;
    if (!outcome.has_value()) {
      status = absl::DeadlineExceededError(
          absl::StrCat(name, ": offset ", end_.value() - 1, " not replicated in time (high watermark ",
                       partition_->high_watermark().value(), ")"));
    } else if (*outcome == errc::kNotLeaderOrFollower) {
      status = absl::FailedPreconditionError(
          absl::StrCat(name, ": leadership at epoch ", epoch_.value(),
                       " ended before offset ", end_.value() - 1, " was replicated"));
    } else if (*outcome == errc::kNotEnoughReplicasAfterAppend) {
      status = absl::UnavailableError(
          absl::StrCat(name, ": the ISR shrank below min.insync.replicas (", min_isr_,
                       ") before offset ", end_.value() - 1, " was acknowledged"));
    } else {
      status = ReplicaCoordinatorLog::StatusForError(*outcome, name);
    }
    // Off the thread that moved the HW (a flusher or a fetch): the
    // coordinator may append again from its callback.
    asio::post(*io, [done = std::move(done_), status = std::move(status)]() mutable {
      done(std::move(status));
    });
  }

 private:
  const std::shared_ptr<Partition> partition_;
  const Offset end_;
  const LeaderEpoch epoch_;
  const int32_t min_isr_;
  std::function<void(absl::Status)> done_;
};

}  // namespace

ReplicaCoordinatorLog::ReplicaCoordinatorLog(ReplicaManager* replicas,
                                             std::shared_ptr<asio::io_context> io,
                                             std::chrono::milliseconds append_timeout)
    : replicas_(replicas), io_(std::move(io)), append_timeout_(append_timeout) {}

absl::Status ReplicaCoordinatorLog::StatusForError(int16_t error_code, std::string message) {
  if (message.empty()) message = absl::StrCat("error code ", error_code);
  switch (error_code) {
    case errc::kNone:
      return absl::OkStatus();
    case errc::kNotLeaderOrFollower:
    case errc::kFencedLeaderEpoch:
    case errc::kUnknownLeaderEpoch:
    case errc::kKafkaStorageError:
      return absl::FailedPreconditionError(message);
    case errc::kNotEnoughReplicas:
    case errc::kNotEnoughReplicasAfterAppend:
      return absl::UnavailableError(message);
    case errc::kRequestTimedOut:
      return absl::DeadlineExceededError(message);
    case errc::kUnknownTopicOrPartition:
      return absl::NotFoundError(message);
    case errc::kMessageTooLarge:
    case errc::kRecordListTooLarge:
    case errc::kCorruptMessage:
    case errc::kInvalidRecord:
      return absl::InvalidArgumentError(message);
    default:
      return absl::InternalError(message);
  }
}

void ReplicaCoordinatorLog::Append(int32_t partition, int32_t leader_epoch, std::string batch,
                                   std::function<void(absl::Status)> done) {
  if (stopped_.load()) {
    done(absl::UnavailableError("the group coordinator is stopping"));
    return;
  }
  std::shared_ptr<Partition> p = replicas_->Get(kOffsetsTopic, partition);
  if (p == nullptr) {
    done(absl::NotFoundError(absl::StrCat(kOffsetsTopic, "-", partition, " is not hosted here")));
    return;
  }
  const int32_t min_isr = replicas_->MinInsyncReplicas(kOffsetsTopic);
  const LeaderEpoch epoch(leader_epoch);
  storage::LeaderAppendOptions options;
  options.origin = storage::AppendOrigin::kCoordinator;
  options.crc_verified = true;  // built here by RecordBatchBuilder
  Partition::AppendOutcome out = p->AppendAsLeader(std::span<char>(batch.data(), batch.size()),
                                                   /*required_acks=*/-1, min_isr, options, epoch);
  if (out.error_code != errc::kNone) {
    VLOG(1) << kOffsetsTopic << "-" << partition << ": coordinator append refused: "
            << out.error_code << " " << out.error_message;
    done(StatusForError(out.error_code, std::move(out.error_message)));
    return;
  }
  const Offset end = out.last_offset + 1;
  replicas_->OnLeaderAppend(p, end);
  auto op = std::make_shared<DelayedCoordinatorAppend>(io_, p, end, epoch, min_isr,
                                                       std::move(done));
  replicas_->produce_purgatory().TryCompleteElseWatch(op, {ReplicaManager::KeyOf(*p)},
                                                      append_timeout_, *io_);
}

}  // namespace gregor::broker::group
