// Broker registration, heartbeats (liveness, unfencing, controlled shutdown)
// and producer-id allocation.
#include <limits>

#include "absl/strings/str_cat.h"
#include "controller/controller.h"
#include "glog/logging.h"

namespace gregor::controller {

using metadata::BrokerRegistration;
using metadata::MetadataRecord;

ControllerResult<controllerpb::RegisterBrokerResponse> Controller::RegisterBroker(
    const controllerpb::RegisterBrokerRequest& request, TimePoint now) {
  ControllerResult<controllerpb::RegisterBrokerResponse> out;
  const BrokerId id(request.broker_id());
  const gregor::Uuid incarnation = metadata::UuidFromProto(request.incarnation_id());
  ApiError error;
  if (id.value() < 0) {
    error = MakeError(KafkaError::kInvalidRequest, absl::StrCat("Invalid broker id ", id.value()));
  } else if (incarnation.IsZero()) {
    error = MakeError(KafkaError::kInvalidRequest, "The incarnation id must not be zero.");
  } else if (request.endpoints_size() > 64) {
    error = MakeError(KafkaError::kInvalidRequest, "Too many listeners.");
  }
  if (!error.ok()) {
    error.ToProto(out.response.mutable_error());
    return out;
  }
  const BrokerRegistration* existing = image_->broker(id);
  if (existing != nullptr && existing->incarnation_id == incarnation) {
    // A retry (the first answer was lost): same process, same registration.
    out.response.set_broker_epoch(existing->epoch.value());
    last_contact_[id] = now;
    ApiError::None().ToProto(out.response.mutable_error());
    return out;
  }
  RecordBuilder builder(image_);
  if (existing != nullptr && !existing->fenced) {
    LOG(INFO) << "Broker " << id << " re-registered with a new incarnation "
              << incarnation.ToBase64() << "; dropping the leaderships of its old incarnation";
    RemoveBrokerFromPartitions(id, builder);
  }
  MetadataRecord rec;
  auto* r = rec.mutable_register_broker();
  r->set_broker_id(id.value());
  *r->mutable_incarnation_id() = request.incarnation_id();
  r->set_broker_epoch(0);  // = the offset of this record
  *r->mutable_endpoints() = request.endpoints();
  r->set_rack(request.rack());
  r->set_fenced(true);
  r->set_replica_address(request.replica_address());
  r->set_http_address(request.http_address());
  builder.Add(std::move(rec));
  out.records = builder.Take();
  out.response.set_broker_epoch(-1);
  ApiError::None().ToProto(out.response.mutable_error());
  last_contact_[id] = now;
  return out;
}

ControllerResult<controllerpb::BrokerHeartbeatResponse> Controller::BrokerHeartbeat(
    const controllerpb::BrokerHeartbeatRequest& request, TimePoint now) {
  ControllerResult<controllerpb::BrokerHeartbeatResponse> out;
  const BrokerId id(request.broker_id());
  const BrokerRegistration* reg = image_->broker(id);
  if (reg == nullptr) {
    MakeError(KafkaError::kBrokerIdNotRegistered,
              absl::StrCat("Broker ", id.value(), " has not registered."))
        .ToProto(out.response.mutable_error());
    return out;
  }
  if (reg->epoch.value() != request.broker_epoch()) {
    MakeError(KafkaError::kStaleBrokerEpoch,
              absl::StrCat("Expected broker epoch ", reg->epoch.value(), ", but got broker epoch ",
                           request.broker_epoch()))
        .ToProto(out.response.mutable_error());
    return out;
  }
  last_contact_[id] = now;
  const bool caught_up = request.current_metadata_offset() >= reg->epoch.value();
  RecordBuilder builder(image_);
  bool should_shutdown = false;
  if (request.want_shutdown()) {
    if (reg->fenced) {
      should_shutdown = true;
    } else {
      if (!reg->in_controlled_shutdown) {
        MetadataRecord r;
        auto* c = r.mutable_broker_registration_change();
        c->set_broker_id(id.value());
        c->set_broker_epoch(reg->epoch.value());
        c->set_in_controlled_shutdown(true);
        builder.Add(std::move(r));
        LOG(INFO) << "Broker " << id << " entered controlled shutdown";
      }
      RemoveBrokerFromPartitions(id, builder);
      bool leads_any = false;
      for (const auto& [tid, topic] : builder.view().topics()) {
        for (const auto& [pid, p] : topic->partitions()) {
          if (p->leader == id) {
            leads_any = true;
            break;
          }
        }
        if (leads_any) break;
      }
      if (!leads_any) {
        MetadataRecord r;
        auto* c = r.mutable_broker_registration_change();
        c->set_broker_id(id.value());
        c->set_broker_epoch(reg->epoch.value());
        c->set_fenced(metadata::FENCE);
        builder.Add(std::move(r));
        should_shutdown = true;
        LOG(INFO) << "Broker " << id << " finished controlled shutdown";
      }
    }
  } else if (request.want_fence()) {
    if (!reg->fenced) Fence(id, builder);
  } else if (reg->fenced && caught_up && !reg->in_controlled_shutdown) {
    MetadataRecord r;
    auto* c = r.mutable_broker_registration_change();
    c->set_broker_id(id.value());
    c->set_broker_epoch(reg->epoch.value());
    c->set_fenced(metadata::UNFENCE);
    builder.Add(std::move(r));
    ElectForUnfencedBroker(id, builder);
    LOG(INFO) << "Unfencing broker " << id << " (caught up to offset "
              << request.current_metadata_offset() << ")";
  }
  const BrokerRegistration* after = builder.view().broker(id);
  out.response.set_is_caught_up(caught_up);
  out.response.set_is_fenced(after->fenced);
  out.response.set_should_shutdown(should_shutdown);
  ApiError::None().ToProto(out.response.mutable_error());
  out.records = builder.Take();
  return out;
}

ControllerResult<controllerpb::AllocateProducerIdsResponse> Controller::AllocateProducerIds(
    const controllerpb::AllocateProducerIdsRequest& request) const {
  ControllerResult<controllerpb::AllocateProducerIdsResponse> out;
  ApiError error = CheckBrokerEpoch(BrokerId(request.broker_id()), request.broker_epoch());
  const int64_t start = image_->next_producer_id();
  if (error.ok() && start > std::numeric_limits<int64_t>::max() - metadata::kProducerIdBlockSize) {
    error = MakeError(KafkaError::kUnknownServerError,
                      "Exhausted all producerIds as the next block's end producerId has exceeded "
                      "the int64 type limit");
  }
  if (!error.ok()) {
    error.ToProto(out.response.mutable_error());
    return out;
  }
  MetadataRecord r;
  auto* p = r.mutable_producer_ids();
  p->set_broker_id(request.broker_id());
  p->set_broker_epoch(request.broker_epoch());
  p->set_next_producer_id(start + metadata::kProducerIdBlockSize);
  out.records.push_back(std::move(r));
  out.response.set_producer_id_start(start);
  out.response.set_producer_id_len(static_cast<int32_t>(metadata::kProducerIdBlockSize));
  ApiError::None().ToProto(out.response.mutable_error());
  return out;
}

}  // namespace gregor::controller
