// Prints the /api/cluster JSON of a small cluster in the middle of a failover
// (every kind of list entry filled, known and unknown values), for
// api_contract_test: the C++ ToJson() must satisfy the same contract checker
// (api_contract.py) as the fake server and the real nodes.
#include <iostream>

#include "common/ui/cluster_view.h"
#include "common/ui/event_timeline.h"

namespace gregor::ui {
namespace {

ClusterView Sample(int64_t ms, int32_t leader, std::vector<BrokerId> isr, bool broker1_fenced) {
  ClusterView v;
  v.generated_ms = ms;
  v.cluster_id = "sample";
  v.served_by = 101;
  v.served_by_role = "controller";
  v.controller_leader = NodeId(101);
  for (int i = 1; i <= 3; ++i) {
    ControllerView c{.id = NodeId(100 + i), .address = "controller" + std::to_string(i) + ":9093",
                     .role = i == 1 ? "leader" : "follower", .term = Term(4), .commit_index = LogIndex(80)};
    if (i == 1) c.lag = 0;
    v.controllers.push_back(c);
    v.brokers.push_back({.id = BrokerId(i), .address = "localhost:1909" + std::to_string(i + 1),
                         .epoch = 7, .alive = !(i == 1 && broker1_fenced), .fenced = i == 1 && broker1_fenced});
  }
  PartitionView p{.partition = PartitionId(0), .leader = BrokerId(leader), .leader_epoch = LeaderEpoch(2),
                  .replicas = {BrokerId(1), BrokerId(2), BrokerId(3)}, .isr = std::move(isr)};
  PartitionView offline{.partition = PartitionId(1), .replicas = {BrokerId(1)}, .isr = {BrokerId(1)}};
  PartitionView known = p;
  known.partition = PartitionId(2);
  known.high_watermark = Offset(10);
  known.log_end_offset = Offset(12);
  v.topics.push_back({.name = "orders", .id = "AAAAAAAAAAAAAAAAAAAAAA", .partitions = {p, offline, known}});
  GroupView g{.group_id = "readers", .state = "Stable", .protocol_type = "consumer", .protocol = "range",
              .generation = 3, .coordinator = BrokerId(2)};
  g.members.push_back({.member_id = "m", .client_id = "c", .client_host = "/10.0.0.1", .assigned_partitions = 3});
  g.offsets.push_back({.topic = "orders", .partition = PartitionId(0), .committed_offset = Offset(5),
                       .log_end_offset = Offset(9)});
  g.offsets.push_back({.topic = "orders", .partition = PartitionId(1), .committed_offset = Offset(-1)});
  v.groups.push_back(g);
  return v;
}

}  // namespace
}  // namespace gregor::ui

int main() {
  using gregor::BrokerId;
  gregor::ui::EventTimeline timeline;
  timeline.Observe(gregor::ui::Sample(1000, 1, {BrokerId(1), BrokerId(2), BrokerId(3)}, false));
  gregor::ui::ClusterView v = gregor::ui::Sample(2000, 2, {BrokerId(2), BrokerId(3)}, true);
  timeline.Observe(v);
  timeline.Fill(&v);
  std::cout << gregor::ui::ToJsonString(v) << "\n";
  return 0;
}
