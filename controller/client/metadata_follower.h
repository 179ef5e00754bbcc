// MetadataFollower: keeps a broker's MetadataImage current by streaming
// committed metadata records from the controllers (WatchMetadata).
//
// It connects to a controller, asks for the records after its image's
// offset, applies each update with a MetadataDelta, publishes the new image
// and tells the listener what changed for this broker (LocalChanges). When
// the stream breaks or goes quiet for `stall_timeout`, it reconnects —
// to the next controller — and resumes from its offset. A snapshot (sent
// when the offset is no longer in the controller's log) replaces the image;
// the listener then gets the differences against the old image.
//
//   MetadataFollower follower(client_options, BrokerId(1),
//       [&](const MetadataUpdateEvent& e) { replicas.Apply(e.changes); });
//   follower.Start();
//   follower.WaitForOffset(my_registration_epoch, 10s);
//   auto image = follower.image();
//
// Thread-safety: thread-safe. The listener runs on the follower's thread,
// one update at a time; it should not block for long.
#ifndef GREGOR_CONTROLLER_CLIENT_METADATA_FOLLOWER_H_
#define GREGOR_CONTROLLER_CLIENT_METADATA_FOLLOWER_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/metadata/delta.h"
#include "common/metadata/image.h"
#include "controller/client/controller_client.h"

namespace gregor::controller::client {

struct MetadataUpdateEvent {
  std::shared_ptr<const metadata::MetadataImage> before;
  std::shared_ptr<const metadata::MetadataImage> after;
  // What this broker must lead, follow or delete now.
  metadata::LocalReplicaChanges changes;
  bool from_snapshot = false;
};

struct MetadataFollowerOptions {
  ControllerClientOptions client;
  // Reconnect when nothing (not even a keep-alive) arrived for this long.
  std::chrono::milliseconds stall_timeout{3000};
  std::chrono::milliseconds reconnect_backoff_min{50};
  std::chrono::milliseconds reconnect_backoff_max{1000};
};

class MetadataFollower {
 public:
  using Listener = std::function<void(const MetadataUpdateEvent&)>;

  MetadataFollower(MetadataFollowerOptions options, BrokerId broker, Listener listener);
  ~MetadataFollower();

  void Start();
  void Stop();

  std::shared_ptr<const metadata::MetadataImage> image() const;
  // Waits until the image reaches `offset`; false on timeout. The image is
  // published just before the listener is called with it.
  bool WaitForOffset(metadata::MetadataOffset offset, std::chrono::milliseconds timeout) const;
  // Streams (re)opened so far.
  int64_t connections() const { return connections_.load(); }

 private:
  void Run();
  // Streams from one controller until the stream ends; returns whether any
  // update arrived.
  bool StreamFrom(const std::string& address);
  void Publish(std::shared_ptr<const metadata::MetadataImage> next, metadata::LocalReplicaChanges changes,
               bool from_snapshot);

  const MetadataFollowerOptions options_;
  const BrokerId broker_;
  const Listener listener_;
  ControllerClient client_;

  mutable absl::Mutex mu_;
  mutable absl::CondVar cv_;
  std::shared_ptr<const metadata::MetadataImage> image_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<int64_t> connections_{0};
  std::atomic<int64_t> last_update_ms_{0};
  std::thread thread_;
  std::thread watchdog_;
};

}  // namespace gregor::controller::client

#endif  // GREGOR_CONTROLLER_CLIENT_METADATA_FOLLOWER_H_
