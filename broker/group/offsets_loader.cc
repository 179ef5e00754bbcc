#include "broker/group/offsets_loader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/group/io_context_ref.h"
#include "broker/group/offsets_topic.h"
#include "broker/purgatory/purgatory.h"
#include "common/status.h"
#include "glog/logging.h"

namespace gregor::broker::group {
namespace {

std::string PartitionName(int32_t partition) { return absl::StrCat(kOffsetsTopic, "-", partition); }

// A loaded partition waiting for its high watermark to reach the log end it
// was read to (or for its leadership to change, or the re-check interval).
class DelayedLoadCompletion : private IoContextRef, public DelayedOperation {
 public:
  DelayedLoadCompletion(std::shared_ptr<asio::io_context> io, std::shared_ptr<Partition> p,
                        LeaderEpoch epoch, int64_t end, std::function<void()> then)
      : IoContextRef(std::move(io)),
        partition_(std::move(p)),
        epoch_(epoch),
        end_(end),
        then_(std::move(then)) {}

  bool TryComplete() override {
    if (partition_->high_watermark().value() < end_ && partition_->is_leader() &&
        partition_->leader_epoch() == epoch_) {
      return false;
    }
    return ForceComplete();
  }

 protected:
  void OnComplete() override { then_(); }

 private:
  const std::shared_ptr<Partition> partition_;
  const LeaderEpoch epoch_;
  const int64_t end_;
  std::function<void()> then_;
};

}  // namespace

bool OffsetsLoader::Executor::Submit(absl::AnyInvocable<void()> fn) {
  absl::MutexLock l(&mu);
  return pool != nullptr && pool->Submit(std::move(fn));
}

OffsetsLoader::OffsetsLoader(OffsetsLoaderOptions options, GroupCoordinator* coordinator,
                             ReplicaManager* replicas, std::shared_ptr<asio::io_context> io)
    : options_(options),
      coordinator_(coordinator),
      replicas_(replicas),
      io_(std::move(io)),
      decoder_(CoordinatorBatchDecoderOptions{.max_batch_bytes = options.max_batch_bytes}) {}

OffsetsLoader::~OffsetsLoader() { Stop(); }

void OffsetsLoader::Start() {
  pool_ = std::make_unique<ThreadPool>(1, options_.max_queued, "group-loader");
  {
    absl::MutexLock l(&executor_->mu);
    executor_->pool = pool_.get();
  }
  listener_id_ = replicas_->AddLeadershipListener(
      [this](const std::vector<LeadershipChange>& changes) { OnLeadershipChanges(changes); });
  // Partitions led before we listened (changes seen twice are ignored).
  std::vector<LeadershipChange> led;
  for (const std::shared_ptr<Partition>& p : replicas_->All()) {
    if (p->topic() != kOffsetsTopic || !p->is_leader()) continue;
    led.push_back({LeadershipChange::Kind::kLeader, p->topic(), p->index(), p->leader_epoch(), p});
  }
  OnLeadershipChanges(led);
}

void OffsetsLoader::Stop() {
  {
    absl::MutexLock l(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  if (listener_id_ != 0) replicas_->RemoveLeadershipListener(listener_id_);
  {
    absl::MutexLock l(&executor_->mu);
    executor_->pool = nullptr;
  }
  pool_.reset();  // queued tasks see `stopped_` and return; joins the thread
  for (const auto& [partition, epoch] : begun_) coordinator_->Unload(partition, epoch);
  begun_.clear();
}

OffsetsLoaderStats OffsetsLoader::stats() const {
  absl::MutexLock l(&mu_);
  return stats_;
}

void OffsetsLoader::OnLeadershipChanges(const std::vector<LeadershipChange>& changes) {
  for (const LeadershipChange& c : changes) {
    if (c.topic != kOffsetsTopic) continue;
    if (c.partition < 0 || c.partition >= options_.offsets_topic_num_partitions) {
      LOG(ERROR) << PartitionName(c.partition) << " is beyond offsets.topic.num.partitions ("
                 << options_.offsets_topic_num_partitions << "); its groups are not served";
      continue;
    }
    const bool lead = c.kind == LeadershipChange::Kind::kLeader;
    uint64_t generation;
    {
      absl::MutexLock l(&mu_);
      if (stopped_) return;
      Wanted& w = wanted_[c.partition];
      if (w.generation != 0 && w.lead == lead && w.epoch == c.leader_epoch.value()) continue;
      generation = next_generation_++;
      w = Wanted{lead, c.leader_epoch.value(), generation, c.replica};
    }
    const int32_t partition = c.partition;
    if (!executor_->Submit([this, partition, generation] { Run(partition, generation); })) {
      LOG(ERROR) << PartitionName(partition) << ": loader queue full; change dropped";
    }
  }
}

bool OffsetsLoader::Current(int32_t partition, uint64_t generation, Wanted* w) const {
  absl::MutexLock l(&mu_);
  if (stopped_) return false;
  auto it = wanted_.find(partition);
  if (it == wanted_.end() || it->second.generation != generation) return false;
  if (w != nullptr) *w = it->second;
  return true;
}

void OffsetsLoader::SetWaiting(int32_t partition, bool waiting) {
  if (waiting) {
    waiting_.insert(partition);
  } else {
    waiting_.erase(partition);
  }
  absl::MutexLock l(&mu_);
  stats_.waiting_for_high_watermark = static_cast<int64_t>(waiting_.size());
}

void OffsetsLoader::Run(int32_t partition, uint64_t generation) {
  Wanted w;
  if (!Current(partition, generation, &w)) return;  // overtaken: a newer task follows
  if (!w.lead) {
    SetWaiting(partition, false);
    if (begun_.erase(partition) > 0) {
      coordinator_->Unload(partition, w.epoch);
      absl::MutexLock l(&mu_);
      ++stats_.unloads;
    }
    return;
  }
  auto it = begun_.find(partition);
  if (it != begun_.end() && it->second == w.epoch) return;  // already at this epoch
  Load(partition, w);
}

void OffsetsLoader::Load(int32_t partition, const Wanted& w) {
  SetWaiting(partition, false);
  coordinator_->BeginLoad(partition, w.epoch);
  begun_[partition] = w.epoch;
  {
    absl::MutexLock l(&mu_);
    ++stats_.loads_started;
  }
  absl::StatusOr<int64_t> end = ReadLog(partition, w);
  if (!end.ok()) {
    if (end.status().code() == absl::StatusCode::kCancelled) return;  // overtaken
    LOG(ERROR) << PartitionName(partition) << ": cannot load the group coordinator at leader epoch "
               << w.epoch << ": " << end.status() << "; its groups are not served";
    coordinator_->Unload(partition, w.epoch);
    absl::MutexLock l(&mu_);
    ++stats_.load_failures;
    return;
  }
  WaitForHighWatermark(partition, w, *end);
}

absl::StatusOr<int64_t> OffsetsLoader::ReadLog(int32_t partition, const Wanted& w) {
  const std::shared_ptr<storage::Log>& log = w.replica->log();
  const int64_t end = log->log_end_offset().value();
  int64_t offset = log->log_start_offset().value();
  int64_t records_loaded = 0;
  std::vector<CoordinatorRecord> records;
  while (offset < end) {
    if (!Current(partition, w.generation)) return absl::CancelledError("overtaken");
    storage::ReadOptions ro;
    ro.max_offset = Offset(end);
    ro.max_bytes = options_.read_chunk_bytes;
    ro.min_one = true;
    absl::StatusOr<storage::ReadResult> r = log->Read(Offset(offset), ro);
    if (!r.ok()) return r.status();
    if (r->region.empty()) break;
    absl::StatusOr<std::string> bytes = r->region.ReadAll();
    if (!bytes.ok()) return bytes.status();
    records.clear();
    absl::StatusOr<int64_t> next = decoder_.DecodeBatches(*bytes, &records);
    if (!next.ok()) return next.status();
    RETURN_IF_ERROR(coordinator_->LoadRecords(partition, w.epoch, records));
    records_loaded += static_cast<int64_t>(records.size());
    if (*next <= offset) {
      return absl::DataLossError(absl::StrCat("no progress reading at offset ", offset));
    }
    offset = *next;
  }
  LOG(INFO) << PartitionName(partition) << ": read " << records_loaded
            << " records up to offset " << end << " at leader epoch " << w.epoch;
  absl::MutexLock l(&mu_);
  stats_.records_loaded += records_loaded;
  return end;
}

void OffsetsLoader::WaitForHighWatermark(int32_t partition, const Wanted& w, int64_t end) {
  const std::shared_ptr<Partition>& p = w.replica;
  if (p->high_watermark().value() >= end) {
    SetWaiting(partition, false);
    coordinator_->CompleteLoad(partition, w.epoch);
    absl::MutexLock l(&mu_);
    ++stats_.loads_completed;
    return;
  }
  SetWaiting(partition, true);
  // A leader whose own log end is not yet durable gets it synced (the HW
  // counts only durable data when sync_before_ack is on).
  replicas_->OnLeaderAppend(p, Offset(end));
  std::shared_ptr<Executor> executor = executor_;
  const uint64_t generation = w.generation;
  auto op = std::make_shared<DelayedLoadCompletion>(
      io_, p, LeaderEpoch(w.epoch), end, [this, executor, partition, generation, end] {
        executor->Submit([this, partition, generation, end] { Finish(partition, generation, end); });
      });
  replicas_->produce_purgatory().TryCompleteElseWatch(op, {ReplicaManager::KeyOf(*p)},
                                                      options_.high_watermark_recheck, *io_);
}

void OffsetsLoader::Finish(int32_t partition, uint64_t generation, int64_t end) {
  Wanted w;
  if (!Current(partition, generation, &w)) return;  // a newer task follows
  if (!w.replica->is_leader() || w.replica->leader_epoch().value() != w.epoch) {
    SetWaiting(partition, false);
    return;  // the change that moved it is on its way
  }
  WaitForHighWatermark(partition, w, end);
}

}  // namespace gregor::broker::group
