#include "controller/client/controller_client.h"

#include <random>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "controller/errors.h"
#include "grpcpp/grpcpp.h"

namespace gregor::controller::client {

absl::StatusOr<std::vector<Voter>> ParseQuorumVoters(std::string_view voters) {
  std::vector<Voter> out;
  for (absl::string_view part : absl::StrSplit(absl::string_view(voters.data(), voters.size()), ',',
                                               absl::SkipWhitespace())) {
    std::vector<absl::string_view> kv = absl::StrSplit(part, absl::MaxSplits('@', 1));
    int32_t id;
    if (kv.size() != 2 || !absl::SimpleAtoi(kv[0], &id) || id < 1 || kv[1].empty() ||
        kv[1].find(':') == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad voter '", part, "': want id@host:port with id >= 1"));
    }
    for (const Voter& v : out) {
      if (v.id.value() == id) return absl::InvalidArgumentError(absl::StrCat("voter id ", id, " twice"));
    }
    out.push_back({NodeId(id), std::string(kv[1])});
  }
  if (out.empty()) return absl::InvalidArgumentError("no voters");
  return out;
}

ControllerClient::ControllerClient(ControllerClientOptions options) : options_(std::move(options)) {}

controllerpb::ControllerService::Stub* ControllerClient::StubFor(const std::string& address) {
  absl::MutexLock lock(&mu_);
  auto& stub = stubs_[address];
  if (stub == nullptr) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    args.SetMaxReceiveMessageSize(64 << 20);
    stub = controllerpb::ControllerService::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }
  return stub.get();
}

std::string ControllerClient::active_address() const {
  absl::MutexLock lock(&mu_);
  return active_;
}

template <typename Request, typename Response>
absl::StatusOr<Response> ControllerClient::Call(Method<Request, Response> method,
                                                const Request& request) {
  const auto deadline = std::chrono::steady_clock::now() + options_.total_timeout;
  auto backoff = options_.backoff_min;
  std::mt19937 rng(std::random_device{}());
  std::string address;
  {
    absl::MutexLock lock(&mu_);
    address = !active_.empty() ? active_ : options_.voters[next_voter_ % options_.voters.size()].address;
  }
  std::string last_error = "no attempt";
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + options_.rpc_timeout);
    Response response;
    grpc::Status s = (StubFor(address)->*method)(&context, request, &response);
    bool hinted = false;
    if (s.ok()) {
      const auto code = static_cast<KafkaError>(response.error().code());
      if (code != KafkaError::kNotController && code != KafkaError::kRequestTimedOut) {
        absl::MutexLock lock(&mu_);
        active_ = address;
        return response;
      }
      last_error = absl::StrCat(address, ": ", response.error().message());
      const std::string& hint = response.leader().leader_address();
      if (code == KafkaError::kNotController && !hint.empty() && hint != address) {
        address = hint;  // go straight to the leader it names
        hinted = true;
      }
    } else {
      last_error = absl::StrCat(address, ": ", s.error_message());
    }
    if (!hinted) {
      absl::MutexLock lock(&mu_);
      if (active_ == address) active_.clear();
      address = options_.voters[++next_voter_ % options_.voters.size()].address;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("no active controller answered: ", last_error));
    }
    if (!hinted) {
      auto sleep = std::chrono::milliseconds(
          std::uniform_int_distribution<int64_t>(backoff.count() / 2, backoff.count())(rng));
      std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(sleep, deadline - now));
      backoff = std::min(backoff * 2, options_.backoff_max);
    }
  }
}

#define GREGOR_CLIENT_METHOD(Name)                                                            \
  absl::StatusOr<controllerpb::Name##Response> ControllerClient::Name(                        \
      const controllerpb::Name##Request& request) {                                           \
    return Call<controllerpb::Name##Request, controllerpb::Name##Response>(                   \
        &controllerpb::ControllerService::Stub::Name, request);                               \
  }

GREGOR_CLIENT_METHOD(RegisterBroker)
GREGOR_CLIENT_METHOD(BrokerHeartbeat)
GREGOR_CLIENT_METHOD(CreateTopics)
GREGOR_CLIENT_METHOD(DeleteTopics)
GREGOR_CLIENT_METHOD(CreatePartitions)
GREGOR_CLIENT_METHOD(AlterConfigs)
GREGOR_CLIENT_METHOD(AlterPartition)
GREGOR_CLIENT_METHOD(ElectLeaders)
GREGOR_CLIENT_METHOD(AlterPartitionReassignments)
GREGOR_CLIENT_METHOD(ListPartitionReassignments)
GREGOR_CLIENT_METHOD(AllocateProducerIds)

#undef GREGOR_CLIENT_METHOD

absl::StatusOr<controllerpb::DescribeQuorumResponse> ControllerClient::DescribeQuorum() {
  return Call<controllerpb::DescribeQuorumRequest, controllerpb::DescribeQuorumResponse>(
      &controllerpb::ControllerService::Stub::DescribeQuorum, controllerpb::DescribeQuorumRequest());
}

}  // namespace gregor::controller::client
