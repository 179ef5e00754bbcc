#include "controller/service/controller_service.h"

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace gregor::controller {

using controllerpb::MetadataUpdate;
using metadata::MetadataBatch;

ControllerServiceImpl::ControllerServiceImpl(QuorumController* quorum, MetadataLog* log,
                                             ControllerServiceOptions options)
    : quorum_(quorum), log_(log), options_(options) {}

// Each operation copies its request into the closure: the closure may run
// after a timed-out handler has returned.
#define GREGOR_CONTROLLER_OP(Name, Barrier, Body)                                          \
  grpc::Status ControllerServiceImpl::Name(grpc::ServerContext*,                           \
                                           const controllerpb::Name##Request* request,      \
                                           controllerpb::Name##Response* response) {        \
    auto result = quorum_->Call<controllerpb::Name##Response>(                               \
        Barrier, [req = *request](Controller& c, TimePoint now) { return Body; });         \
    *response = std::move(result.first);                                                    \
    return grpc::Status::OK;                                                                \
  }

GREGOR_CONTROLLER_OP(BrokerHeartbeat, false, c.BrokerHeartbeat(req, now))
GREGOR_CONTROLLER_OP(CreateTopics, false, c.CreateTopics(req))
GREGOR_CONTROLLER_OP(DeleteTopics, false, c.DeleteTopics(req))
GREGOR_CONTROLLER_OP(CreatePartitions, false, c.CreatePartitions(req))
GREGOR_CONTROLLER_OP(AlterConfigs, false, c.AlterConfigs(req))
GREGOR_CONTROLLER_OP(AlterPartition, false, c.AlterPartition(req))
GREGOR_CONTROLLER_OP(ElectLeaders, false, c.ElectLeaders(req))
GREGOR_CONTROLLER_OP(AlterPartitionReassignments, false, c.AlterPartitionReassignments(req))
GREGOR_CONTROLLER_OP(AllocateProducerIds, false, c.AllocateProducerIds(req))
GREGOR_CONTROLLER_OP(ListPartitionReassignments, false,
                     (ControllerResult<controllerpb::ListPartitionReassignmentsResponse>{
                         {}, c.ListPartitionReassignments(req)}))

#undef GREGOR_CONTROLLER_OP

grpc::Status ControllerServiceImpl::RegisterBroker(grpc::ServerContext*,
                                                   const controllerpb::RegisterBrokerRequest* request,
                                                   controllerpb::RegisterBrokerResponse* response) {
  // A barrier: the epoch is the offset at which the record commits.
  auto [r, offset] = quorum_->Call<controllerpb::RegisterBrokerResponse>(
      true, [req = *request](Controller& c, TimePoint now) { return c.RegisterBroker(req, now); });
  if (r.error().code() == 0 && r.broker_epoch() == -1) r.set_broker_epoch(offset);
  *response = std::move(r);
  return grpc::Status::OK;
}

grpc::Status ControllerServiceImpl::DescribeQuorum(grpc::ServerContext*,
                                                   const controllerpb::DescribeQuorumRequest*,
                                                   controllerpb::DescribeQuorumResponse* response) {
  const NodeStatus st = log_->Status();
  *response->mutable_leader() = quorum_->LeaderHint();
  response->set_term(st.term.value());
  response->set_commit_index(st.commit_index.value());
  if (st.role != raft_driver::Role::kLeader) {
    MakeError(KafkaError::kNotController, "DescribeQuorum is answered by the leader.")
        .ToProto(response->mutable_error());
    return grpc::Status::OK;
  }
  ApiError::None().ToProto(response->mutable_error());
  const auto& addresses = quorum_->options().voter_addresses;
  auto address = [&](NodeId id) {
    auto it = addresses.find(id);
    return it == addresses.end() ? std::string() : it->second;
  };
  controllerpb::VoterState* self = response->add_voters();
  self->set_node_id(st.id.value());
  self->set_address(address(st.id));
  self->set_log_end_index(st.last_index.value());
  self->set_match_index(st.last_index.value());
  self->set_last_contact_ms_ago(0);
  for (const auto& p : st.peers) {
    controllerpb::VoterState* v = response->add_voters();
    v->set_node_id(p.id.value());
    v->set_address(address(p.id));
    v->set_log_end_index(p.match_index.value());
    v->set_match_index(p.match_index.value());
    v->set_last_contact_ms_ago(p.last_contact_ago ? p.last_contact_ago->count() : -1);
  }
  return grpc::Status::OK;
}

absl::StatusOr<int64_t> ControllerServiceImpl::SendSnapshot(
    grpc::ServerWriter<MetadataUpdate>* writer) {
  absl::StatusOr<StoredSnapshot> snap = log_->LatestSnapshot();
  if (!snap.ok()) return snap.status();
  MetadataBatch batch;
  if (!batch.ParseFromString(snap->data)) {
    return absl::DataLossError(absl::StrCat("the snapshot at ", snap->index.value(), " does not parse"));
  }
  const int64_t offset = static_cast<int64_t>(snap->index.value());
  int next = 0;
  do {
    MetadataUpdate update;
    update.set_is_snapshot(true);
    update.set_snapshot_offset(offset);
    for (int n = 0; next < batch.records_size() && n < options_.max_snapshot_records_per_update; ++n) {
      controllerpb::MetadataRecordAt* r = update.add_records();
      r->set_offset(offset);
      *r->mutable_record() = std::move(*batch.mutable_records(next++));
    }
    const bool last = next >= batch.records_size();
    update.set_snapshot_last(last);
    update.set_high_watermark(last ? offset : 0);
    *update.mutable_leader() = quorum_->LeaderHint();
    if (!writer->Write(update)) return absl::CancelledError("the watcher went away");
  } while (next < batch.records_size());
  return offset + 1;
}

grpc::Status ControllerServiceImpl::WatchMetadata(grpc::ServerContext* context,
                                                  const controllerpb::WatchMetadataRequest* request,
                                                  grpc::ServerWriter<MetadataUpdate>* writer) {
  if (watchers_.fetch_add(1) >= options_.max_watchers) {
    watchers_.fetch_sub(1);
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "too many WatchMetadata streams");
  }
  struct Release {
    std::atomic<int>* n;
    ~Release() { n->fetch_sub(1); }
  } release{&watchers_};
  int64_t from = std::max<int64_t>(request->from_offset(), 1);
  auto last_sent = std::chrono::steady_clock::now();
  while (!context->IsCancelled() && !stopping_) {
    auto entries = log_->ReadCommitted(LogIndex(static_cast<uint64_t>(from)), options_.max_update_bytes);
    if (!entries.ok() && entries.status().code() == absl::StatusCode::kOutOfRange) {
      absl::StatusOr<int64_t> next = SendSnapshot(writer);
      if (!next.ok()) {
        if (next.status().code() == absl::StatusCode::kCancelled) return grpc::Status::OK;
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(next.status().message()));
      }
      from = *next;
      last_sent = std::chrono::steady_clock::now();
      continue;
    }
    if (!entries.ok()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(entries.status().message()));
    }
    if (entries->empty()) {
      if (std::chrono::steady_clock::now() - last_sent >= options_.watch_keepalive) {
        MetadataUpdate keepalive;
        keepalive.set_high_watermark(from - 1);
        *keepalive.mutable_leader() = quorum_->LeaderHint();
        if (!writer->Write(keepalive)) return grpc::Status::OK;
        last_sent = std::chrono::steady_clock::now();
      }
      quorum_->WaitForApplied(metadata::MetadataOffset(from - 1), std::chrono::milliseconds(200));
      continue;
    }
    MetadataUpdate update;
    for (const CommittedEntry& e : *entries) {
      from = static_cast<int64_t>(e.index.value()) + 1;
      if (e.is_noop || e.data.empty()) continue;
      MetadataBatch batch;
      if (!batch.ParseFromString(e.data)) {
        LOG(ERROR) << "Metadata entry " << e.index << " does not parse; not streaming it";
        continue;
      }
      for (auto& rec : *batch.mutable_records()) {
        controllerpb::MetadataRecordAt* r = update.add_records();
        r->set_offset(static_cast<int64_t>(e.index.value()));
        *r->mutable_record() = std::move(rec);
      }
    }
    update.set_high_watermark(from - 1);
    *update.mutable_leader() = quorum_->LeaderHint();
    if (!writer->Write(update)) return grpc::Status::OK;
    last_sent = std::chrono::steady_clock::now();
  }
  return grpc::Status::OK;
}

}  // namespace gregor::controller
