#include "broker/group/records.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "common/status.h"

namespace gregor::broker::group {
namespace {

// Writes fields in the classic (non-flexible) or the flexible encoding.
class FieldWriter {
 public:
  explicit FieldWriter(bool flexible) : flexible_(flexible) {}

  void Int16(int16_t v) { w_.WriteInt16(v); }
  void Int32(int32_t v) { w_.WriteInt32(v); }
  void Int64(int64_t v) { w_.WriteInt64(v); }

  void String(std::string_view s) { NullableString(s); }
  void NullableString(std::optional<std::string_view> s) {
    if (flexible_) {
      w_.WriteUnsignedVarint(s ? static_cast<uint32_t>(s->size() + 1) : 0);
    } else {
      if (s && s->size() > kMaxRecordStringBytes) {
        Fail(absl::StrCat("string of ", s->size(), " bytes does not fit an int16 length"));
        return;
      }
      w_.WriteInt16(s ? static_cast<int16_t>(s->size()) : -1);
    }
    if (s) w_.WriteBytes(*s);
  }
  void Bytes(std::string_view b) {
    if (b.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max() - 1)) {
      Fail("bytes field over 2 GiB");
      return;
    }
    if (flexible_) {
      w_.WriteUnsignedVarint(static_cast<uint32_t>(b.size() + 1));
    } else {
      w_.WriteInt32(static_cast<int32_t>(b.size()));
    }
    w_.WriteBytes(b);
  }
  void ArrayLength(size_t n) {
    if (flexible_) {
      w_.WriteUnsignedVarint(static_cast<uint32_t>(n + 1));
    } else {
      w_.WriteInt32(static_cast<int32_t>(n));
    }
  }
  // End of a struct: no tagged fields.
  void EndStruct() {
    if (flexible_) w_.WriteUnsignedVarint(0);
  }

  absl::StatusOr<std::string> Finish() {
    if (!status_.ok()) return status_;
    return w_.Release();
  }

 private:
  void Fail(std::string what) {
    if (status_.ok()) status_ = absl::InvalidArgumentError(std::move(what));
  }

  bool flexible_;
  ByteWriter w_;
  absl::Status status_;
};

// Reads fields in the classic or the flexible encoding. Sticky failure, as
// ByteReader.
class FieldReader {
 public:
  FieldReader(std::string_view bytes, bool flexible) : r_(bytes), flexible_(flexible) {}

  void SetFlexible(bool flexible) { flexible_ = flexible; }

  int16_t Int16() { return r_.ReadInt16(); }
  int32_t Int32() { return r_.ReadInt32(); }
  int64_t Int64() { return r_.ReadInt64(); }

  std::optional<std::string> NullableString() {
    int64_t len;
    if (flexible_) {
      len = static_cast<int64_t>(r_.ReadUnsignedVarint()) - 1;
    } else {
      len = r_.ReadInt16();
    }
    if (!r_.ok()) return std::nullopt;
    if (len < -1) {
      r_.Fail("negative string length");
      return std::nullopt;
    }
    if (len == -1) return std::nullopt;
    std::string_view s = r_.ReadBytes(static_cast<size_t>(len));
    return std::string(s);
  }
  std::string String() {
    std::optional<std::string> s = NullableString();
    if (!s && r_.ok()) r_.Fail("null in a non-nullable string");
    return s.value_or("");
  }
  std::string Bytes() {
    int64_t len;
    if (flexible_) {
      len = static_cast<int64_t>(r_.ReadUnsignedVarint()) - 1;
    } else {
      len = r_.ReadInt32();
    }
    if (!r_.ok()) return "";
    if (len < 0) {
      r_.Fail("null or negative length in a non-nullable bytes field");
      return "";
    }
    return std::string(r_.ReadBytes(static_cast<size_t>(len)));
  }
  // Returns the element count, failing when it is negative or when the
  // remaining bytes cannot hold that many elements of `min_element_size`.
  size_t ArrayLength(size_t min_element_size) {
    int64_t n;
    if (flexible_) {
      n = static_cast<int64_t>(r_.ReadUnsignedVarint()) - 1;
    } else {
      n = r_.ReadInt32();
    }
    if (!r_.ok()) return 0;
    if (n < 0) {
      r_.Fail("null or negative array length");
      return 0;
    }
    if (min_element_size > 0 && static_cast<uint64_t>(n) > r_.remaining() / min_element_size) {
      r_.Fail("array length larger than the remaining bytes");
      return 0;
    }
    return static_cast<size_t>(n);
  }
  // Skips the tagged fields that end a flexible struct.
  void EndStruct() {
    if (!flexible_) return;
    uint32_t count = r_.ReadUnsignedVarint();
    for (uint32_t i = 0; i < count && r_.ok(); ++i) {
      (void)r_.ReadUnsignedVarint();  // tag
      uint32_t size = r_.ReadUnsignedVarint();
      r_.Skip(size);
    }
  }

  // OK unless a read failed.
  absl::Status Check(const char* what) const {
    if (!r_.ok()) {
      return absl::DataLossError(absl::StrCat(what, ": ", r_.status().message()));
    }
    return absl::OkStatus();
  }
  // As Check, and no bytes may be left.
  absl::Status Finish(const char* what) const {
    RETURN_IF_ERROR(Check(what));
    if (r_.remaining() != 0) {
      return absl::DataLossError(absl::StrCat(what, ": ", r_.remaining(), " trailing bytes"));
    }
    return absl::OkStatus();
  }

 private:
  ByteReader r_;
  bool flexible_;
};

// Smallest encoded MemberMetadata: four 1-byte compact strings, two int32s,
// two 1-byte compact bytes, the tagged-field count.
constexpr size_t kMinMemberBytes = 4 + 8 + 2 + 1;

}  // namespace

int16_t OffsetCommitValueVersionFor(const OffsetCommitValue& value) {
  return value.expire_timestamp_ms >= 0 ? 1 : 3;
}

absl::StatusOr<std::string> EncodeOffsetCommitKey(const OffsetCommitKey& key) {
  FieldWriter w(/*flexible=*/false);
  w.Int16(kOffsetCommitKeyVersion);
  w.String(key.group);
  w.String(key.topic);
  w.Int32(key.partition);
  return w.Finish();
}

absl::StatusOr<std::string> EncodeGroupMetadataKey(const GroupMetadataKey& key) {
  FieldWriter w(/*flexible=*/false);
  w.Int16(kGroupMetadataKeyVersion);
  w.String(key.group);
  return w.Finish();
}

absl::StatusOr<std::string> EncodeOffsetCommitValue(const OffsetCommitValue& value,
                                                    int16_t version) {
  if (version < 0 || version > 4) {
    return absl::InvalidArgumentError(absl::StrCat("OffsetCommitValue has no version ", version));
  }
  FieldWriter w(/*flexible=*/version >= 4);
  w.Int16(version);
  w.Int64(value.offset);
  if (version >= 3) w.Int32(value.leader_epoch);
  w.String(value.metadata);
  w.Int64(value.commit_timestamp_ms);
  if (version == 1) w.Int64(value.expire_timestamp_ms);
  w.EndStruct();
  return w.Finish();
}

absl::StatusOr<std::string> EncodeGroupMetadataValue(const GroupMetadataValue& value,
                                                     int16_t version) {
  if (version < 0 || version > 4) {
    return absl::InvalidArgumentError(absl::StrCat("GroupMetadataValue has no version ", version));
  }
  FieldWriter w(/*flexible=*/version >= 4);
  w.Int16(version);
  w.String(value.protocol_type);
  w.Int32(value.generation);
  w.NullableString(value.protocol);
  w.NullableString(value.leader);
  if (version >= 2) w.Int64(value.current_state_timestamp_ms);
  w.ArrayLength(value.members.size());
  for (const GroupMemberMetadata& m : value.members) {
    w.String(m.member_id);
    if (version >= 3) w.NullableString(m.group_instance_id);
    w.String(m.client_id);
    w.String(m.client_host);
    if (version >= 1) w.Int32(m.rebalance_timeout_ms);
    w.Int32(m.session_timeout_ms);
    w.Bytes(m.subscription);
    w.Bytes(m.assignment);
    w.EndStruct();
  }
  w.EndStruct();
  return w.Finish();
}

absl::StatusOr<DecodedKey> DecodeKey(std::string_view bytes) {
  FieldReader r(bytes, /*flexible=*/false);
  int16_t version = r.Int16();
  if (bytes.size() < 2) return absl::DataLossError("record key shorter than its version");
  if (version == 0 || version == 1) {
    OffsetCommitKey key;
    key.group = r.String();
    key.topic = r.String();
    key.partition = r.Int32();
    RETURN_IF_ERROR(r.Finish("OffsetCommitKey"));
    return DecodedKey(std::move(key));
  }
  if (version == 2) {
    GroupMetadataKey key;
    key.group = r.String();
    RETURN_IF_ERROR(r.Finish("GroupMetadataKey"));
    return DecodedKey(std::move(key));
  }
  if (version < 0) return absl::DataLossError(absl::StrCat("negative record key version ", version));
  return DecodedKey(UnknownKey{version});
}

absl::StatusOr<OffsetCommitValue> DecodeOffsetCommitValue(std::string_view bytes) {
  FieldReader r(bytes, /*flexible=*/false);
  int16_t version = r.Int16();
  if (bytes.size() < 2) return absl::DataLossError("OffsetCommitValue shorter than its version");
  if (version < 0 || version > 4) {
    return absl::DataLossError(absl::StrCat("OffsetCommitValue version ", version, " is unknown"));
  }
  r.SetFlexible(version >= 4);
  OffsetCommitValue v;
  v.offset = r.Int64();
  if (version >= 3) v.leader_epoch = r.Int32();
  v.metadata = r.String();
  v.commit_timestamp_ms = r.Int64();
  if (version == 1) v.expire_timestamp_ms = r.Int64();
  r.EndStruct();
  RETURN_IF_ERROR(r.Finish("OffsetCommitValue"));
  return v;
}

absl::StatusOr<GroupMetadataValue> DecodeGroupMetadataValue(std::string_view bytes) {
  FieldReader r(bytes, /*flexible=*/false);
  int16_t version = r.Int16();
  if (bytes.size() < 2) return absl::DataLossError("GroupMetadataValue shorter than its version");
  if (version < 0 || version > 4) {
    return absl::DataLossError(absl::StrCat("GroupMetadataValue version ", version, " is unknown"));
  }
  r.SetFlexible(version >= 4);
  GroupMetadataValue v;
  v.protocol_type = r.String();
  v.generation = r.Int32();
  v.protocol = r.NullableString();
  v.leader = r.NullableString();
  if (version >= 2) v.current_state_timestamp_ms = r.Int64();
  size_t n = r.ArrayLength(kMinMemberBytes);
  v.members.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    GroupMemberMetadata m;
    m.member_id = r.String();
    if (version >= 3) m.group_instance_id = r.NullableString();
    m.client_id = r.String();
    m.client_host = r.String();
    if (version >= 1) m.rebalance_timeout_ms = r.Int32();
    m.session_timeout_ms = r.Int32();
    m.subscription = r.Bytes();
    m.assignment = r.Bytes();
    r.EndStruct();
    v.members.push_back(std::move(m));
  }
  r.EndStruct();
  RETURN_IF_ERROR(r.Finish("GroupMetadataValue"));
  return v;
}

absl::StatusOr<CoordinatorRecord> MakeOffsetCommitRecord(const OffsetCommitKey& key,
                                                         const OffsetCommitValue& value) {
  CoordinatorRecord rec;
  ASSIGN_OR_RETURN(rec.key, EncodeOffsetCommitKey(key));
  ASSIGN_OR_RETURN(rec.value, EncodeOffsetCommitValue(value, OffsetCommitValueVersionFor(value)));
  return rec;
}

absl::StatusOr<CoordinatorRecord> MakeOffsetCommitTombstone(const OffsetCommitKey& key) {
  CoordinatorRecord rec;
  ASSIGN_OR_RETURN(rec.key, EncodeOffsetCommitKey(key));
  return rec;
}

absl::StatusOr<CoordinatorRecord> MakeGroupMetadataRecord(const std::string& group,
                                                          const GroupMetadataValue& value) {
  CoordinatorRecord rec;
  ASSIGN_OR_RETURN(rec.key, EncodeGroupMetadataKey(GroupMetadataKey{group}));
  ASSIGN_OR_RETURN(rec.value, EncodeGroupMetadataValue(value, kGroupMetadataValueVersion));
  return rec;
}

absl::StatusOr<CoordinatorRecord> MakeGroupMetadataTombstone(const std::string& group) {
  CoordinatorRecord rec;
  ASSIGN_OR_RETURN(rec.key, EncodeGroupMetadataKey(GroupMetadataKey{group}));
  return rec;
}

absl::StatusOr<std::vector<std::string>> ParseConsumerSubscriptionTopics(std::string_view bytes) {
  FieldReader r(bytes, /*flexible=*/false);
  int16_t version = r.Int16();
  if (bytes.size() >= 2 && version < 0) {
    return absl::DataLossError("negative consumer protocol version");
  }
  size_t n = r.ArrayLength(/*min_element_size=*/2);
  std::vector<std::string> topics;
  topics.reserve(n);
  for (size_t i = 0; i < n; ++i) topics.push_back(r.String());
  // Later fields (user data, owned partitions, ...) are not needed: trailing
  // bytes are expected.
  RETURN_IF_ERROR(r.Check("consumer subscription"));
  return topics;
}

}  // namespace gregor::broker::group
