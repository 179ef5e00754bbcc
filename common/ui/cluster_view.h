// The live cluster view: what `/api/cluster` answers and the page at `/ui`
// draws. Brokers and controllers fill a ClusterView from what they know
// (their metadata image, Raft status, partition states, group coordinator)
// and call ToJson(); nothing else about the JSON is their concern.
//
// The contract (field names, units, null/-1 conventions) is documented field
// by field in docs/deploy.md, "The /api/cluster JSON contract". Add fields,
// never rename or remove them: the page and the deploy test read them.
//
// Conventions:
// - Ids are Kafka's (node.id of controllers and brokers, partition index).
// - "No leader" is -1, as in Kafka's metadata responses.
// - A value this node does not know is std::nullopt and becomes JSON null
//   (a controller does not know a partition's high watermark; a follower
//   controller does not know the other voters' lag).
// - Times are wall-clock milliseconds since the Unix epoch ("_ms" suffix).
//
// Plain values; not thread-safe by themselves (build one per request).
#ifndef GREGOR_COMMON_UI_CLUSTER_VIEW_H_
#define GREGOR_COMMON_UI_CLUSTER_VIEW_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/strong_int.h"
#include "nlohmann/json.hpp"

namespace gregor::ui {

// One member of the controller quorum, as seen by the node answering.
struct ControllerView {
  NodeId id;
  std::string address;               // host:port of its gRPC listener
  std::string role;                  // "leader", "follower", "candidate", "pre-candidate",
                                     // "unknown" (not reachable from this node)
  std::optional<Term> term;          // its current Raft term
  std::optional<LogIndex> commit_index;
  std::optional<LogIndex> last_index;  // last index of its Raft log
  // Entries it is behind the leader's last index (0 on the leader itself).
  std::optional<uint64_t> lag;
  // Milliseconds since the leader last heard from it (leader's view only).
  std::optional<int64_t> last_contact_ms;
};

// A broker registered with the controllers.
struct BrokerView {
  BrokerId id;
  std::string address;       // advertised Kafka listener host:port (the one clients use)
  std::string http_address;  // host:port of its /metrics, /status, /ui
  std::string rack;          // empty: none
  int64_t epoch = -1;        // broker epoch of its current registration
  bool alive = false;        // its session with the controller is live
  bool fenced = true;        // the controller fenced it (no leadership, not in new ISRs)
  bool in_controlled_shutdown = false;
};

struct PartitionView {
  PartitionId partition;
  std::optional<BrokerId> leader;  // nullopt: offline (JSON -1)
  LeaderEpoch leader_epoch{0};
  std::vector<BrokerId> replicas;  // assignment order; the first is the preferred leader
  std::vector<BrokerId> isr;
  std::optional<Offset> high_watermark;  // known on brokers that host the partition
  std::optional<Offset> log_end_offset;  // the leader's LEO
  // Derived in ToJson: under_replicated = |isr| < |replicas|; offline = no leader.
};

struct TopicView {
  std::string name;
  std::string id;  // topic id (base64 UUID as Kafka prints it); may be empty
  std::vector<PartitionView> partitions;
};

struct GroupMemberView {
  std::string member_id;
  std::string group_instance_id;  // static membership; empty when dynamic
  std::string client_id;
  std::string client_host;
  int32_t assigned_partitions = 0;
};

// Committed offset and lag of one partition a group consumes.
struct GroupOffsetView {
  std::string topic;
  PartitionId partition;
  Offset committed_offset{-1};
  std::optional<Offset> log_end_offset;  // nullopt when this node does not know it
  // Derived in ToJson: lag = max(0, log_end_offset - committed_offset) or null.
};

struct GroupView {
  std::string group_id;
  std::string state;  // Kafka's names: "Empty", "PreparingRebalance", "CompletingRebalance",
                      // "Stable", "Dead"
  std::string protocol_type;  // "consumer", ...
  std::string protocol;       // assignor, e.g. "range"
  int32_t generation = 0;
  std::optional<BrokerId> coordinator;
  std::vector<GroupMemberView> members;
  std::vector<GroupOffsetView> offsets;
  // Derived in ToJson: total_lag = sum of the known lags (null if none is known).
};

// Something that happened to the cluster; the page's timeline.
struct EventView {
  enum class Kind {
    kControllerLeader,  // a new Raft leader among the controllers
    kLeaderElection,    // a partition got a new leader (or went offline)
    kIsrShrink,         // a partition's ISR lost members
    kIsrExpand,         // a partition's ISR gained members
    kBrokerFenced,
    kBrokerUnfenced,
  };
  int64_t time_ms = 0;
  Kind kind = Kind::kLeaderElection;
  std::string topic;                        // partition events only
  std::optional<PartitionId> partition;     // partition events only
  std::optional<int32_t> node;              // broker or controller the event is about
  std::optional<int32_t> previous_leader;   // leader events: the one before (-1: none)
  std::optional<int32_t> leader;            // leader events: the new one (-1: none)
  std::vector<BrokerId> previous_isr;       // ISR events
  std::vector<BrokerId> isr;                // ISR events
  std::optional<Term> term;                 // controller leader events
  std::string detail;                       // one human-readable line
};

const char* KindName(EventView::Kind kind);

struct ClusterView {
  int64_t generated_ms = 0;      // when this view was built
  std::string cluster_id;        // may be empty
  int32_t served_by = -1;        // node.id of the node answering
  std::string served_by_role;    // "broker" or "controller"
  std::optional<NodeId> controller_leader;  // the Raft leader, if known
  std::vector<ControllerView> controllers;
  std::vector<BrokerView> brokers;
  std::vector<TopicView> topics;
  std::vector<GroupView> groups;
  std::vector<EventView> events;  // oldest first
  // True when the node cut the lists short (see ClusterViewLimits).
  bool truncated = false;
};

// Upper bounds on what one view carries, so /api/cluster stays small and
// quick on a cluster with many topics. Apply with Truncate().
struct ClusterViewLimits {
  size_t max_partitions = 2000;  // summed over all topics
  size_t max_groups = 200;
  size_t max_members_per_group = 100;
  size_t max_offsets_per_group = 500;
  size_t max_events = 200;  // the newest are kept
};

// Cuts the view down to `limits` and sets `truncated` if anything was cut.
void Truncate(const ClusterViewLimits& limits, ClusterView* view);

// The JSON object documented in docs/deploy.md. Lists keep the order of the
// struct; derived fields (under_replicated, offline, lag, counts) are
// computed here.
nlohmann::json ToJson(const ClusterView& view);
std::string ToJsonString(const ClusterView& view);

}  // namespace gregor::ui

#endif  // GREGOR_COMMON_UI_CLUSTER_VIEW_H_
