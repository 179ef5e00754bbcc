#include "broker/group/group_coordinator.h"

#include <deque>
#include <map>
#include <utility>

#include "broker/group/partitioner.h"
#include "common/status.h"
#include "glog/logging.h"

namespace gregor::broker::group {

GroupCoordinator::GroupCoordinator(GroupCoordinatorOptions options, Clock* clock,
                                   CoordinatorTimer* timer, CoordinatorLog* log,
                                   const RecordBatchEncoder* encoder)
    : options_(std::move(options)), clock_(clock), timer_(timer), log_(log), encoder_(encoder) {
  CHECK_GT(options_.offsets_topic_num_partitions, 0);
}

GroupCoordinator::~GroupCoordinator() {
  std::vector<std::shared_ptr<Shard>> shards;
  {
    absl::MutexLock l(&shards_mu_);
    for (auto& [p, s] : shards_) shards.push_back(s);
    shards_.clear();
  }
  Deliveries d;
  for (auto& s : shards) UnloadShard(s, &d);
  Deliver(d);
}

int32_t GroupCoordinator::PartitionFor(std::string_view group_id) const {
  return PartitionForGroup(group_id, options_.offsets_topic_num_partitions);
}

Now GroupCoordinator::CurrentTime() const { return Now{clock_->Now(), clock_->WallMillis()}; }

std::shared_ptr<GroupCoordinator::Shard> GroupCoordinator::FindShard(int32_t partition) const {
  absl::MutexLock l(&shards_mu_);
  auto it = shards_.find(partition);
  return it == shards_.end() ? nullptr : it->second;
}

void GroupCoordinator::Deliver(Deliveries& deliveries) {
  for (auto& [fn, response] : deliveries) fn(std::move(response));
  deliveries.clear();
}

// ---- leadership ----

void GroupCoordinator::BeginLoad(int32_t partition, int32_t leader_epoch) {
  std::shared_ptr<Shard> old;
  {
    absl::MutexLock l(&shards_mu_);
    auto it = shards_.find(partition);
    if (it != shards_.end()) {
      if (it->second->epoch >= leader_epoch) {
        LOG(INFO) << "__consumer_offsets-" << partition << " already loaded at epoch "
                  << it->second->epoch << " (asked " << leader_epoch << ")";
        return;
      }
      old = it->second;
    }
    uint64_t seed = options_.random_seed ^ (static_cast<uint64_t>(partition) << 32) ^
                    static_cast<uint32_t>(leader_epoch);
    shards_[partition] = std::make_shared<Shard>(
        partition, leader_epoch,
        std::make_unique<GroupCoordinatorState>(partition, options_.coordinator, seed));
  }
  LOG(INFO) << "__consumer_offsets-" << partition << ": loading at leader epoch " << leader_epoch;
  if (old) {
    Deliveries d;
    UnloadShard(old, &d);
    Deliver(d);
  }
}

absl::Status GroupCoordinator::LoadRecords(int32_t partition, int32_t leader_epoch,
                                           const std::vector<CoordinatorRecord>& records) {
  std::shared_ptr<Shard> shard = FindShard(partition);
  if (shard == nullptr || shard->epoch != leader_epoch) {
    return absl::FailedPreconditionError("partition is not loading at this epoch");
  }
  absl::MutexLock l(&shard->mu);
  if (shard->phase != Shard::Phase::kLoading) {
    return absl::FailedPreconditionError("partition is not loading");
  }
  const int64_t now_ms = clock_->WallMillis();
  for (const CoordinatorRecord& r : records) RETURN_IF_ERROR(shard->state->Replay(r, now_ms));
  return absl::OkStatus();
}

void GroupCoordinator::CompleteLoad(int32_t partition, int32_t leader_epoch) {
  std::shared_ptr<Shard> shard = FindShard(partition);
  if (shard == nullptr || shard->epoch != leader_epoch) return;
  Deliveries d;
  {
    absl::MutexLock l(&shard->mu);
    if (shard->phase != Shard::Phase::kLoading) return;
    Output out;
    shard->state->OnLoaded(CurrentTime(), &out);
    shard->phase = Shard::Phase::kActive;
    ProcessOutputLocked(shard, out, &d);
  }
  Deliver(d);
  DrainOutbox(shard);
}

void GroupCoordinator::Unload(int32_t partition, int32_t leader_epoch) {
  std::shared_ptr<Shard> shard;
  {
    absl::MutexLock l(&shards_mu_);
    auto it = shards_.find(partition);
    if (it == shards_.end() || it->second->epoch > leader_epoch) return;
    shard = it->second;
    shards_.erase(it);
  }
  LOG(INFO) << "__consumer_offsets-" << partition << ": unloading (epoch " << shard->epoch << ")";
  Deliveries d;
  UnloadShard(shard, &d);
  Deliver(d);
}

bool GroupCoordinator::IsActive(int32_t partition) const {
  std::shared_ptr<Shard> shard = FindShard(partition);
  if (shard == nullptr) return false;
  absl::MutexLock l(&shard->mu);
  return shard->phase == Shard::Phase::kActive;
}

void GroupCoordinator::UnloadShard(const std::shared_ptr<Shard>& shard, Deliveries* deliveries) {
  absl::MutexLock l(&shard->mu);
  if (shard->phase == Shard::Phase::kUnloaded) return;
  Output out;
  if (shard->phase == Shard::Phase::kActive) shard->state->OnUnloaded(&out);
  shard->phase = Shard::Phase::kUnloaded;
  for (Reply& r : out.replies) {
    auto it = shard->calls.find(r.request_id);
    if (it == shard->calls.end()) continue;
    deliveries->emplace_back(std::move(it->second.deliver), std::move(r.response));
    shard->calls.erase(it);
  }
  // Anything still waiting (there should be nothing) is not ours any more.
  for (auto& [id, call] : shard->calls) {
    deliveries->emplace_back(std::move(call.deliver), call.make_error(ErrorCode::kNotCoordinator));
  }
  shard->calls.clear();
  shard->outbox.clear();
  if (shard->armed_deadline) timer_->Cancel(shard->timer_handle);
  shard->armed_deadline.reset();
  ++shard->arming;
  shard->state.reset();
}

// ---- plumbing ----

void GroupCoordinator::ProcessOutputLocked(const std::shared_ptr<Shard>& shard, Output& out,
                                           Deliveries* deliveries) {
  for (Reply& r : out.replies) {
    auto it = shard->calls.find(r.request_id);
    if (it == shard->calls.end()) {
      LOG(ERROR) << "__consumer_offsets-" << shard->partition << ": reply to unknown request "
                 << r.request_id;
      continue;
    }
    deliveries->emplace_back(std::move(it->second.deliver), std::move(r.response));
    shard->calls.erase(it);
  }
  for (AppendRequest& a : out.appends) shard->outbox.push_back(std::move(a));
  // Ask the state itself rather than trust every output to carry it.
  RearmTimerLocked(shard, shard->state ? shard->state->timers().NextDeadline() : std::nullopt);
}

void GroupCoordinator::RearmTimerLocked(const std::shared_ptr<Shard>& shard,
                                        std::optional<MonoTime> deadline) {
  if (deadline == shard->armed_deadline) return;
  if (shard->armed_deadline) timer_->Cancel(shard->timer_handle);
  shard->armed_deadline = deadline;
  uint64_t arming = ++shard->arming;
  if (!deadline) return;
  std::weak_ptr<Shard> weak = shard;
  shard->timer_handle = timer_->Schedule(*deadline, [this, weak, arming] {
    if (weak.expired()) return;  // unloaded and gone
    OnTimer(weak, arming);
  });
}

void GroupCoordinator::OnTimer(const std::weak_ptr<Shard>& weak, uint64_t arming) {
  std::shared_ptr<Shard> shard = weak.lock();
  if (shard == nullptr) return;
  Deliveries d;
  {
    absl::MutexLock l(&shard->mu);
    if (shard->phase != Shard::Phase::kActive || arming != shard->arming) return;
    shard->armed_deadline.reset();
    Output out;
    shard->state->Tick(CurrentTime(), &out);
    ProcessOutputLocked(shard, out, &d);
  }
  Deliver(d);
  DrainOutbox(shard);
}

void GroupCoordinator::DrainOutbox(const std::shared_ptr<Shard>& shard) {
  std::weak_ptr<Shard> weak = shard;
  while (true) {
    AppendRequest append;
    {
      absl::MutexLock l(&shard->mu);
      if (shard->draining || shard->outbox.empty() || shard->phase != Shard::Phase::kActive) return;
      shard->draining = true;
      append = std::move(shard->outbox.front());
      shard->outbox.pop_front();
    }
    absl::StatusOr<std::string> batch = encoder_->Encode(append.records, clock_->WallMillis());
    if (!batch.ok()) {
      LOG(ERROR) << "__consumer_offsets-" << shard->partition << ": cannot encode a batch: "
                 << batch.status();
      OnAppendDone(weak, append.id, batch.status());
    } else {
      AppendId id = append.id;
      log_->Append(shard->partition, shard->epoch, *std::move(batch),
                   [this, weak, id](absl::Status status) {
        if (weak.expired()) return;  // unloaded and gone
        OnAppendDone(weak, id, std::move(status));
      });
    }
    absl::MutexLock l(&shard->mu);
    shard->draining = false;
  }
}

void GroupCoordinator::OnAppendDone(const std::weak_ptr<Shard>& weak, AppendId id,
                                    absl::Status status) {
  std::shared_ptr<Shard> shard = weak.lock();
  if (shard == nullptr) return;
  Deliveries d;
  {
    absl::MutexLock l(&shard->mu);
    if (shard->phase != Shard::Phase::kActive) return;  // unloaded: already answered
    Output out;
    shard->state->OnAppendDone(id, status, CurrentTime(), &out);
    ProcessOutputLocked(shard, out, &d);
  }
  Deliver(d);
  DrainOutbox(shard);
}

void GroupCoordinator::Dispatch(
    int32_t partition, std::function<void(Response)> deliver,
    std::function<Response(ErrorCode)> make_error,
    const std::function<void(GroupCoordinatorState&, RequestId, Now, Output*)>& call,
    ErrorCode error_while_loading) {
  std::shared_ptr<Shard> shard = FindShard(partition);
  if (shard == nullptr) {
    deliver(make_error(ErrorCode::kNotCoordinator));
    return;
  }
  Deliveries d;
  std::optional<ErrorCode> refused;
  {
    absl::MutexLock l(&shard->mu);
    if (shard->phase == Shard::Phase::kLoading) {
      refused = error_while_loading;
    } else if (shard->phase == Shard::Phase::kUnloaded) {
      refused = ErrorCode::kNotCoordinator;
    } else {
      RequestId id = shard->next_request_id++;
      shard->calls.emplace(id, PendingCall{std::move(deliver), make_error});
      Output out;
      call(*shard->state, id, CurrentTime(), &out);
      ProcessOutputLocked(shard, out, &d);
    }
  }
  if (refused) {
    deliver(make_error(*refused));
    return;
  }
  Deliver(d);
  DrainOutbox(shard);
}

// ---- APIs ----

namespace {

template <typename T>
std::function<void(Response)> Unwrap(GroupCoordinator::Callback<T> done) {
  return [done = std::move(done)](Response r) { done(std::get<T>(std::move(r))); };
}

// The answer to a request whose items (groups) live on several partitions:
// each partition's part fills its items' slots; the last part to arrive
// hands the whole list, in request order, to `done`. Thread-safe.
template <typename Result>
class Gather {
 public:
  Gather(std::vector<Result> results, size_t parts,
         std::function<void(std::vector<Result>)> done)
      : results_(std::move(results)), remaining_(parts), done_(std::move(done)) {}

  // `part[k]` answers the item at `indexes[k]`.
  void Deliver(const std::vector<size_t>& indexes, std::vector<Result> part) {
    std::optional<std::vector<Result>> complete;
    {
      absl::MutexLock l(&mu_);
      for (size_t k = 0; k < indexes.size() && k < part.size(); ++k) {
        results_[indexes[k]] = std::move(part[k]);
      }
      if (--remaining_ == 0) complete = std::move(results_);
    }
    if (complete) done_(*std::move(complete));
  }

 private:
  absl::Mutex mu_;
  std::vector<Result> results_ ABSL_GUARDED_BY(mu_);
  size_t remaining_ ABSL_GUARDED_BY(mu_);
  const std::function<void(std::vector<Result>)> done_;
};

}  // namespace

void GroupCoordinator::JoinGroup(const RequestContext& ctx, const JoinGroupRequest& req,
                                 Callback<JoinGroupResponse> done) {
  auto make_error = [member_id = req.member_id](ErrorCode e) {
    JoinGroupResponse r;
    r.error = e;
    r.member_id = member_id;
    return Response(std::move(r));
  };
  // Checked before routing, as Kafka's GroupCoordinatorService does.
  if (req.group_id.empty()) return done(std::get<JoinGroupResponse>(make_error(ErrorCode::kInvalidGroupId)));
  const CoordinatorOptions& o = options_.coordinator;
  if (req.session_timeout_ms < o.group_min_session_timeout_ms ||
      req.session_timeout_ms > o.group_max_session_timeout_ms) {
    return done(std::get<JoinGroupResponse>(make_error(ErrorCode::kInvalidSessionTimeout)));
  }
  Dispatch(PartitionFor(req.group_id), Unwrap(std::move(done)), make_error,
           [&](GroupCoordinatorState& s, RequestId id, Now now, Output* out) {
             s.JoinGroup(id, ctx, req, now, out);
           });
}

void GroupCoordinator::SyncGroup(const RequestContext& ctx, const SyncGroupRequest& req,
                                 Callback<SyncGroupResponse> done) {
  auto make_error = [](ErrorCode e) { return Response(SyncGroupResponse{e, {}, {}, {}}); };
  if (req.group_id.empty()) return done(SyncGroupResponse{ErrorCode::kInvalidGroupId, {}, {}, {}});
  Dispatch(PartitionFor(req.group_id), Unwrap(std::move(done)), make_error,
           [&](GroupCoordinatorState& s, RequestId id, Now now, Output* out) {
             s.SyncGroup(id, ctx, req, now, out);
           });
}

void GroupCoordinator::Heartbeat(const RequestContext& ctx, const HeartbeatRequest& req,
                                 Callback<HeartbeatResponse> done) {
  auto make_error = [](ErrorCode e) { return Response(HeartbeatResponse{e}); };
  if (req.group_id.empty()) return done(HeartbeatResponse{ErrorCode::kInvalidGroupId});
  // While loading Kafka answers heartbeats with NONE.
  Dispatch(
      PartitionFor(req.group_id), Unwrap(std::move(done)), make_error,
      [&](GroupCoordinatorState& s, RequestId id, Now now, Output* out) {
        s.Heartbeat(id, ctx, req, now, out);
      },
      ErrorCode::kNone);
}

void GroupCoordinator::LeaveGroup(const RequestContext& ctx, const LeaveGroupRequest& req,
                                  Callback<LeaveGroupResponse> done) {
  auto make_error = [](ErrorCode e) { return Response(LeaveGroupResponse{e, {}}); };
  if (req.group_id.empty()) return done(LeaveGroupResponse{ErrorCode::kInvalidGroupId, {}});
  Dispatch(PartitionFor(req.group_id), Unwrap(std::move(done)), make_error,
           [&](GroupCoordinatorState& s, RequestId id, Now now, Output* out) {
             s.LeaveGroup(id, ctx, req, now, out);
           });
}

void GroupCoordinator::OffsetCommit(const RequestContext& ctx, const OffsetCommitRequest& req,
                                    Callback<OffsetCommitResponse> done) {
  auto make_error = [req](ErrorCode e) { return Response(MakeOffsetCommitErrorResponse(req, e)); };
  // As Kafka's GroupCoordinatorService: refused before routing.
  if (req.group_id.empty()) return done(MakeOffsetCommitErrorResponse(req, ErrorCode::kInvalidGroupId));
  Dispatch(PartitionFor(req.group_id), Unwrap(std::move(done)), make_error,
           [&](GroupCoordinatorState& s, RequestId id, Now now, Output* out) {
             s.OffsetCommit(id, ctx, req, now, out);
           });
}

void GroupCoordinator::OffsetDelete(const RequestContext& ctx, const OffsetDeleteRequest& req,
                                    Callback<OffsetDeleteResponse> done) {
  (void)ctx;
  auto make_error = [](ErrorCode e) { return Response(OffsetDeleteResponse{e, {}}); };
  if (req.group_id.empty()) return done(OffsetDeleteResponse{ErrorCode::kInvalidGroupId, {}});
  Dispatch(PartitionFor(req.group_id), Unwrap(std::move(done)), make_error,
           [&](GroupCoordinatorState& s, RequestId id, Now now, Output* out) {
             s.OffsetDelete(id, req, now, out);
           });
}

void GroupCoordinator::OffsetFetch(const RequestContext& ctx, const OffsetFetchRequest& req,
                                   Callback<OffsetFetchResponse> done) {
  (void)ctx;
  // Split by partition, answer in request order once every part is back.
  // Empty group ids are refused before routing, as Kafka does.
  std::vector<OffsetFetchResponseGroup> groups(req.groups.size());
  std::map<int32_t, std::vector<size_t>> by_partition;
  for (size_t i = 0; i < req.groups.size(); ++i) {
    if (req.groups[i].group_id.empty()) {
      groups[i].error = ErrorCode::kInvalidGroupId;
      continue;
    }
    by_partition[PartitionFor(req.groups[i].group_id)].push_back(i);
  }
  if (by_partition.empty()) return done(OffsetFetchResponse{std::move(groups)});
  auto gather = std::make_shared<Gather<OffsetFetchResponseGroup>>(
      std::move(groups), by_partition.size(),
      [done = std::move(done)](std::vector<OffsetFetchResponseGroup> all) {
        done(OffsetFetchResponse{std::move(all)});
      });
  for (const auto& entry : by_partition) {
    const int32_t partition = entry.first;
    const std::vector<size_t>& indexes = entry.second;
    OffsetFetchRequest sub;
    sub.require_stable = req.require_stable;
    for (size_t i : indexes) sub.groups.push_back(req.groups[i]);
    auto deliver = [gather, indexes](Response r) {
      gather->Deliver(indexes, std::get<OffsetFetchResponse>(std::move(r)).groups);
    };
    auto make_error = [sub](ErrorCode e) {
      OffsetFetchResponse r;
      for (const OffsetFetchRequestGroup& g : sub.groups) {
        OffsetFetchResponseGroup rg;
        rg.group_id = g.group_id;
        rg.error = e;
        r.groups.push_back(std::move(rg));
      }
      return Response(std::move(r));
    };
    Dispatch(partition, deliver, make_error,
             [&sub](GroupCoordinatorState& s, RequestId id, Now now, Output* out) {
               s.OffsetFetch(id, sub, now, out);
             });
  }
}

void GroupCoordinator::DeleteGroups(const RequestContext& ctx, const DeleteGroupsRequest& req,
                                    Callback<DeleteGroupsResponse> done) {
  (void)ctx;
  // Empty group ids are refused before routing, as Kafka does.
  std::vector<DeletableGroupResult> results(req.groups.size());
  std::map<int32_t, std::vector<size_t>> by_partition;
  for (size_t i = 0; i < req.groups.size(); ++i) {
    if (req.groups[i].empty()) {
      results[i].error = ErrorCode::kInvalidGroupId;
      continue;
    }
    by_partition[PartitionFor(req.groups[i])].push_back(i);
  }
  if (by_partition.empty()) return done(DeleteGroupsResponse{std::move(results)});
  auto gather = std::make_shared<Gather<DeletableGroupResult>>(
      std::move(results), by_partition.size(),
      [done = std::move(done)](std::vector<DeletableGroupResult> all) {
        done(DeleteGroupsResponse{std::move(all)});
      });
  for (const auto& entry : by_partition) {
    const int32_t partition = entry.first;
    const std::vector<size_t>& indexes = entry.second;
    std::vector<std::string> ids;
    for (size_t i : indexes) ids.push_back(req.groups[i]);
    auto deliver = [gather, indexes](Response r) {
      gather->Deliver(indexes, std::get<DeleteGroupsResponse>(std::move(r)).results);
    };
    auto make_error = [ids](ErrorCode e) {
      DeleteGroupsResponse r;
      for (const std::string& g : ids) r.results.push_back({g, e});
      return Response(std::move(r));
    };
    Dispatch(partition, deliver, make_error,
             [&ids](GroupCoordinatorState& s, RequestId id, Now now, Output* out) {
               s.DeleteGroups(id, ids, now, out);
             });
  }
}

DescribeGroupsResponse GroupCoordinator::DescribeGroups(const RequestContext& ctx,
                                                        const DescribeGroupsRequest& req) {
  DescribeGroupsResponse response;
  for (const std::string& gid : req.groups) {
    DescribedGroup error_group;
    error_group.group_id = gid;
    std::shared_ptr<Shard> shard = FindShard(PartitionFor(gid));
    if (shard == nullptr) {
      error_group.error = ErrorCode::kNotCoordinator;
      response.groups.push_back(std::move(error_group));
      continue;
    }
    absl::MutexLock l(&shard->mu);
    if (shard->phase != Shard::Phase::kActive) {
      error_group.error = shard->phase == Shard::Phase::kLoading
                              ? ErrorCode::kCoordinatorLoadInProgress
                              : ErrorCode::kNotCoordinator;
      response.groups.push_back(std::move(error_group));
      continue;
    }
    std::vector<DescribedGroup> d = shard->state->DescribeGroups(ctx, {gid});
    response.groups.push_back(std::move(d.at(0)));
  }
  return response;
}

ListGroupsResponse GroupCoordinator::ListGroups(const RequestContext& ctx,
                                                const ListGroupsRequest& req) {
  (void)ctx;
  std::vector<std::shared_ptr<Shard>> shards;
  {
    absl::MutexLock l(&shards_mu_);
    for (const auto& [p, s] : shards_) shards.push_back(s);
  }
  ListGroupsResponse response;
  for (const auto& shard : shards) {
    absl::MutexLock l(&shard->mu);
    if (shard->phase == Shard::Phase::kLoading) {
      // As Kafka: one loading partition fails the whole listing.
      return ListGroupsResponse{ErrorCode::kCoordinatorLoadInProgress, {}};
    }
    if (shard->phase != Shard::Phase::kActive) continue;
    std::vector<ListedGroup> groups = shard->state->ListGroups(req);
    response.groups.insert(response.groups.end(), std::make_move_iterator(groups.begin()),
                           std::make_move_iterator(groups.end()));
  }
  return response;
}

ConsumerGroupDescribeResponse GroupCoordinator::ConsumerGroupDescribe(
    const RequestContext& ctx, const ConsumerGroupDescribeRequest& req) {
  (void)ctx;
  ConsumerGroupDescribeResponse response;
  for (const std::string& gid : req.group_ids) {
    ConsumerGroupDescribedGroup error_group;
    error_group.group_id = gid;
    if (gid.empty()) {
      error_group.error = ErrorCode::kInvalidGroupId;
      response.groups.push_back(std::move(error_group));
      continue;
    }
    std::shared_ptr<Shard> shard = FindShard(PartitionFor(gid));
    if (shard == nullptr) {
      error_group.error = ErrorCode::kNotCoordinator;
      response.groups.push_back(std::move(error_group));
      continue;
    }
    absl::MutexLock l(&shard->mu);
    if (shard->phase != Shard::Phase::kActive) {
      error_group.error = shard->phase == Shard::Phase::kLoading
                              ? ErrorCode::kCoordinatorLoadInProgress
                              : ErrorCode::kNotCoordinator;
      response.groups.push_back(std::move(error_group));
      continue;
    }
    response.groups.push_back(std::move(shard->state->ConsumerGroupDescribe({gid}).at(0)));
  }
  return response;
}

}  // namespace gregor::broker::group
