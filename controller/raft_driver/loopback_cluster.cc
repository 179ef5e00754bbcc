#include "controller/raft_driver/loopback_cluster.h"

#include <cstdlib>
#include <future>
#include <thread>
#include <utility>

#include "glog/logging.h"
#include "grpcpp/grpcpp.h"

namespace gregor::controller::raft_driver {

using namespace std::chrono_literals;

void ListMachine::Apply(LogIndex index, std::string_view data) {
  absl::MutexLock l(&mu_);
  ++count_;
  for (char c : data) hash_ = hash_ * 131 + static_cast<unsigned char>(c);
  if (keep_items_) items_.emplace_back(data);
}

std::string ListMachine::Snapshot() {
  absl::MutexLock l(&mu_);
  std::string out = std::to_string(count_) + "#" + std::to_string(hash_) + "#";
  for (const std::string& s : items_) out += std::to_string(s.size()) + ":" + s;
  return out;
}

absl::Status ListMachine::Restore(std::string_view data, LogIndex index) {
  size_t h1 = data.find('#');
  size_t h2 = h1 == std::string_view::npos ? h1 : data.find('#', h1 + 1);
  if (h2 == std::string_view::npos) return absl::DataLossError("bad snapshot");
  uint64_t count = std::stoull(std::string(data.substr(0, h1)));
  uint64_t hash = std::stoull(std::string(data.substr(h1 + 1, h2 - h1 - 1)));
  std::vector<std::string> items;
  size_t pos = h2 + 1;
  while (pos < data.size()) {
    size_t colon = data.find(':', pos);
    if (colon == std::string_view::npos) return absl::DataLossError("bad snapshot");
    size_t n = std::stoul(std::string(data.substr(pos, colon - pos)));
    if (colon + 1 + n > data.size()) return absl::DataLossError("bad snapshot");
    items.emplace_back(data.substr(colon + 1, n));
    pos = colon + 1 + n;
  }
  absl::MutexLock l(&mu_);
  count_ = count;
  hash_ = hash;
  items_ = std::move(items);
  ++restores_;
  return absl::OkStatus();
}

void ListMachine::OnLeaderChange(std::optional<NodeId> leader, Term term) {
  absl::MutexLock l(&mu_);
  leader_changes_.push_back(leader);
}

std::vector<std::string> ListMachine::items() const {
  absl::MutexLock l(&mu_);
  return items_;
}

uint64_t ListMachine::applied_count() const {
  absl::MutexLock l(&mu_);
  return count_;
}

int ListMachine::restores() const {
  absl::MutexLock l(&mu_);
  return restores_;
}

std::vector<std::optional<NodeId>> ListMachine::leader_changes() const {
  absl::MutexLock l(&mu_);
  return leader_changes_;
}

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

std::string NewTempDir(const std::string& prefix, const std::string& base) {
  std::string root = base;
  if (root.empty()) {
    const char* t = std::getenv("TEST_TMPDIR");
    root = t != nullptr ? t : "/tmp";
  }
  std::string tmpl = root + "/" + prefix + ".XXXXXX";
  CHECK(mkdtemp(tmpl.data()) != nullptr) << "mkdtemp " << tmpl;
  return tmpl;
}

LoopbackCluster::LoopbackCluster(int n, std::function<void(RaftNodeOptions&)> tweak,
                                 bool keep_items, std::string dir_base)
    : tweak_(std::move(tweak)), keep_items_(keep_items) {
  members_.resize(n + 1);
  for (int i = 1; i <= n; ++i) {
    members_[i].id = i;
    members_[i].dir = NewTempDir("raftnode", dir_base);
    StartServer(members_[i]);
  }
  for (int i = 1; i <= n; ++i) StartNode(i);
}

LoopbackCluster::~LoopbackCluster() {
  for (int i = 1; i <= size(); ++i) Kill(i);
}

void LoopbackCluster::Kill(int id) {
  Member& mem = members_[id];
  if (mem.node) mem.node->Stop();
  mem.node.reset();
  if (mem.server) mem.server->Shutdown(std::chrono::system_clock::now());
  mem.server.reset();
}

void LoopbackCluster::Restart(int id) {
  StartServer(members_[id]);
  StartNode(id);
}

int LoopbackCluster::AgreedLeader() {
  int leader = 0;
  for (int i = 1; i <= size(); ++i) {
    if (!up(i)) continue;
    std::optional<NodeId> l = node(i).Leader();
    if (!l) return 0;
    if (leader != 0 && leader != l->value()) return 0;
    leader = l->value();
  }
  if (leader == 0 || leader > size() || !up(leader) || !node(leader).IsLeader()) return 0;
  return leader;
}

int LoopbackCluster::WaitForLeader(std::chrono::milliseconds limit) {
  int leader = 0;
  WaitFor([&] { return (leader = AgreedLeader()) != 0; }, limit);
  return leader;
}

absl::StatusOr<LogIndex> LoopbackCluster::Propose(int id, std::string data) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<LogIndex>>>();
  std::future<absl::StatusOr<LogIndex>> f = promise->get_future();
  node(id).Propose(std::move(data), [promise](absl::StatusOr<LogIndex> r) { promise->set_value(r); });
  if (f.wait_for(30s) != std::future_status::ready) return absl::DeadlineExceededError("hung");
  return f.get();
}

std::optional<LogIndex> LoopbackCluster::ProposeOnLeader(const std::string& data) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int leader = WaitForLeader();
    if (leader == 0) break;
    absl::StatusOr<LogIndex> r = Propose(leader, data);
    if (r.ok()) return *r;
    std::this_thread::sleep_for(50ms);
  }
  return std::nullopt;
}

void LoopbackCluster::StartServer(Member& mem) {
  mem.service = std::make_unique<RaftServiceImpl>();
  grpc::ServerBuilder b;
  ConfigureRaftServer(&b);
  int selected = 0;
  b.AddListeningPort("127.0.0.1:" + std::to_string(mem.port), grpc::InsecureServerCredentials(),
                     &selected);
  b.RegisterService(mem.service.get());
  mem.server = b.BuildAndStart();
  CHECK(mem.server != nullptr && selected != 0) << "cannot listen on port " << mem.port;
  mem.port = selected;
}

void LoopbackCluster::StartNode(int id) {
  Member& mem = members_[id];
  RaftNodeOptions o;
  o.id = NodeId(id);
  for (int i = 1; i <= size(); ++i) {
    o.voters.push_back(Peer{NodeId(i), "127.0.0.1:" + std::to_string(members_[i].port)});
  }
  o.data_dir = mem.dir;
  o.tick_interval = 20ms;
  o.reconnect_backoff_max = 200ms;
  if (tweak_) tweak_(o);
  mem.machine = std::make_unique<ListMachine>(keep_items_);
  absl::StatusOr<std::unique_ptr<RaftNode>> node =
      RaftNode::Open(o, mem.machine.get(), mem.service.get());
  CHECK(node.ok()) << node.status();
  mem.node = std::move(*node);
  CHECK(mem.node->Start().ok());
}

}  // namespace gregor::controller::raft_driver
