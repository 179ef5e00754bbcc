#include "broker/replica/replica_service.h"

#include <algorithm>

#include "absl/synchronization/notification.h"
#include "glog/logging.h"
#include "proto/kafka/errors.h"

namespace gregor::broker {
namespace {

constexpr int16_t kInvalidRequest = kafka::ToWire(kafka::ErrorCode::kInvalidRequest);

Uuid FromProto(const metadata::Uuid& u) { return Uuid(u.hi(), u.lo()); }

}  // namespace

// A follower fetch waiting for something new on one of its partitions.
class ReplicaServiceImpl::ParkedFetch : public DelayedOperation {
 public:
  struct Watch {
    std::shared_ptr<Partition> partition;
    Offset fetch_offset;
    Offset hw_sent;
    LeaderEpoch leader_epoch;
  };
  explicit ParkedFetch(std::vector<Watch> watches) : watches_(std::move(watches)) {}

  bool TryComplete() override {
    for (const Watch& w : watches_) {
      if (w.partition->HasNewsForFollower(w.fetch_offset, w.hw_sent, w.leader_epoch)) {
        return ForceComplete();
      }
    }
    return false;
  }
  void Wait() { done_.WaitForNotification(); }

 protected:
  void OnComplete() override { done_.Notify(); }

 private:
  const std::vector<Watch> watches_;
  absl::Notification done_;
};

ReplicaServiceImpl::ReplicaServiceImpl(ReplicaManager* replicas, asio::io_context* timer_loop,
                                       ReplicaServiceOptions options, metrics::Registry* metrics)
    : replicas_(replicas), timer_loop_(timer_loop), options_(options), metrics_(metrics) {
  if (metrics_ == nullptr) return;
  requests_ = metrics_->GetCounter("gregor_replica_service_fetch_requests_total",
                                   "Follower fetch requests answered by this leader.");
  parked_total_ = metrics_->GetCounter("gregor_replica_service_fetch_parked_total",
                                       "Follower fetches that waited for new data.");
  bytes_out_ = metrics_->GetCounter("gregor_replica_service_bytes_out_total",
                                    "Record bytes sent to followers.");
  metrics_collector_ = metrics_->AddCollector([this](metrics::SampleWriter& w) {
    w.Family("gregor_replica_service_streams", "Open follower Fetch streams.", "gauge");
    w.Sample("gregor_replica_service_streams", {}, static_cast<double>(streams_.load()));
  });
}

ReplicaServiceImpl::~ReplicaServiceImpl() {
  if (metrics_ != nullptr && metrics_collector_ >= 0) metrics_->RemoveCollector(metrics_collector_);
}

bool ReplicaServiceImpl::shutting_down() const {
  absl::MutexLock l(&mu_);
  return shutting_down_;
}

void ReplicaServiceImpl::Shutdown() {
  absl::flat_hash_set<std::shared_ptr<ParkedFetch>> parked;
  {
    absl::MutexLock l(&mu_);
    shutting_down_ = true;
    parked.swap(parked_);
  }
  for (const auto& op : parked) op->ForceComplete();
}

grpc::Status ReplicaServiceImpl::Fetch(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<replicapb::FetchResponse, replicapb::FetchRequest>* stream) {
  if (streams_.fetch_add(1) >= options_.max_streams) {
    streams_.fetch_sub(1);
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "too many replica fetch streams");
  }
  struct Release {
    std::atomic<int>* n;
    ~Release() { n->fetch_sub(1); }
  } release{&streams_};
  StreamState state;
  replicapb::FetchRequest request;
  while (!context->IsCancelled() && !shutting_down() && stream->Read(&request)) {
    replicapb::FetchResponse response;
    Serve(request, &state, &response);
    if (!stream->Write(response)) break;
  }
  if (shutting_down()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "broker shutting down");
  return grpc::Status::OK;
}

void ReplicaServiceImpl::Serve(const replicapb::FetchRequest& request, StreamState* state,
                               replicapb::FetchResponse* response) {
  if (requests_ != nullptr) requests_->Inc();
  if (request.replica_id() < 0 || request.replica_id() == options_.broker_id.value() ||
      request.partitions_size() > options_.max_partitions_per_request) {
    response->set_error_code(kInvalidRequest);
    return;
  }
  const int32_t max_wait_ms = std::clamp(request.max_wait_ms(), 0, options_.max_wait_ms_cap);
  bool news = ReadPass(request, /*update_state=*/true, *state, response);
  if (!news && max_wait_ms > 0 && !shutting_down()) {
    std::vector<ParkedFetch::Watch> watches;
    std::vector<WatchKey> keys;
    watches.reserve(request.partitions_size());
    keys.reserve(request.partitions_size());
    for (const replicapb::FetchPartition& fp : request.partitions()) {
      std::shared_ptr<Partition> p = replicas_->Get(FromProto(fp.topic_id()), fp.partition());
      if (p == nullptr) continue;  // ReadPass reported it: not reached
      auto hw = state->hw_sent.find({p->topic_id(), p->index()});
      watches.push_back({p, Offset(fp.fetch_offset()),
                         Offset(hw == state->hw_sent.end() ? -1 : hw->second),
                         LeaderEpoch(fp.current_leader_epoch())});
      keys.push_back(ReplicaManager::KeyOf(*p));
    }
    auto op = std::make_shared<ParkedFetch>(std::move(watches));
    {
      absl::MutexLock l(&mu_);
      parked_.insert(op);
    }
    if (parked_total_ != nullptr) parked_total_->Inc();
    replicas_->replica_fetch_purgatory().TryCompleteElseWatch(
        op, keys, std::chrono::milliseconds(max_wait_ms), *timer_loop_);
    if (shutting_down()) op->ForceComplete();
    op->Wait();
    {
      absl::MutexLock l(&mu_);
      parked_.erase(op);
    }
    response->Clear();
    ReadPass(request, /*update_state=*/false, *state, response);
  }
  for (const replicapb::FetchedPartition& fp : response->partitions()) {
    if (fp.error_code() == errc::kNone) {
      state->hw_sent[{FromProto(fp.topic_id()), fp.partition()}] = fp.high_watermark();
    }
  }
}

bool ReplicaServiceImpl::ReadPass(const replicapb::FetchRequest& request, bool update_state,
                                  const StreamState& state, replicapb::FetchResponse* response) {
  const int64_t max_bytes =
      std::clamp<int64_t>(request.max_bytes(), 0, options_.max_response_bytes_cap);
  int64_t total = 0;
  bool news = false;
  response->mutable_partitions()->Reserve(request.partitions_size());
  for (const replicapb::FetchPartition& fp : request.partitions()) {
    replicapb::FetchedPartition* out = response->add_partitions();
    *out->mutable_topic_id() = fp.topic_id();
    out->set_partition(fp.partition());
    const Uuid topic_id = FromProto(fp.topic_id());
    std::shared_ptr<Partition> p = replicas_->Get(topic_id, fp.partition());
    if (p == nullptr) {
      out->set_error_code(errc::kUnknownTopicOrPartition);
      news = true;
      continue;
    }
    Partition::FollowerFetch f;
    f.replica_id = BrokerId(request.replica_id());
    f.broker_epoch = request.broker_epoch();
    f.fetch_offset = Offset(fp.fetch_offset());
    f.last_fetched_epoch = LeaderEpoch(fp.last_fetched_epoch());
    f.current_leader_epoch = LeaderEpoch(fp.current_leader_epoch());
    const int64_t partition_max = fp.partition_max_bytes() > 0 ? fp.partition_max_bytes() : 1 << 20;
    f.max_bytes = static_cast<uint64_t>(std::max<int64_t>(0, std::min(partition_max,
                                                                       max_bytes - total)));
    f.min_one = total == 0;
    f.update_state = update_state;
    Partition::FollowerReadOutcome o = p->ReadForFollower(f);
    if (o.high_watermark_advanced) replicas_->NotifyPartition(*p);
    if (o.may_join_isr) replicas_->MaybeExpandIsr(p);
    out->set_error_code(o.error_code);
    out->set_high_watermark(o.high_watermark.value());
    out->set_log_start_offset(o.log_start_offset.value());
    out->set_log_end_offset(o.log_end_offset.value());
    if (o.diverging.has_value()) {
      out->mutable_diverging_epoch()->set_epoch(o.diverging->epoch.value());
      out->mutable_diverging_epoch()->set_end_offset(o.diverging->end_offset.value());
      news = true;
    }
    if (!o.region.empty()) {
      std::string* records = out->mutable_records();
      records->resize(o.region.length);
      absl::Status s = o.region.CopyTo(records->data());
      if (!s.ok()) {
        LOG(ERROR) << p->topic() << "-" << p->index() << ": reading for a follower: " << s;
        records->clear();
        out->set_error_code(StorageErrorCode(s));
      } else {
        total += static_cast<int64_t>(o.region.length);
        if (bytes_out_ != nullptr) bytes_out_->Inc(static_cast<double>(o.region.length));
      }
      news = true;
    }
    if (out->error_code() != errc::kNone) news = true;
    auto hw = state.hw_sent.find({topic_id, fp.partition()});
    if (hw == state.hw_sent.end() || o.high_watermark.value() > hw->second) news = true;
  }
  return news;
}

grpc::Status ReplicaServiceImpl::EpochEndOffset(grpc::ServerContext* context,
                                                const replicapb::EpochEndOffsetRequest* request,
                                                replicapb::EpochEndOffsetResponse* response) {
  if (request->partitions_size() > options_.max_partitions_per_request) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "too many partitions");
  }
  for (const auto& rp : request->partitions()) {
    auto* out = response->add_partitions();
    *out->mutable_topic_id() = rp.topic_id();
    out->set_partition(rp.partition());
    out->set_leader_epoch(-1);
    out->set_end_offset(-1);
    std::shared_ptr<Partition> p = replicas_->Get(FromProto(rp.topic_id()), rp.partition());
    if (p == nullptr) {
      out->set_error_code(errc::kUnknownTopicOrPartition);
      continue;
    }
    Partition::EpochEndOutcome o = p->EndOffsetForEpoch(LeaderEpoch(rp.current_leader_epoch()),
                                                        LeaderEpoch(rp.leader_epoch()));
    out->set_error_code(o.error_code);
    if (o.error_code == errc::kNone) {
      out->set_leader_epoch(o.end.epoch.value());
      out->set_end_offset(o.end.end_offset.value());
    }
  }
  return grpc::Status::OK;
}

}  // namespace gregor::broker
