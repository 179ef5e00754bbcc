#include "broker/lifecycle/broker_lifecycle.h"

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace gregor::broker {
namespace {
constexpr int32_t kStaleBrokerEpoch = 77;
constexpr int32_t kBrokerIdNotRegistered = 102;

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}
}  // namespace

BrokerLifecycle::BrokerLifecycle(BrokerLifecycleOptions options,
                                 controller::client::ControllerClient* client,
                                 std::function<int64_t()> metadata_offset)
    : options_(std::move(options)), client_(client), metadata_offset_(std::move(metadata_offset)) {}

BrokerLifecycle::~BrokerLifecycle() { Stop(); }

absl::Status BrokerLifecycle::Register() {
  absl::StatusOr<controllerpb::RegisterBrokerResponse> r =
      client_->RegisterBroker(options_.registration);
  if (!r.ok()) return r.status();
  if (r->error().code() != 0) {
    return absl::FailedPreconditionError(absl::StrCat("registration refused: error ",
                                                      r->error().code(), " ",
                                                      r->error().message()));
  }
  epoch_ = r->broker_epoch();
  fenced_ = true;
  LOG(INFO) << "registered broker " << options_.broker_id << " with epoch " << r->broker_epoch();
  return absl::OkStatus();
}

absl::StatusOr<int64_t> BrokerLifecycle::Start(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  absl::Status s;
  while (true) {
    s = Register();
    if (s.ok()) break;
    if (std::chrono::steady_clock::now() >= deadline) return s;
    LOG(WARNING) << "registration failed (" << s << "); retrying";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  thread_ = std::thread([this] { Run(); });
  return epoch_.load();
}

void BrokerLifecycle::Run() {
  while (!stop_.load()) {
    controllerpb::BrokerHeartbeatRequest req;
    req.set_broker_id(options_.broker_id);
    req.set_broker_epoch(epoch_.load());
    req.set_current_metadata_offset(metadata_offset_());
    req.set_want_shutdown(want_shutdown_.load());
    absl::StatusOr<controllerpb::BrokerHeartbeatResponse> r = client_->BrokerHeartbeat(req);
    if (!r.ok()) {
      LOG_EVERY_N(WARNING, 20) << "heartbeat failed: " << r.status();
    } else if (r->error().code() == kStaleBrokerEpoch ||
               r->error().code() == kBrokerIdNotRegistered) {
      LOG(WARNING) << "the controller does not know this registration (error "
                   << r->error().code() << "); registering again";
      absl::Status s = Register();
      if (!s.ok()) LOG(WARNING) << s;
    } else if (r->error().code() != 0) {
      LOG_EVERY_N(WARNING, 20) << "heartbeat error " << r->error().code() << ": "
                               << r->error().message();
    } else {
      bool was_fenced = fenced_.exchange(r->is_fenced());
      if (was_fenced && !r->is_fenced()) LOG(INFO) << "unfenced by the controller";
      if (want_shutdown_.load() && r->should_shutdown()) shutdown_granted_ = true;
    }
    for (auto waited = std::chrono::milliseconds(0);
         waited < options_.heartbeat_interval && !stop_.load();
         waited += std::chrono::milliseconds(10)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

bool BrokerLifecycle::WaitUntilUnfenced(std::chrono::milliseconds timeout) {
  return WaitFor([this] { return !fenced_.load(); }, timeout);
}

bool BrokerLifecycle::ControlledShutdown(std::chrono::milliseconds timeout) {
  if (!thread_.joinable()) return false;
  want_shutdown_ = true;
  LOG(INFO) << "controlled shutdown: asking the controller to move leaderships away";
  bool ok = WaitFor([this] { return shutdown_granted_.load(); }, timeout);
  LOG(INFO) << (ok ? "controlled shutdown granted" : "controlled shutdown timed out");
  Stop();
  return ok;
}

void BrokerLifecycle::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace gregor::broker
