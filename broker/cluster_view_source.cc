#include "broker/cluster_view_source.h"

#include <map>
#include <memory>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/bytes.h"
#include "common/ui/metadata_view.h"
#include "common/ui/peer_fetch.h"
#include "glog/logging.h"

namespace gregor::broker {

namespace {

// The versions whose answers carry everything the view shows.
constexpr int16_t kListGroupsVersion = 5;
constexpr int16_t kDescribeGroupsVersion = 5;
constexpr int16_t kOffsetFetchVersion = 8;

}  // namespace

int32_t AssignedPartitionCount(std::string_view assignment) {
  ByteReader r(assignment);
  if (r.remaining() < 6) return 0;
  r.ReadInt16();  // version
  const int32_t topics = r.ReadInt32();
  if (topics < 0 || static_cast<size_t>(topics) > r.remaining()) return 0;
  int64_t count = 0;
  for (int32_t t = 0; t < topics && r.ok(); ++t) {
    const int16_t name_len = r.ReadInt16();
    if (name_len < 0) return 0;
    r.ReadBytes(static_cast<size_t>(name_len));
    const int32_t partitions = r.ReadInt32();
    if (partitions < 0 || static_cast<size_t>(partitions) > r.remaining() / 4) return 0;
    r.ReadBytes(static_cast<size_t>(partitions) * 4);
    count += partitions;
  }
  return r.ok() ? static_cast<int32_t>(count) : 0;
}

ClusterViewSource::ClusterViewSource(ClusterViewSourceOptions options,
                                     const ReplicaManager* replicas,
                                     std::function<group::GroupCoordinator*()> groups, Clock* clock)
    : options_(std::move(options)), replicas_(replicas), groups_(std::move(groups)), clock_(clock) {
  CHECK(replicas_ != nullptr);
  CHECK(clock_ != nullptr);
  if (!options_.voters.empty()) {
    controller::client::ControllerClientOptions co;
    co.voters = options_.voters;
    co.rpc_timeout = options_.quorum_timeout;
    co.total_timeout = options_.quorum_timeout;
    co.backoff_min = std::chrono::milliseconds(10);
    co.backoff_max = std::chrono::milliseconds(50);
    quorum_ = std::make_unique<controller::client::ControllerClient>(co);
  }
}

ui::ClusterView ClusterViewSource::Metadata() const {
  ui::ClusterView v;
  v.generated_ms = clock_->WallMillis();
  v.served_by = options_.node_id;
  v.served_by_role = "broker";
  std::shared_ptr<const metadata::MetadataImage> image = replicas_->image();
  if (image != nullptr) ui::AddMetadata(*image, &v);
  AddControllers(&v);
  return v;
}

ui::ClusterView ClusterViewSource::Local() const {
  ui::ClusterView v = Metadata();
  AddLocalOffsets(&v);
  AddGroups(&v);
  return v;
}

ui::ClusterView ClusterViewSource::Full() const {
  ui::ClusterView v = Local();
  ui::MergeFactsFromPeers(&v, options_.peer_timeout);
  return v;
}

void ClusterViewSource::AddControllers(ui::ClusterView* view) const {
  // Unknown until the leader answers: every voter, role "unknown".
  for (const auto& voter : options_.voters) {
    ui::ControllerView c;
    c.id = voter.id;
    c.address = voter.address;
    c.role = "unknown";
    view->controllers.push_back(std::move(c));
  }
  if (quorum_ == nullptr) return;
  absl::StatusOr<controllerpb::DescribeQuorumResponse> r = quorum_->DescribeQuorum();
  if (!r.ok() || r->error().code() != 0) return;
  const int32_t leader = r->leader().leader_id();
  if (leader >= 0) view->controller_leader = NodeId(leader);
  uint64_t leader_end = 0;
  for (const auto& vs : r->voters()) {
    if (vs.node_id() == leader) leader_end = vs.log_end_index();
  }
  for (const auto& vs : r->voters()) {
    for (ui::ControllerView& c : view->controllers) {
      if (c.id.value() != vs.node_id()) continue;
      const bool is_leader = vs.node_id() == leader;
      c.role = is_leader ? "leader" : "follower";
      // Followers' own terms and commit indexes are not in DescribeQuorum;
      // the leader's are.
      if (is_leader) {
        c.term = Term(r->term());
        c.commit_index = LogIndex(r->commit_index());
      }
      c.last_index = LogIndex(vs.log_end_index());
      c.lag = leader_end > vs.match_index() ? leader_end - vs.match_index() : 0;
      if (vs.last_contact_ms_ago() >= 0) c.last_contact_ms = vs.last_contact_ms_ago();
    }
  }
}

void ClusterViewSource::AddLocalOffsets(ui::ClusterView* view) const {
  std::map<std::pair<std::string, int32_t>, ui::PartitionView*> by_key;
  for (ui::TopicView& t : view->topics) {
    for (ui::PartitionView& p : t.partitions) by_key[{t.name, p.partition.value()}] = &p;
  }
  for (const std::shared_ptr<Partition>& p : replicas_->All()) {
    if (!p->is_leader()) continue;
    auto it = by_key.find({p->topic(), p->index()});
    if (it == by_key.end()) continue;
    it->second->high_watermark = p->high_watermark();
    it->second->log_end_offset = p->log_end_offset();
  }
}

void ClusterViewSource::AddGroups(ui::ClusterView* view) const {
  group::GroupCoordinator* coordinator = groups_ ? groups_() : nullptr;
  if (coordinator == nullptr) return;
  group::RequestContext ctx;
  ctx.client_id = "gregor-cluster-view";
  ctx.api_version = kListGroupsVersion;
  group::ListGroupsResponse listed = coordinator->ListGroups(ctx, {});
  if (listed.error != group::ErrorCode::kNone || listed.groups.empty()) return;
  const size_t max_groups = ui::ClusterViewLimits().max_groups;
  group::DescribeGroupsRequest describe;
  for (const group::ListedGroup& g : listed.groups) {
    if (describe.groups.size() >= max_groups) break;
    describe.groups.push_back(g.group_id);
  }
  ctx.api_version = kDescribeGroupsVersion;
  group::DescribeGroupsResponse described = coordinator->DescribeGroups(ctx, describe);

  // Committed offsets of every group, in one batched OffsetFetch; the answer
  // may come after we stop waiting, so its state is shared.
  struct Pending {
    absl::Mutex mu;
    std::optional<group::OffsetFetchResponse> response ABSL_GUARDED_BY(mu);
  };
  auto pending = std::make_shared<Pending>();
  auto done = std::make_shared<absl::Notification>();
  group::OffsetFetchRequest fetch;
  for (const std::string& id : describe.groups) fetch.groups.push_back({.group_id = id});
  ctx.api_version = kOffsetFetchVersion;
  coordinator->OffsetFetch(ctx, fetch, [pending, done](group::OffsetFetchResponse r) {
    absl::MutexLock lock(&pending->mu);
    pending->response = std::move(r);
    done->Notify();
  });
  std::map<std::string, const group::OffsetFetchResponseGroup*> offsets;
  std::optional<group::OffsetFetchResponse> fetched;
  if (done->WaitForNotificationWithTimeout(absl::FromChrono(options_.group_timeout))) {
    absl::MutexLock lock(&pending->mu);
    fetched = std::move(pending->response);
  }
  if (fetched) {
    for (const auto& g : fetched->groups) offsets[g.group_id] = &g;
  }

  for (const group::DescribedGroup& d : described.groups) {
    if (d.error != group::ErrorCode::kNone) continue;
    ui::GroupView g;
    g.group_id = d.group_id;
    g.state = d.group_state;
    g.protocol_type = d.protocol_type;
    g.protocol = d.protocol_data;
    g.coordinator = BrokerId(options_.node_id);
    for (const group::DescribedGroupMember& m : d.members) {
      g.members.push_back({.member_id = m.member_id,
                           .group_instance_id = m.group_instance_id.value_or(""),
                           .client_id = m.client_id,
                           .client_host = m.client_host,
                           .assigned_partitions = AssignedPartitionCount(m.member_assignment)});
    }
    auto it = offsets.find(d.group_id);
    if (it != offsets.end() && it->second->error == group::ErrorCode::kNone) {
      for (const auto& t : it->second->topics) {
        for (const auto& p : t.partitions) {
          if (p.error != group::ErrorCode::kNone || p.committed_offset < 0) continue;
          g.offsets.push_back({.topic = t.name,
                               .partition = PartitionId(p.partition_index),
                               .committed_offset = Offset(p.committed_offset)});
        }
      }
    }
    view->groups.push_back(std::move(g));
  }
  ui::FillGroupLogEnds(view);
}

}  // namespace gregor::broker
