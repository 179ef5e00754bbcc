// Randomised simulation: clients that follow the protocol loosely (stale
// generations, rejoins, leaves, restarts of static members, failed writes)
// drive one coordinator. After every step the groups' invariants must hold;
// at the end every request must have been answered exactly once and a
// coordinator rebuilt from the log must hold the same groups and offsets.
// Each run prints its seed.
#include <random>

#include "broker/group/coordinator_state.h"
#include "broker/group/coordinator_test_util.h"
#include "gflags/gflags.h"
#include "gtest/gtest.h"

DEFINE_uint64(seed, 0, "run only this simulation seed (0: seeds 1..--sim_seeds)");
DEFINE_uint64(sim_seeds, 40, "how many seeds to run");
DEFINE_int32(sim_steps, 400, "steps per simulation");

namespace gregor::broker::group {
namespace {

using testing::Ctx;
using testing::Harness;
using testing::JoinReq;
using testing::Subscription;

struct Client {
  std::string group;
  std::string member_id;
  std::optional<std::string> instance;
  int32_t generation = -1;
  bool leader = false;
  std::vector<std::string> members;  // as the leader last saw them
  int16_t version = 9;
};

enum class Kind { kJoin, kSync, kHeartbeat, kLeave, kCommit, kFetch, kOffsetDelete, kDeleteGroups };

void CheckInvariants(const GroupCoordinatorState& s) {
  for (const std::string& id : s.GroupIds()) {
    const Group& g = *s.FindGroup(id);
    size_t awaiting = 0, statics = 0;
    for (const auto& [mid, m] : g.members()) {
      if (m.awaiting_join) ++awaiting;
      if (m.group_instance_id) {
        ++statics;
        ASSERT_NE(g.StaticMemberId(*m.group_instance_id), nullptr) << id;
        EXPECT_EQ(*g.StaticMemberId(*m.group_instance_id), mid) << id;
      }
      if (g.Is(GroupState::kStable)) {
        EXPECT_FALSE(m.awaiting_join) << id << " " << mid;
      }
    }
    EXPECT_EQ(awaiting, g.num_awaiting_join()) << id;
    EXPECT_EQ(statics, g.num_static_members()) << id;
    if (g.num_members() > 0) {
      ASSERT_TRUE(g.leader_id().has_value()) << id;
      EXPECT_TRUE(g.HasMember(*g.leader_id())) << id;
      EXPECT_FALSE(g.Is(GroupState::kEmpty)) << id;
    }
    if (g.Is(GroupState::kCompletingRebalance) || g.Is(GroupState::kStable)) {
      EXPECT_TRUE(g.protocol_name().has_value()) << id;
    }
  }
}

std::string Summary(const Group& g) {
  std::string s = std::string(GroupStateName(g.state())) + "/" + std::to_string(g.generation_id()) +
                  "/" + g.protocol_name().value_or("-") + "/" + g.leader_id().value_or("-");
  for (const auto& [id, m] : g.members()) s += "|" + id + ":" + m.assignment;
  return s;
}

// With `fail_writes` some appends fail: the coordinator must still answer
// everything and keep its invariants, but the log may then (as in Kafka)
// hold an older view of a group than memory, so the rebuild is compared
// only for runs without failed writes.
void RunSimulation(uint64_t seed, int steps, bool fail_writes) {
  SCOPED_TRACE("seed " + std::to_string(seed) + (fail_writes ? " with failed writes" : ""));
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  CoordinatorOptions options;
  options.offsets_retention_ms = 3600000;
  options.offsets_retention_check_interval_ms = 60000;
  options.group_max_size = 4;
  Harness h(options, seed);
  const std::vector<std::string> groups = {"g1", "g2", "g3"};
  std::vector<Client> clients(8);
  for (size_t i = 0; i < clients.size(); ++i) {
    clients[i].group = groups[i % groups.size()];
    if (i % 3 == 0) clients[i].instance = "inst-" + std::to_string(i);
    clients[i].version = std::vector<int16_t>{2, 5, 9}[i % 3];
  }
  std::map<RequestId, std::pair<size_t, Kind>> outstanding;
  size_t issued = 0;
  const std::vector<std::vector<JoinGroupProtocol>> protocol_sets = {
      {{"range", Subscription({"t"})}},
      {{"range", Subscription({"t", "u"})}, {"roundrobin", Subscription({"t"})}},
      {{"roundrobin", Subscription({"u"})}}};

  auto collect = [&] {
    for (auto it = outstanding.begin(); it != outstanding.end();) {
      if (!h.Answered(it->first)) {
        ++it;
        continue;
      }
      Client& c = clients[it->second.first];
      switch (it->second.second) {
        case Kind::kJoin: {
          auto r = *h.Take<JoinGroupResponse>(it->first);
          if (r.error == ErrorCode::kNone || r.error == ErrorCode::kMemberIdRequired) {
            c.member_id = r.member_id;
          } else if (r.error == ErrorCode::kUnknownMemberId ||
                     r.error == ErrorCode::kFencedInstanceId) {
            c.member_id.clear();
          }
          if (r.error == ErrorCode::kNone) {
            c.generation = r.generation_id;
            c.leader = r.leader == r.member_id;
            c.members.clear();
            for (const auto& m : r.members) c.members.push_back(m.member_id);
          }
          break;
        }
        case Kind::kSync: h.Take<SyncGroupResponse>(it->first); break;
        case Kind::kHeartbeat: h.Take<HeartbeatResponse>(it->first); break;
        case Kind::kLeave: h.Take<LeaveGroupResponse>(it->first); break;
        case Kind::kCommit: h.Take<OffsetCommitResponse>(it->first); break;
        case Kind::kFetch: h.Take<OffsetFetchResponse>(it->first); break;
        case Kind::kOffsetDelete: h.Take<OffsetDeleteResponse>(it->first); break;
        case Kind::kDeleteGroups: h.Take<DeleteGroupsResponse>(it->first); break;
      }
      it = outstanding.erase(it);
    }
  };
  auto track = [&](RequestId id, size_t client, Kind kind) {
    outstanding[id] = {client, kind};
    ++issued;
  };

  for (int step = 0; step < steps; ++step) {
    size_t ci = static_cast<size_t>(pick(static_cast<int>(clients.size())));
    Client& c = clients[ci];
    RequestContext ctx = Ctx(c.version, "client-" + std::to_string(ci));
    switch (pick(12)) {
      case 0:
      case 1: {
        JoinGroupRequest req = JoinReq(c.group, c.member_id, protocol_sets[pick(3)], 45000,
                                       pick(2) ? 300000 : 20000, c.version >= 5 ? c.instance : std::nullopt);
        if (pick(10) == 0) req.member_id.clear();  // a restart
        track(h.Join(req, ctx), ci, Kind::kJoin);
        break;
      }
      case 2: {
        SyncGroupRequest req{c.group, c.generation, c.member_id,
                             c.version >= 5 ? c.instance : std::nullopt,
                             std::nullopt, std::nullopt, {}};
        if (ctx.api_version >= 5) {
          req.protocol_type = "consumer";
          req.protocol_name = h.state().FindGroup(c.group) &&
                                      h.state().FindGroup(c.group)->protocol_name()
                                  ? *h.state().FindGroup(c.group)->protocol_name()
                                  : "range";
        }
        if (c.leader) {
          for (const std::string& m : c.members) req.assignments.push_back({m, "a-" + m});
        }
        track(h.Sync(req, Ctx(ctx.api_version >= 5 ? 5 : 3)), ci, Kind::kSync);
        break;
      }
      case 3:
      case 4:
        track(h.Heartbeat({c.group, c.generation, c.member_id,
                           c.version >= 5 ? c.instance : std::nullopt}),
              ci, Kind::kHeartbeat);
        break;
      case 5:
        if (pick(3) == 0) {
          track(h.Leave({c.group, {{c.member_id, c.version >= 5 ? c.instance : std::nullopt, {}}}}),
                ci, Kind::kLeave);
        }
        break;
      case 6: {
        OffsetCommitRequest req;
        req.group_id = c.group;
        req.generation_id_or_member_epoch = pick(4) == 0 ? -1 : c.generation;
        req.member_id = req.generation_id_or_member_epoch == -1 ? "" : c.member_id;
        OffsetCommitRequestPartition p;
        p.partition_index = pick(3);
        p.committed_offset = step;
        req.topics.push_back({pick(2) ? "t" : "u", {p}});
        track(h.Commit(req, Ctx(pick(2) ? 9 : 7)), ci, Kind::kCommit);
        break;
      }
      case 7: {
        OffsetFetchRequestGroup g;
        g.group_id = c.group;
        if (pick(2)) g.topics = std::vector<OffsetFetchRequestTopic>{{"t", {0, 1, 2}}};
        track(h.Fetch({{g}, pick(2) == 0}), ci, Kind::kFetch);
        break;
      }
      case 8:
        h.Advance(pick(20000));
        break;
      case 9:
        if (pick(4) == 0) {
          h.set_auto_ack(false);
        } else if (!h.unacked().empty()) {
          int r = pick(4);
          if (r == 0 && fail_writes) {
            h.AckAll(absl::UnavailableError("no replicas"));
          } else {
            h.AckAll();
          }
          h.set_auto_ack(true);
        }
        break;
      case 10:
        if (pick(4) == 0) {
          track(h.DeleteGroups({c.group}), ci, Kind::kDeleteGroups);
        } else {
          track(h.DeleteOffsets({c.group, {{"u", {0, 1, 2}}}}), ci, Kind::kOffsetDelete);
        }
        break;
      case 11:
        h.state().DescribeGroups(Ctx(6), groups);
        h.state().ListGroups({});
        break;
    }
    collect();
    CheckInvariants(h.state());
    if (::testing::Test::HasFailure()) return;
  }

  // Quiesce: writes done, every session and rebalance timed out.
  h.set_auto_ack(true);
  h.AckAll();
  h.Advance(2 * 3600 * 1000);
  collect();
  EXPECT_TRUE(outstanding.empty()) << outstanding.size() << " of " << issued
                                   << " requests never answered";
  EXPECT_EQ(h.num_unclaimed_replies(), 0u);
  EXPECT_EQ(h.state().num_pending_appends(), 0u);
  CheckInvariants(h.state());
  if (fail_writes) return;

  GroupCoordinatorState rebuilt(0, options, seed);
  for (const CoordinatorRecord& r : h.log()) {
    ASSERT_TRUE(rebuilt.Replay(r, h.now().wall_ms).ok());
  }
  ASSERT_EQ(rebuilt.GroupIds(), h.state().GroupIds());
  for (const std::string& id : h.state().GroupIds()) {
    EXPECT_EQ(Summary(*rebuilt.FindGroup(id)), Summary(*h.state().FindGroup(id))) << id;
  }
  EXPECT_EQ(rebuilt.all_offsets(), h.state().all_offsets());
}

TEST(CoordinatorSimulationTest, RandomClientsKeepInvariantsAndRebuildIdentically) {
  uint64_t first = FLAGS_seed != 0 ? FLAGS_seed : 1;
  uint64_t last = FLAGS_seed != 0 ? FLAGS_seed : FLAGS_sim_seeds;
  for (uint64_t seed = first; seed <= last; ++seed) {
    RunSimulation(seed, FLAGS_sim_steps, /*fail_writes=*/seed % 2 == 1);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "failing seed: " << seed;
      return;
    }
  }
}

}  // namespace
}  // namespace gregor::broker::group
