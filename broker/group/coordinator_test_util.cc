#include "broker/group/coordinator_test_util.h"

#include <algorithm>

#include "common/bytes.h"

namespace gregor::broker::group::testing {

std::string Subscription(const std::vector<std::string>& topics) {
  ByteWriter w;
  w.WriteInt16(0);
  w.WriteInt32(static_cast<int32_t>(topics.size()));
  for (const std::string& t : topics) {
    w.WriteInt16(static_cast<int16_t>(t.size()));
    w.WriteBytes(t);
  }
  w.WriteInt32(-1);  // user data: null
  return w.Release();
}

JoinGroupRequest JoinReq(const std::string& group, const std::string& member_id,
                         std::vector<JoinGroupProtocol> protocols, int32_t session_timeout_ms,
                         int32_t rebalance_timeout_ms, std::optional<std::string> instance_id) {
  JoinGroupRequest r;
  r.group_id = group;
  r.member_id = member_id;
  r.session_timeout_ms = session_timeout_ms;
  r.rebalance_timeout_ms = rebalance_timeout_ms;
  r.group_instance_id = std::move(instance_id);
  r.protocol_type = "consumer";
  r.protocols = protocols.empty() ? std::vector<JoinGroupProtocol>{{"range", Subscription({"t"})}}
                                  : std::move(protocols);
  return r;
}

RequestContext Ctx(int16_t api_version, const std::string& client_id) {
  return RequestContext{api_version, client_id, "/127.0.0.1"};
}

Harness::Harness(CoordinatorOptions options, uint64_t seed)
    : state_(std::make_unique<GroupCoordinatorState>(0, options, seed)),
      now_{MonoTime(std::chrono::seconds(1000)), kStartWallMs} {
  Output out;
  state_->OnLoaded(now_, &out);
  Absorb(out);
}

void Harness::Absorb(Output& out) {
  for (Reply& r : out.replies) {
    CHECK(replies_.count(r.request_id) == 0) << "request " << r.request_id << " answered twice";
    replies_.emplace(r.request_id, std::move(r.response));
  }
  out.replies.clear();
  for (AppendRequest& a : out.appends) unacked_.push_back(std::move(a));
  out.appends.clear();
  if (auto_ack_) AckAll();
}

void Harness::Ack(AppendId id, absl::Status status) {
  auto it = std::find_if(unacked_.begin(), unacked_.end(),
                         [id](const AppendRequest& a) { return a.id == id; });
  CHECK(it != unacked_.end()) << "no append " << id;
  if (status.ok()) log_.insert(log_.end(), it->records.begin(), it->records.end());
  unacked_.erase(it);
  Output out;
  state_->OnAppendDone(id, status, now_, &out);
  Absorb(out);
}

void Harness::AckAll(absl::Status status) {
  while (!unacked_.empty()) Ack(unacked_.front().id, status);
}

void Harness::Advance(int64_t ms) {
  const MonoTime target = now_.mono + std::chrono::milliseconds(ms);
  const int64_t target_wall = now_.wall_ms + ms;
  while (true) {
    std::optional<MonoTime> next = state_->timers().NextDeadline();
    if (!next || *next > target) break;
    if (*next > now_.mono) {
      now_.wall_ms += std::chrono::duration_cast<std::chrono::milliseconds>(*next - now_.mono).count();
      now_.mono = *next;
    }
    Output out;
    state_->Tick(now_, &out);
    Absorb(out);
  }
  now_.mono = target;
  now_.wall_ms = target_wall;
}

RequestId Harness::Join(const JoinGroupRequest& req, const RequestContext& ctx) {
  RequestId id = next_id_++;
  Output out;
  state_->JoinGroup(id, ctx, req, now_, &out);
  Absorb(out);
  return id;
}

RequestId Harness::Sync(const SyncGroupRequest& req, const RequestContext& ctx) {
  RequestId id = next_id_++;
  Output out;
  state_->SyncGroup(id, ctx, req, now_, &out);
  Absorb(out);
  return id;
}

RequestId Harness::Heartbeat(const HeartbeatRequest& req, const RequestContext& ctx) {
  RequestId id = next_id_++;
  Output out;
  state_->Heartbeat(id, ctx, req, now_, &out);
  Absorb(out);
  return id;
}

RequestId Harness::Leave(const LeaveGroupRequest& req, const RequestContext& ctx) {
  RequestId id = next_id_++;
  Output out;
  state_->LeaveGroup(id, ctx, req, now_, &out);
  Absorb(out);
  return id;
}

RequestId Harness::Commit(const OffsetCommitRequest& req, const RequestContext& ctx) {
  RequestId id = next_id_++;
  Output out;
  state_->OffsetCommit(id, ctx, req, now_, &out);
  Absorb(out);
  return id;
}

RequestId Harness::Fetch(const OffsetFetchRequest& req) {
  RequestId id = next_id_++;
  Output out;
  state_->OffsetFetch(id, req, now_, &out);
  Absorb(out);
  return id;
}

RequestId Harness::DeleteOffsets(const OffsetDeleteRequest& req) {
  RequestId id = next_id_++;
  Output out;
  state_->OffsetDelete(id, req, now_, &out);
  Absorb(out);
  return id;
}

RequestId Harness::DeleteGroups(const std::vector<std::string>& groups) {
  RequestId id = next_id_++;
  Output out;
  state_->DeleteGroups(id, groups, now_, &out);
  Absorb(out);
  return id;
}

std::pair<std::string, RequestId> Harness::JoinTwoStep(JoinGroupRequest req,
                                                       const RequestContext& ctx) {
  req.member_id.clear();
  RequestId first = Join(req, ctx);
  auto r = Take<JoinGroupResponse>(first);
  CHECK(r.has_value()) << "first JoinGroup not answered";
  CHECK(r->error == ErrorCode::kMemberIdRequired) << ErrorName(r->error);
  req.member_id = r->member_id;
  return {r->member_id, Join(req, ctx)};
}

std::vector<std::string> Harness::FormGroup(const std::string& group, int n,
                                            const std::vector<std::string>& topics) {
  std::vector<std::string> ids;
  std::vector<RequestId> joins;
  for (int i = 0; i < n; ++i) {
    auto [id, join] = JoinTwoStep(JoinReq(group, "", {{"range", Subscription(topics)}}),
                                  Ctx(9, "c" + std::to_string(i)));
    ids.push_back(id);
    joins.push_back(join);
  }
  Advance(state_->options().group_initial_rebalance_delay_ms * static_cast<int64_t>(n + 1));
  int32_t generation = -1;
  std::string leader;
  for (RequestId j : joins) {
    auto r = Take<JoinGroupResponse>(j);
    CHECK(r.has_value() && r->error == ErrorCode::kNone) << "join not completed";
    generation = r->generation_id;
    leader = r->leader;
  }
  std::vector<RequestId> syncs;
  for (const std::string& id : ids) {
    SyncGroupRequest s;
    s.group_id = group;
    s.generation_id = generation;
    s.member_id = id;
    s.protocol_type = "consumer";
    s.protocol_name = "range";
    if (id == leader) {
      for (const std::string& m : ids) s.assignments.push_back({m, "assignment-of-" + m});
    }
    syncs.push_back(Sync(s));
  }
  for (RequestId s : syncs) {
    auto r = Take<SyncGroupResponse>(s);
    CHECK(r.has_value() && r->error == ErrorCode::kNone) << "sync not completed";
  }
  // Leader first.
  std::stable_partition(ids.begin(), ids.end(), [&](const std::string& id) { return id == leader; });
  return ids;
}

}  // namespace gregor::broker::group::testing
