// The broker's membership in the cluster: registers with the controller
// quorum (a fresh incarnation id per process start), heartbeats every
// broker.heartbeat.interval.ms with the offset of its metadata image, learns
// when the controller unfences it, re-registers when the controller has
// forgotten it, and performs controlled shutdown (heartbeats with
// want_shutdown until the controller has moved its leaderships away).
//
// Thread-safety: thread-safe; runs its own thread (the controller client is
// blocking).
#ifndef GREGOR_BROKER_LIFECYCLE_BROKER_LIFECYCLE_H_
#define GREGOR_BROKER_LIFECYCLE_BROKER_LIFECYCLE_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "controller/client/controller_client.h"
#include "proto/controller.pb.h"

namespace gregor::broker {

struct BrokerLifecycleOptions {
  int32_t broker_id = -1;
  controllerpb::RegisterBrokerRequest registration;  // id, endpoints, rack, addresses
  std::chrono::milliseconds heartbeat_interval{200};
};

class BrokerLifecycle {
 public:
  // `metadata_offset` returns the offset of the broker's current image.
  BrokerLifecycle(BrokerLifecycleOptions options, controller::client::ControllerClient* client,
                  std::function<int64_t()> metadata_offset);
  ~BrokerLifecycle();

  // Registers (retrying until a controller answers or `timeout`) and starts
  // heartbeating. Returns the broker epoch.
  absl::StatusOr<int64_t> Start(std::chrono::milliseconds timeout);
  // Controlled shutdown: asks the controller to move leaderships away and
  // waits until it says so (or `timeout`); then stops heartbeating.
  bool ControlledShutdown(std::chrono::milliseconds timeout);
  // Stops heartbeating at once (the controller fences us after the session
  // timeout).
  void Stop();

  int64_t broker_epoch() const { return epoch_.load(); }
  bool fenced() const { return fenced_.load(); }
  // True once unfenced (the broker may serve).
  bool WaitUntilUnfenced(std::chrono::milliseconds timeout);

 private:
  absl::Status Register();
  void Run();

  const BrokerLifecycleOptions options_;
  controller::client::ControllerClient* const client_;
  const std::function<int64_t()> metadata_offset_;
  std::atomic<int64_t> epoch_{-1};
  std::atomic<bool> fenced_{true};
  std::atomic<bool> want_shutdown_{false};
  std::atomic<bool> shutdown_granted_{false};
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  std::thread thread_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_LIFECYCLE_BROKER_LIFECYCLE_H_
