// GroupCoordinatorState: committed offsets — OffsetCommit, OffsetFetch,
// OffsetDelete, DeleteGroups and the expiration sweep. Follows Kafka 4.1's
// OffsetMetadataManager and GroupCoordinatorShard.
#include <algorithm>

#include "broker/group/coordinator_state.h"
#include "glog/logging.h"

namespace gregor::broker::group {

// ---- OffsetCommit ----

void GroupCoordinatorState::OffsetCommit(RequestId id, const RequestContext& ctx,
                                         const OffsetCommitRequest& req, Now now, Output* out) {
  auto fail = [&](ErrorCode error) {
    Send(id, MakeOffsetCommitErrorResponse(req, error), out);
    Finish(out);
  };
  if (req.group_id.size() > kMaxRecordStringBytes) return fail(ErrorCode::kInvalidGroupId);
  Group* group = FindMutableGroup(req.group_id);
  if (group == nullptr) {
    if (req.generation_id_or_member_epoch >= 0) {
      // v9+ says the group is gone; older versions expect ILLEGAL_GENERATION.
      return fail(ctx.api_version >= 9 ? ErrorCode::kGroupIdNotFound
                                       : ErrorCode::kIllegalGeneration);
    }
    // A commit outside group management (admin client, manual assignment):
    // a "simple" group holds the offsets.
    if (static_cast<int64_t>(groups_.size()) >= options_.max_groups) {
      return fail(ErrorCode::kCoordinatorNotAvailable);
    }
    group = &CreateGroup(req.group_id, now);
  }
  // Kafka's ClassicGroup.validateOffsetCommit.
  const int32_t generation = req.generation_id_or_member_epoch;
  if (group->Is(GroupState::kDead)) return fail(ErrorCode::kCoordinatorNotAvailable);
  if (!(generation < 0 && group->Is(GroupState::kEmpty))) {
    if (generation >= 0 || !req.member_id.empty() || req.group_instance_id) {
      ErrorCode error = ValidateMember(*group, req.member_id, req.group_instance_id);
      if (error != ErrorCode::kNone) return fail(error);
      if (generation != group->generation_id()) return fail(ErrorCode::kIllegalGeneration);
    } else if (!group->Is(GroupState::kEmpty)) {
      return fail(ErrorCode::kUnknownMemberId);
    }
    if (group->Is(GroupState::kCompletingRebalance)) return fail(ErrorCode::kRebalanceInProgress);
  }
  // A commit keeps the member's session alive.
  if (group->Is(GroupState::kStable) || group->Is(GroupState::kPreparingRebalance)) {
    if (const Member* m = group->FindMember(req.member_id)) {
      RescheduleHeartbeat(*group, *m, m->session_timeout_ms, now);
    }
  }

  OffsetCommitResponse response;
  std::vector<CoordinatorRecord> records;
  std::vector<OffsetMutation> mutations;
  std::optional<int64_t> expire_ms;
  if (req.retention_time_ms != -1) expire_ms = now.wall_ms + req.retention_time_ms;
  const size_t max_metadata =
      std::min<size_t>(static_cast<size_t>(std::max(options_.offset_metadata_max_bytes, 0)),
                       kMaxRecordStringBytes);
  for (const OffsetCommitRequestTopic& t : req.topics) {
    OffsetCommitResponseTopic rt{t.name, {}};
    for (const OffsetCommitRequestPartition& p : t.partitions) {
      if (p.committed_metadata && p.committed_metadata->size() > max_metadata) {
        rt.partitions.push_back({p.partition_index, ErrorCode::kOffsetMetadataTooLarge});
        continue;
      }
      OffsetAndMetadata om;
      om.committed_offset = p.committed_offset;
      om.leader_epoch = p.committed_leader_epoch < 0 ? -1 : p.committed_leader_epoch;
      om.metadata = p.committed_metadata.value_or("");
      om.commit_timestamp_ms = p.commit_timestamp_ms == -1 ? now.wall_ms : p.commit_timestamp_ms;
      om.expire_timestamp_ms = expire_ms;
      OffsetCommitValue value{om.committed_offset, om.leader_epoch, om.metadata,
                              om.commit_timestamp_ms, om.expire_timestamp_ms.value_or(-1)};
      auto record = MakeOffsetCommitRecord({req.group_id, t.name, p.partition_index}, value);
      if (!record.ok()) {
        // Only a topic name no topic can have fails to encode.
        rt.partitions.push_back({p.partition_index, ErrorCode::kUnknownTopicOrPartition});
        continue;
      }
      rt.partitions.push_back({p.partition_index, ErrorCode::kNone});
      records.push_back(*std::move(record));
      mutations.push_back({req.group_id, t.name, p.partition_index, std::move(om)});
    }
    response.topics.push_back(std::move(rt));
  }
  size_t appends_before = out->appends.size();
  if (!records.empty()) {
    Append(std::move(records), std::move(mutations), /*counts_pending_commits=*/true, nullptr, out);
  }
  ReplyAfterAppends(
      appends_before, id, std::move(response),
      [req](ErrorCode e) { return Response(MakeOffsetCommitErrorResponse(req, e)); }, out);
  Finish(out);
}

// ---- OffsetFetch ----

OffsetFetchResponseGroup GroupCoordinatorState::FetchGroupOffsets(
    const OffsetFetchRequestGroup& req) const {
  OffsetFetchResponseGroup r;
  r.group_id = req.group_id;
  const Group* group = FindGroup(req.group_id);
  const bool group_missing = group == nullptr || group->Is(GroupState::kDead);
  const GroupOffsets* offsets = group_missing ? nullptr : OffsetsOf(req.group_id);
  if (!req.topics) {
    // All committed partitions.
    if (offsets == nullptr) return r;
    for (const auto& [topic, partitions] : *offsets) {
      OffsetFetchResponseTopic rt{topic, {}};
      for (const auto& [partition, om] : partitions) {
        rt.partitions.push_back(
            {partition, om.committed_offset, om.leader_epoch, om.metadata, ErrorCode::kNone});
      }
      r.topics.push_back(std::move(rt));
    }
    return r;
  }
  for (const OffsetFetchRequestTopic& t : *req.topics) {
    OffsetFetchResponseTopic rt{t.name, {}};
    const std::map<int32_t, OffsetAndMetadata>* partitions = nullptr;
    if (offsets != nullptr) {
      auto it = offsets->find(t.name);
      if (it != offsets->end()) partitions = &it->second;
    }
    for (int32_t p : t.partition_indexes) {
      OffsetFetchResponsePartition rp;
      rp.partition_index = p;
      if (partitions != nullptr) {
        auto it = partitions->find(p);
        if (it != partitions->end()) {
          rp.committed_offset = it->second.committed_offset;
          rp.committed_leader_epoch = it->second.leader_epoch;
          rp.metadata = it->second.metadata;
        }
      }
      rt.partitions.push_back(std::move(rp));
    }
    r.topics.push_back(std::move(rt));
  }
  return r;
}

void GroupCoordinatorState::OffsetFetch(RequestId id, const OffsetFetchRequest& req, Now now,
                                        Output* out) {
  (void)now;
  auto answer = [this, req](Output* out, RequestId id) {
    OffsetFetchResponse r;
    for (const OffsetFetchRequestGroup& g : req.groups) {
      if (unloading_) {
        OffsetFetchResponseGroup rg;
        rg.group_id = g.group_id;
        rg.error = ErrorCode::kNotCoordinator;
        r.groups.push_back(std::move(rg));
      } else {
        r.groups.push_back(FetchGroupOffsets(g));
      }
    }
    Send(id, std::move(r), out);
  };
  if (req.require_stable && !pending_appends_.empty()) {
    // Wait for the writes in flight, so an accepted commit is seen (Kafka
    // runs such a fetch as a write operation).
    pending_appends_.back().waiters.push_back(
        [answer, id](const absl::Status&, Now, Output* out) { answer(out, id); });
  } else {
    answer(out, id);
  }
  Finish(out);
}

// ---- OffsetDelete ----

void GroupCoordinatorState::OffsetDelete(RequestId id, const OffsetDeleteRequest& req, Now now,
                                         Output* out) {
  (void)now;
  OffsetDeleteResponse response;
  auto reply_error = [&](ErrorCode e) {
    response.error = e;
    Send(id, std::move(response), out);
    Finish(out);
  };
  if (req.group_id.empty()) return reply_error(ErrorCode::kInvalidGroupId);
  const Group* group = FindGroup(req.group_id);
  if (group == nullptr || group->Is(GroupState::kDead)) return reply_error(ErrorCode::kGroupIdNotFound);
  if (!group->Is(GroupState::kEmpty) && !group->UsesConsumerProtocol()) {
    return reply_error(ErrorCode::kNonEmptyGroup);
  }
  const GroupOffsets* offsets = OffsetsOf(req.group_id);
  std::vector<CoordinatorRecord> records;
  std::vector<OffsetMutation> mutations;
  for (const OffsetDeleteRequestTopic& t : req.topics) {
    OffsetDeleteResponseTopic rt{t.name, {}};
    const bool subscribed = group->IsSubscribedToTopic(t.name);
    for (int32_t p : t.partition_indexes) {
      if (subscribed) {
        rt.partitions.push_back({p, ErrorCode::kGroupSubscribedToTopic});
        continue;
      }
      rt.partitions.push_back({p, ErrorCode::kNone});
      bool committed = false;
      if (offsets != nullptr) {
        auto it = offsets->find(t.name);
        committed = it != offsets->end() && it->second.count(p) > 0;
      }
      if (committed || HasPendingCommit(req.group_id, t.name, p)) {
        auto record = MakeOffsetCommitTombstone({req.group_id, t.name, p});
        if (!record.ok()) continue;  // cannot exist: nothing to delete
        records.push_back(*std::move(record));
        mutations.push_back({req.group_id, t.name, p, std::nullopt});
      }
    }
    response.topics.push_back(std::move(rt));
  }
  size_t appends_before = out->appends.size();
  if (!records.empty()) Append(std::move(records), std::move(mutations), false, nullptr, out);
  ReplyAfterAppends(appends_before, id, std::move(response),
                    [](ErrorCode e) { return Response(OffsetDeleteResponse{e, {}}); }, out);
  Finish(out);
}

// ---- DeleteGroups ----

void GroupCoordinatorState::DeleteGroups(RequestId id, const std::vector<std::string>& group_ids,
                                         Now now, Output* out) {
  (void)now;
  DeleteGroupsResponse response;
  std::vector<CoordinatorRecord> records;
  std::vector<OffsetMutation> mutations;
  std::vector<std::string> deleted;
  auto removed = std::make_shared<std::vector<std::unique_ptr<Group>>>();
  for (const std::string& gid : group_ids) {
    const Group* group = FindGroup(gid);
    ErrorCode error = ErrorCode::kNone;
    if (group == nullptr || group->Is(GroupState::kDead)) {
      error = ErrorCode::kGroupIdNotFound;
    } else if (!group->Is(GroupState::kEmpty)) {
      error = ErrorCode::kNonEmptyGroup;
    }
    response.results.push_back({gid, error});
    if (error != ErrorCode::kNone) continue;
    // Tombstones for every committed offset (and any commit in flight),
    // then for the group.
    std::set<std::pair<std::string, int32_t>> partitions;
    if (const GroupOffsets* offsets = OffsetsOf(gid)) {
      for (const auto& [topic, parts] : *offsets) {
        for (const auto& [p, om] : parts) partitions.emplace(topic, p);
      }
    }
    for (const auto& [key, count] : pending_commits_) {
      if (std::get<0>(key) == gid) partitions.emplace(std::get<1>(key), std::get<2>(key));
    }
    for (const auto& [topic, p] : partitions) {
      auto record = MakeOffsetCommitTombstone({gid, topic, p});
      CHECK(record.ok()) << record.status();  // it was encoded when committed
      records.push_back(*std::move(record));
      mutations.push_back({gid, topic, p, std::nullopt});
    }
    auto tombstone = MakeGroupMetadataTombstone(gid);
    CHECK(tombstone.ok()) << tombstone.status();
    records.push_back(*std::move(tombstone));
    deleted.push_back(gid);
    removed->push_back(RemoveGroup(gid));
  }
  if (!deleted.empty()) LOG(INFO) << "deleted " << deleted.size() << " groups";
  size_t appends_before = out->appends.size();
  if (!records.empty()) {
    Append(std::move(records), std::move(mutations), false,
           [this, deleted, removed](const absl::Status& status, Now, Output*) {
             if (!status.ok()) {
               RestoreGroups(*removed);
               return;
             }
             // A commit in flight when the group was deleted re-created it
             // as a simple group; the tombstones have now removed its
             // offsets, so it goes, as a replay of the log would have it.
             for (const std::string& gid : deleted) {
               const Group* g = FindGroup(gid);
               if (g != nullptr && g->IsSimpleGroup() && OffsetsOf(gid) == nullptr) RemoveGroup(gid);
             }
           },
           out);
  }
  std::vector<std::string> ids = group_ids;
  ReplyAfterAppends(appends_before, id, std::move(response),
                    [ids](ErrorCode e) {
                      DeleteGroupsResponse r;
                      for (const std::string& gid : ids) r.results.push_back({gid, e});
                      return Response(std::move(r));
                    },
                    out);
  Finish(out);
}

// ---- expiration ----

bool GroupCoordinatorState::CleanupExpiredOffsets(const Group& group, Now now,
                                                  std::vector<CoordinatorRecord>* records,
                                                  std::vector<OffsetMutation>* mutations) {
  const GroupOffsets* offsets = OffsetsOf(group.group_id());
  if (offsets == nullptr) return true;
  // From when an offset's retention counts (Kafka's offsetExpirationCondition).
  enum class Base { kCommit, kStateChange, kNone } base = Base::kNone;
  if (group.protocol_type()) {
    if (group.Is(GroupState::kEmpty)) {
      base = Base::kStateChange;
    } else if (group.UsesConsumerProtocol() && group.subscribed_topics() &&
               group.Is(GroupState::kStable)) {
      base = Base::kCommit;
    }
  } else {
    base = Base::kCommit;  // a simple group
  }
  if (base == Base::kNone) return false;
  bool all_expired = true;
  for (const auto& [topic, partitions] : *offsets) {
    if (group.IsSubscribedToTopic(topic)) {
      all_expired = false;
      continue;
    }
    for (const auto& [p, om] : partitions) {
      bool expired;
      if (om.expire_timestamp_ms) {
        expired = now.wall_ms >= *om.expire_timestamp_ms;
      } else {
        int64_t from = base == Base::kStateChange
                           ? group.current_state_timestamp_ms().value_or(om.commit_timestamp_ms)
                           : om.commit_timestamp_ms;
        expired = now.wall_ms - from >= options_.offsets_retention_ms;
      }
      if (!expired || HasPendingCommit(group.group_id(), topic, p)) {
        all_expired = false;
        continue;
      }
      auto record = MakeOffsetCommitTombstone({group.group_id(), topic, p});
      CHECK(record.ok()) << record.status();
      records->push_back(*std::move(record));
      mutations->push_back({group.group_id(), topic, p, std::nullopt});
    }
  }
  return all_expired;
}

void GroupCoordinatorState::ExpireOffsetsAndGroups(Now now, Output* out) {
  std::vector<CoordinatorRecord> records;
  std::vector<OffsetMutation> mutations;
  std::vector<std::string> deleted;
  auto removed = std::make_shared<std::vector<std::unique_ptr<Group>>>();
  size_t expired_offsets = 0;
  for (const std::string& gid : GroupIds()) {
    const Group& group = *FindGroup(gid);
    size_t before = mutations.size();
    bool all_expired = CleanupExpiredOffsets(group, now, &records, &mutations);
    expired_offsets += mutations.size() - before;
    if (all_expired && group.Is(GroupState::kEmpty) && !HasPendingCommitsFor(gid)) {
      auto tombstone = MakeGroupMetadataTombstone(gid);
      CHECK(tombstone.ok()) << tombstone.status();
      records.push_back(*std::move(tombstone));
      deleted.push_back(gid);
      removed->push_back(RemoveGroup(gid));
    }
  }
  if (records.empty()) return;
  LOG(INFO) << "__consumer_offsets-" << partition_ << ": expiring " << expired_offsets
            << " offsets and " << deleted.size() << " groups";
  Append(std::move(records), std::move(mutations), false,
         [this, deleted, removed](const absl::Status& status, Now, Output*) {
           if (!status.ok()) {
             LOG(WARNING) << "failed to persist expired offsets/groups: " << status;
             RestoreGroups(*removed);
             return;
           }
           for (const std::string& gid : deleted) {
             const Group* g = FindGroup(gid);
             if (g != nullptr && g->IsSimpleGroup() && OffsetsOf(gid) == nullptr) RemoveGroup(gid);
           }
         },
         out);
}

bool GroupCoordinatorState::HasPendingCommitsFor(const std::string& group_id) const {
  for (const auto& [key, count] : pending_commits_) {
    if (std::get<0>(key) == group_id) return true;
  }
  return false;
}

}  // namespace gregor::broker::group
