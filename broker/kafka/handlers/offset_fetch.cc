#include "broker/kafka/handlers/offset_fetch.h"

#include "broker/group/group_coordinator.h"
#include "broker/kafka/handlers/group_common.h"

namespace gregor::broker {
namespace {

using Wire = kafka::OffsetFetchResponse;

Wire ToWireResponse(const kafka::OffsetFetchRequest& req, const group::OffsetFetchResponse& g,
                    int16_t version) {
  Wire r;
  if (version >= 8) {
    r.groups.reserve(g.groups.size());
    for (const group::OffsetFetchResponseGroup& gg : g.groups) {
      Wire::OffsetFetchResponseGroup rg;
      rg.group_id = gg.group_id;
      rg.error_code = ToWire(gg.error);
      for (const group::OffsetFetchResponseTopic& t : gg.topics) {
        Wire::OffsetFetchResponseTopics rt;
        rt.name = t.name;
        for (const group::OffsetFetchResponsePartition& p : t.partitions) {
          auto& w = rt.partitions.emplace_back();
          w.partition_index = p.partition_index;
          w.committed_offset = p.committed_offset;
          w.committed_leader_epoch = p.committed_leader_epoch;
          w.metadata = p.metadata;
          w.error_code = ToWire(p.error);
        }
        rg.topics.push_back(std::move(rt));
      }
      r.groups.push_back(std::move(rg));
    }
    return r;
  }
  // v0-v7: exactly one group.
  const group::OffsetFetchResponseGroup empty;
  const group::OffsetFetchResponseGroup& gg = g.groups.empty() ? empty : g.groups.front();
  r.error_code = ToWire(gg.error);
  if (version < 2 && gg.error != group::ErrorCode::kNone) {
    // No top-level error before v2: every partition asked carries it.
    for (const auto& t : req.topics.value_or(
             std::vector<kafka::OffsetFetchRequest::OffsetFetchRequestTopic>{})) {
      Wire::OffsetFetchResponseTopic rt;
      rt.name = t.name;
      for (int32_t p : t.partition_indexes) {
        auto& w = rt.partitions.emplace_back();
        w.partition_index = p;
        w.committed_offset = -1;
        w.committed_leader_epoch = -1;
        w.metadata = std::string();
        w.error_code = ToWire(gg.error);
      }
      r.topics.push_back(std::move(rt));
    }
    return r;
  }
  for (const group::OffsetFetchResponseTopic& t : gg.topics) {
    Wire::OffsetFetchResponseTopic rt;
    rt.name = t.name;
    for (const group::OffsetFetchResponsePartition& p : t.partitions) {
      auto& w = rt.partitions.emplace_back();
      w.partition_index = p.partition_index;
      w.committed_offset = p.committed_offset;
      w.committed_leader_epoch = p.committed_leader_epoch;
      w.metadata = p.metadata;
      w.error_code = ToWire(p.error);
    }
    r.topics.push_back(std::move(rt));
  }
  return r;
}

}  // namespace

void OffsetFetchHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                kafka::OffsetFetchRequest req,
                                Reply<kafka::OffsetFetchResponse> reply) {
  const int16_t version = reply.version();
  group::OffsetFetchRequest g;
  g.require_stable = req.require_stable;
  if (version >= 8) {
    g.groups.reserve(req.groups.size());
    for (auto& rg : req.groups) {
      group::OffsetFetchRequestGroup gg;
      gg.group_id = std::move(rg.group_id);
      gg.member_id = std::move(rg.member_id);
      gg.member_epoch = rg.member_epoch;
      if (rg.topics.has_value()) {
        gg.topics.emplace();
        for (auto& t : *rg.topics) {
          gg.topics->push_back({std::move(t.name), std::move(t.partition_indexes)});
        }
      }
      g.groups.push_back(std::move(gg));
    }
  } else {
    group::OffsetFetchRequestGroup gg;
    gg.group_id = req.group_id;
    if (req.topics.has_value()) {
      gg.topics.emplace();
      for (const auto& t : *req.topics) gg.topics->push_back({t.name, t.partition_indexes});
    }
    g.groups.push_back(std::move(gg));
  }
  if (ctx_->groups == nullptr) {
    group::OffsetFetchResponse r;
    for (const auto& gg : g.groups) {
      group::OffsetFetchResponseGroup rg;
      rg.group_id = gg.group_id;
      rg.error = group::ErrorCode::kCoordinatorNotAvailable;
      r.groups.push_back(std::move(rg));
    }
    reply.Send(ToWireResponse(req, r, version));
    return;
  }
  auto shared = SharedReply(std::move(reply));
  auto request = std::make_shared<kafka::OffsetFetchRequest>(std::move(req));
  ctx_->groups->OffsetFetch(GroupRequestContext(*ctx), g,
                            [shared, request, version](group::OffsetFetchResponse r) {
                              shared->Send(ToWireResponse(*request, r, version));
                            });
}

}  // namespace gregor::broker
