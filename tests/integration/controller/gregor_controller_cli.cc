// gregor-controller-cli: a small ControllerService client for tests and
// operators. Output is JSON, one object per line.
//
//   gregor-controller-cli --voters=1@127.0.0.1:9093,... call CreateTopics \
//       'topics { name: "t" num_partitions: 3 replication_factor: 3 }'
//   gregor-controller-cli --voters=... sim-broker --broker_id=1 --rack=a
//   gregor-controller-cli --voters=... image
//
// sim-broker registers a broker, keeps its metadata image current with a
// MetadataFollower and heartbeats every --heartbeat_interval_ms; SIGTERM
// makes it shut down cleanly (controlled shutdown), SIGKILL simulates a crash.
#include <csignal>
#include <iostream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/crc32c.h"
#include "controller/client/controller_client.h"
#include "controller/client/metadata_follower.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"

DEFINE_string(voters, "1@127.0.0.1:9093", "controller.quorum.voters: id@host:port,...");
DEFINE_int32(broker_id, 1, "sim-broker: broker id");
DEFINE_string(rack, "", "sim-broker: rack");
DEFINE_int32(heartbeat_interval_ms, 200, "sim-broker: heartbeat interval");
DEFINE_int32(timeout_ms, 30000, "total time a call may take (retries included)");

namespace gregor::controller::cli {
namespace {

using google::protobuf::Message;

std::string Json(const Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

void Print(const std::string& s) { std::cout << s << std::endl; }

client::ControllerClientOptions ClientOptions() {
  auto voters = client::ParseQuorumVoters(FLAGS_voters);
  CHECK(voters.ok()) << voters.status();
  client::ControllerClientOptions o;
  o.voters = *voters;
  o.total_timeout = std::chrono::milliseconds(FLAGS_timeout_ms);
  return o;
}

template <typename Req, typename Resp>
int Run(const std::string& text, absl::StatusOr<Resp> (client::ControllerClient::*fn)(const Req&)) {
  Req req;
  if (!google::protobuf::TextFormat::ParseFromString(text, &req)) {
    std::cerr << "cannot parse the request: " << text << std::endl;
    return 2;
  }
  client::ControllerClient c(ClientOptions());
  absl::StatusOr<Resp> r = (c.*fn)(req);
  if (!r.ok()) {
    Print(absl::StrCat("{\"transport_error\": \"", r.status().ToString(), "\"}"));
    return 1;
  }
  Print(Json(*r));
  return 0;
}

int Call(const std::string& method, const std::string& text) {
  using C = client::ControllerClient;
  if (method == "RegisterBroker") return Run(text, &C::RegisterBroker);
  if (method == "BrokerHeartbeat") return Run(text, &C::BrokerHeartbeat);
  if (method == "CreateTopics") return Run(text, &C::CreateTopics);
  if (method == "DeleteTopics") return Run(text, &C::DeleteTopics);
  if (method == "CreatePartitions") return Run(text, &C::CreatePartitions);
  if (method == "AlterConfigs") return Run(text, &C::AlterConfigs);
  if (method == "AlterPartition") return Run(text, &C::AlterPartition);
  if (method == "ElectLeaders") return Run(text, &C::ElectLeaders);
  if (method == "AlterPartitionReassignments") return Run(text, &C::AlterPartitionReassignments);
  if (method == "ListPartitionReassignments") return Run(text, &C::ListPartitionReassignments);
  if (method == "AllocateProducerIds") return Run(text, &C::AllocateProducerIds);
  if (method == "DescribeQuorum") {
    client::ControllerClient c(ClientOptions());
    auto r = c.DescribeQuorum();
    if (!r.ok()) {
      Print(absl::StrCat("{\"transport_error\": \"", r.status().ToString(), "\"}"));
      return 1;
    }
    Print(Json(*r));
    return 0;
  }
  std::cerr << "unknown method " << method << std::endl;
  return 2;
}

// Prints the image every controller would agree on: the records and a CRC.
int Image() {
  client::MetadataFollowerOptions o;
  o.client = ClientOptions();
  client::ControllerClient c(o.client);
  auto q = c.DescribeQuorum();
  if (!q.ok()) {
    Print(absl::StrCat("{\"transport_error\": \"", q.status().ToString(), "\"}"));
    return 1;
  }
  client::MetadataFollower f(o, BrokerId(-1), nullptr);
  f.Start();
  bool ok = f.WaitForOffset(metadata::MetadataOffset(static_cast<int64_t>(q->commit_index())),
                            std::chrono::milliseconds(FLAGS_timeout_ms));
  auto image = f.image();
  f.Stop();
  const std::string records = image->ToRecords().SerializeAsString();
  Print(absl::StrCat("{\"caught_up\": ", ok ? "true" : "false", ", \"offset\": ", image->offset().value(),
                     ", \"crc32c\": ", Crc32c(records), ", \"topics\": ", image->topics().size(),
                     ", \"brokers\": ", image->brokers().size(), "}"));
  return ok ? 0 : 1;
}

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int SimBroker() {
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  const BrokerId id(FLAGS_broker_id);
  client::ControllerClient c(ClientOptions());
  std::mt19937_64 rng(std::random_device{}());
  controllerpb::RegisterBrokerRequest reg;
  reg.set_broker_id(id.value());
  reg.mutable_incarnation_id()->set_hi(rng() | 1);
  reg.mutable_incarnation_id()->set_lo(rng());
  reg.set_rack(FLAGS_rack);
  reg.set_replica_address(absl::StrCat("127.0.0.1:", 20000 + id.value()));
  auto* e = reg.add_endpoints();
  e->set_name("PLAINTEXT");
  e->set_host("127.0.0.1");
  e->set_port(9092 + id.value());
  e->set_security_protocol("PLAINTEXT");
  auto registered = c.RegisterBroker(reg);
  if (!registered.ok() || registered->error().code() != 0) {
    Print(absl::StrCat("{\"event\": \"register_failed\", \"detail\": \"",
                       registered.ok() ? registered->error().message() : registered.status().ToString(),
                       "\"}"));
    return 1;
  }
  const int64_t epoch = registered->broker_epoch();
  Print(absl::StrCat("{\"event\": \"registered\", \"broker_id\": ", id.value(), ", \"epoch\": ", epoch, "}"));
  client::MetadataFollowerOptions fo;
  fo.client = ClientOptions();
  client::MetadataFollower follower(fo, id, nullptr);
  follower.Start();
  bool fenced = true;
  bool shutting_down = false;
  auto rpc_options = ClientOptions();
  rpc_options.total_timeout = std::chrono::milliseconds(FLAGS_heartbeat_interval_ms * 2);
  client::ControllerClient hb_client(rpc_options);
  while (true) {
    if (g_stop && !shutting_down) {
      shutting_down = true;
      Print("{\"event\": \"controlled_shutdown_requested\"}");
    }
    controllerpb::BrokerHeartbeatRequest hb;
    hb.set_broker_id(id.value());
    hb.set_broker_epoch(epoch);
    hb.set_current_metadata_offset(follower.image()->offset().value());
    hb.set_want_shutdown(shutting_down);
    auto r = hb_client.BrokerHeartbeat(hb);
    if (r.ok() && r->error().code() == 0) {
      if (r->is_fenced() != fenced) {
        fenced = r->is_fenced();
        Print(absl::StrCat("{\"event\": \"", fenced ? "fenced" : "unfenced", "\"}"));
      }
      if (r->should_shutdown()) {
        Print("{\"event\": \"shutdown\"}");
        break;
      }
    } else if (r.ok()) {
      Print(absl::StrCat("{\"event\": \"heartbeat_error\", \"code\": ", r->error().code(), "}"));
      if (r->error().code() == 77 || r->error().code() == 102) break;  // stale: re-register
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(FLAGS_heartbeat_interval_ms));
  }
  follower.Stop();
  return 0;
}

}  // namespace
}  // namespace gregor::controller::cli

int main(int argc, char** argv) {
  gflags::SetUsageMessage("gregor-controller-cli call <Method> '<text proto>' | sim-broker | image");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  if (argc < 2) {
    std::cerr << gflags::ProgramUsage() << std::endl;
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "call" && argc >= 3) {
    return gregor::controller::cli::Call(argv[2], argc >= 4 ? argv[3] : "");
  }
  if (cmd == "sim-broker") return gregor::controller::cli::SimBroker();
  if (cmd == "image") return gregor::controller::cli::Image();
  std::cerr << gflags::ProgramUsage() << std::endl;
  return 2;
}
