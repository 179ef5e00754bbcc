// GroupCoordinatorState: the read-only APIs — DescribeGroups, ListGroups and
// ConsumerGroupDescribe.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/group/coordinator_state.h"

namespace gregor::broker::group {
namespace {

std::string Lower(std::string_view s) {
  std::string out(absl::StripAsciiWhitespace(absl::string_view(s.data(), s.size())));
  absl::AsciiStrToLower(&out);
  return out;
}

}  // namespace

std::vector<DescribedGroup> GroupCoordinatorState::DescribeGroups(
    const RequestContext& ctx, const std::vector<std::string>& group_ids) const {
  std::vector<DescribedGroup> out;
  out.reserve(group_ids.size());
  for (const std::string& gid : group_ids) {
    DescribedGroup d;
    d.group_id = gid;
    const Group* group = FindGroup(gid);
    if (group == nullptr || group->Is(GroupState::kDead)) {
      d.group_state = std::string(GroupStateName(GroupState::kDead));
      if (ctx.api_version >= 6) {
        // KIP-1043: v6 reports a missing group as an error.
        d.error = ErrorCode::kGroupIdNotFound;
        d.error_message = absl::StrCat("Group ", gid, " not found.");
      }
      out.push_back(std::move(d));
      continue;
    }
    d.group_state = std::string(GroupStateName(group->state()));
    d.protocol_type = group->protocol_type().value_or("");
    const bool stable = group->Is(GroupState::kStable);
    if (stable) d.protocol_data = group->protocol_name().value_or("");
    for (const auto& [mid, m] : group->members()) {
      DescribedGroupMember dm;
      dm.member_id = mid;
      dm.group_instance_id = m.group_instance_id;
      dm.client_id = m.client_id;
      dm.client_host = m.client_host;
      if (stable && group->protocol_name()) {
        const std::string* md = m.MetadataFor(*group->protocol_name());
        if (md != nullptr) dm.member_metadata = *md;
      }
      dm.member_assignment = m.assignment;
      d.members.push_back(std::move(dm));
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<ListedGroup> GroupCoordinatorState::ListGroups(const ListGroupsRequest& req) const {
  std::set<std::string> states;
  for (const std::string& s : req.states_filter) states.insert(Lower(s));
  // Only classic groups live here: a types filter matches them if it names
  // "classic" (unknown names match nothing, as in Kafka).
  bool type_ok = req.types_filter.empty();
  for (const std::string& t : req.types_filter) type_ok = type_ok || Lower(t) == "classic";
  std::vector<ListedGroup> out;
  if (!type_ok) return out;
  for (const std::string& gid : GroupIds()) {
    const Group& g = *FindGroup(gid);
    if (!states.empty() && states.count(GroupStateLowerName(g.state())) == 0) continue;
    out.push_back({gid, g.protocol_type().value_or(""), std::string(GroupStateName(g.state())),
                   "classic"});
  }
  return out;
}

std::vector<ConsumerGroupDescribedGroup> GroupCoordinatorState::ConsumerGroupDescribe(
    const std::vector<std::string>& group_ids) const {
  std::vector<ConsumerGroupDescribedGroup> out;
  for (const std::string& gid : group_ids) {
    ConsumerGroupDescribedGroup d;
    d.group_id = gid;
    if (gid.empty()) {
      d.error = ErrorCode::kInvalidGroupId;
    } else {
      // KIP-848 groups do not exist yet: a classic group is "not a consumer
      // group", as Kafka 4.1.1 answers.
      d.error = ErrorCode::kGroupIdNotFound;
      d.error_message = FindGroup(gid) != nullptr
                            ? absl::StrCat("Group ", gid, " is not a consumer group.")
                            : absl::StrCat("Group ", gid, " not found.");
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace gregor::broker::group
