#include "common/metadata/types.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace gregor::metadata {

gregor::Uuid UuidFromProto(const metadata::Uuid& u) { return gregor::Uuid(u.hi(), u.lo()); }

metadata::Uuid UuidToProto(gregor::Uuid u) {
  metadata::Uuid out;
  UuidToProto(u, &out);
  return out;
}

void UuidToProto(gregor::Uuid u, metadata::Uuid* out) {
  out->set_hi(u.hi());
  out->set_lo(u.lo());
}

std::vector<BrokerId> ToBrokerIds(const google::protobuf::RepeatedField<int32_t>& ids) {
  std::vector<BrokerId> out;
  out.reserve(ids.size());
  for (int32_t id : ids) out.push_back(BrokerId(id));
  return out;
}

void ToProtoIds(const std::vector<BrokerId>& ids, google::protobuf::RepeatedField<int32_t>* out) {
  out->Clear();
  out->Reserve(static_cast<int>(ids.size()));
  for (BrokerId id : ids) out->Add(id.value());
}

std::string BrokerIdsString(const std::vector<BrokerId>& ids) {
  return absl::StrCat(
      "[", absl::StrJoin(ids, ", ", [](std::string* s, BrokerId id) { absl::StrAppend(s, id.value()); }),
      "]");
}

}  // namespace gregor::metadata
