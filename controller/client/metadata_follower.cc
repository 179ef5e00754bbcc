#include "controller/client/metadata_follower.h"

#include "glog/logging.h"
#include "grpcpp/grpcpp.h"

namespace gregor::controller::client {

using metadata::MetadataDelta;
using metadata::MetadataImage;
using metadata::MetadataOffset;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

MetadataFollower::MetadataFollower(MetadataFollowerOptions options, BrokerId broker, Listener listener)
    : options_(std::move(options)), broker_(broker), listener_(std::move(listener)),
      client_(options_.client), image_(MetadataImage::Empty()) {}

MetadataFollower::~MetadataFollower() { Stop(); }

void MetadataFollower::Start() {
  thread_ = std::thread([this] { Run(); });
  watchdog_ = std::thread([this] {
    absl::MutexLock lock(&mu_);
    while (!stop_) {
      cv_.WaitWithTimeout(&mu_, absl::Milliseconds(100));
      if (current_ != nullptr && NowMs() - last_update_ms_.load() > options_.stall_timeout.count()) {
        LOG(WARNING) << "Metadata stream quiet for " << options_.stall_timeout.count()
                     << " ms; reconnecting";
        current_->TryCancel();
        last_update_ms_ = NowMs();
      }
    }
  });
}

void MetadataFollower::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    stop_ = true;
    if (current_ != nullptr) current_->TryCancel();
    cv_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
  if (watchdog_.joinable()) watchdog_.join();
}

std::shared_ptr<const MetadataImage> MetadataFollower::image() const {
  absl::MutexLock lock(&mu_);
  return image_;
}

bool MetadataFollower::WaitForOffset(MetadataOffset offset, std::chrono::milliseconds timeout) const {
  absl::MutexLock lock(&mu_);
  const absl::Time deadline = absl::Now() + absl::Milliseconds(timeout.count());
  while (image_->offset() < offset) {
    if (cv_.WaitWithDeadline(&mu_, deadline)) return image_->offset() >= offset;
  }
  return true;
}

void MetadataFollower::Publish(std::shared_ptr<const MetadataImage> next,
                               metadata::LocalReplicaChanges changes, bool from_snapshot) {
  MetadataUpdateEvent event;
  {
    absl::MutexLock lock(&mu_);
    event.before = image_;
    image_ = next;
    cv_.SignalAll();
  }
  event.after = std::move(next);
  event.changes = std::move(changes);
  event.from_snapshot = from_snapshot;
  if (listener_) listener_(event);
}

void MetadataFollower::Run() {
  const auto& voters = options_.client.voters;
  size_t next = 0;
  auto backoff = options_.reconnect_backoff_min;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return;
    }
    // Prefer the active controller when known; any controller can serve.
    std::string address = client_.active_address();
    if (address.empty()) address = voters[next++ % voters.size()].address;
    const bool progressed = StreamFrom(address);
    client_.StubFor(address);  // keep the channel
    if (progressed) {
      backoff = options_.reconnect_backoff_min;
    } else {
      next++;
      absl::MutexLock lock(&mu_);
      cv_.WaitWithTimeout(&mu_, absl::Milliseconds(backoff.count()));
      backoff = std::min(backoff * 2, options_.reconnect_backoff_max);
    }
  }
}

bool MetadataFollower::StreamFrom(const std::string& address) {
  grpc::ClientContext context;
  controllerpb::WatchMetadataRequest request;
  request.set_broker_id(broker_.value());
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return false;
    request.set_from_offset(image_->offset().value() + 1);
    current_ = &context;
  }
  connections_++;
  last_update_ms_ = NowMs();
  auto reader = client_.StubFor(address)->WatchMetadata(&context, request);
  bool progressed = false;
  std::unique_ptr<MetadataDelta> snapshot;  // while a snapshot is arriving
  controllerpb::MetadataUpdate update;
  while (reader->Read(&update)) {
    last_update_ms_ = NowMs();
    progressed = true;
    const auto base = image();
    if (update.is_snapshot()) {
      if (snapshot == nullptr) snapshot = std::make_unique<MetadataDelta>(MetadataImage::Empty());
      bool ok = true;
      for (const auto& r : update.records()) {
        absl::Status s = snapshot->Replay(MetadataOffset(update.snapshot_offset()), r.record());
        if (!s.ok()) {
          LOG(ERROR) << "Metadata snapshot from " << address << " does not apply: " << s;
          ok = false;
          break;
        }
      }
      if (!ok) break;
      if (update.snapshot_last()) {
        snapshot->AdvanceOffset(MetadataOffset(update.snapshot_offset()));
        auto next = snapshot->Apply();
        snapshot.reset();
        Publish(next, metadata::DiffLocalChanges(*base, *next, broker_), true);
      }
      continue;
    }
    MetadataDelta delta(base);
    bool ok = true;
    for (const auto& r : update.records()) {
      if (r.offset() <= base->offset().value()) continue;  // already applied
      absl::Status s = delta.Replay(MetadataOffset(r.offset()), r.record());
      if (!s.ok()) {
        LOG(ERROR) << "Metadata record at " << r.offset() << " from " << address
                   << " does not apply: " << s;
        ok = false;
        break;
      }
    }
    if (!ok) break;
    delta.AdvanceOffset(MetadataOffset(update.high_watermark()));
    if (delta.current().offset() == base->offset()) continue;  // nothing new
    Publish(delta.Apply(), delta.LocalChanges(broker_), false);
  }
  grpc::Status s = reader->Finish();
  {
    absl::MutexLock lock(&mu_);
    current_ = nullptr;
  }
  if (!s.ok() && s.error_code() != grpc::StatusCode::CANCELLED) {
    VLOG(1) << "Metadata stream from " << address << " ended: " << s.error_message();
  }
  return progressed;
}

}  // namespace gregor::controller::client
