#include "controller/raft_driver/log_format.h"

#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "common/crc32c.h"

namespace gregor::controller::raft_driver::log_format {

namespace {

constexpr uint8_t kRecordVersion = 1;

// Appends the CRC-32C of everything written so far.
std::string Seal(ByteWriter& w) {
  w.WriteUint32(Crc32c(w.data()));
  return w.Release();
}

// Checks the trailing CRC and the expected length; returns the body.
absl::StatusOr<std::string_view> Unseal(std::string_view value, const char* what,
                                        size_t min_body) {
  if (value.size() < min_body + 4) {
    return absl::DataLossError(absl::StrCat(what, " record of ", value.size(), " bytes is too short"));
  }
  std::string_view body = value.substr(0, value.size() - 4);
  if (LoadBE32(value.data() + body.size()) != Crc32c(body)) {
    return absl::DataLossError(absl::StrCat(what, " record fails its CRC"));
  }
  return body;
}

absl::Status CheckRecordVersion(uint8_t v, const char* what) {
  if (v == kRecordVersion) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(what, " record has unknown version ", v));
}

}  // namespace

std::string EntryKey(LogIndex index) {
  std::string key(9, '\0');
  key[0] = kEntryPrefix;
  StoreBE64(key.data() + 1, index.value());
  return key;
}

absl::StatusOr<LogIndex> ParseEntryKey(std::string_view key) {
  if (key.size() != 9 || key[0] != kEntryPrefix) {
    return absl::DataLossError(absl::StrCat("unexpected key of ", key.size(), " bytes"));
  }
  return LogIndex(LoadBE64(key.data() + 1));
}

std::string EncodeVersion(uint32_t version) {
  ByteWriter w;
  w.WriteUint32(version);
  return Seal(w);
}

absl::StatusOr<uint32_t> DecodeVersion(std::string_view value) {
  absl::StatusOr<std::string_view> body = Unseal(value, "version", 4);
  if (!body.ok()) return body.status();
  if (body->size() != 4) return absl::DataLossError("version record has the wrong length");
  return LoadBE32(body->data());
}

std::string EncodeHardState(const raft::HardState& hs) {
  ByteWriter w(29);
  w.WriteUint8(kRecordVersion);
  w.WriteUint64(hs.term.value());
  w.WriteUint64(static_cast<uint64_t>(hs.vote.value()));
  w.WriteUint64(hs.commit.value());
  return Seal(w);
}

absl::StatusOr<raft::HardState> DecodeHardState(std::string_view value) {
  absl::StatusOr<std::string_view> body = Unseal(value, "hard state", 25);
  if (!body.ok()) return body.status();
  if (body->size() != 25) return absl::DataLossError("hard state record has the wrong length");
  ByteReader r(*body);
  if (absl::Status s = CheckRecordVersion(r.ReadUint8(), "hard state"); !s.ok()) return s;
  raft::HardState hs;
  hs.term = Term(r.ReadUint64());
  uint64_t vote = r.ReadUint64();
  if (vote > static_cast<uint64_t>(INT32_MAX)) return absl::DataLossError("vote out of range");
  hs.vote = NodeId(static_cast<int32_t>(vote));
  hs.commit = LogIndex(r.ReadUint64());
  return hs;
}

std::string EncodeLogStart(const LogStart& start) {
  ByteWriter w(21);
  w.WriteUint8(kRecordVersion);
  w.WriteUint64(start.index.value());
  w.WriteUint64(start.term.value());
  return Seal(w);
}

absl::StatusOr<LogStart> DecodeLogStart(std::string_view value) {
  absl::StatusOr<std::string_view> body = Unseal(value, "log start", 17);
  if (!body.ok()) return body.status();
  if (body->size() != 17) return absl::DataLossError("log start record has the wrong length");
  ByteReader r(*body);
  if (absl::Status s = CheckRecordVersion(r.ReadUint8(), "log start"); !s.ok()) return s;
  LogStart start;
  start.index = LogIndex(r.ReadUint64());
  start.term = Term(r.ReadUint64());
  return start;
}

std::string EncodeSnapshotMeta(const raftpb::SnapshotMetadata& metadata, std::string_view data) {
  ByteWriter w;
  w.WriteUint8(kRecordVersion);
  w.WriteUint64(metadata.index());
  w.WriteUint64(metadata.term());
  w.WriteUint32(static_cast<uint32_t>(metadata.conf_state().voters_size()));
  for (uint64_t v : metadata.conf_state().voters()) w.WriteUint64(v);
  w.WriteUint64(data.size());
  w.WriteUint32(Crc32c(data));
  return Seal(w);
}

absl::StatusOr<SnapshotMeta> DecodeSnapshotMeta(std::string_view value) {
  absl::StatusOr<std::string_view> body = Unseal(value, "snapshot", 33);
  if (!body.ok()) return body.status();
  ByteReader r(*body);
  if (absl::Status s = CheckRecordVersion(r.ReadUint8(), "snapshot"); !s.ok()) return s;
  SnapshotMeta meta;
  meta.metadata.set_index(r.ReadUint64());
  meta.metadata.set_term(r.ReadUint64());
  uint32_t n = r.ReadUint32();
  if (n > kMaxVoters || body->size() != 33 + size_t{8} * n) {
    return absl::DataLossError(absl::StrCat("snapshot record lists ", n,
                                            " voters in ", body->size(), " bytes"));
  }
  for (uint32_t k = 0; k < n; ++k) meta.metadata.mutable_conf_state()->add_voters(r.ReadUint64());
  meta.data_size = r.ReadUint64();
  meta.data_crc32c = r.ReadUint32();
  return meta;
}

std::string EncodeEntry(const raftpb::Entry& entry) {
  ByteWriter w(14 + entry.data().size());
  w.WriteUint8(kRecordVersion);
  w.WriteUint8(static_cast<uint8_t>(entry.type()));
  w.WriteUint64(entry.term());
  w.WriteBytes(entry.data());
  char index[8];
  StoreBE64(index, entry.index());
  w.WriteUint32(Crc32cExtend(Crc32c(index, 8), w.data().data(), w.size()));
  return w.Release();
}

absl::StatusOr<raftpb::Entry> DecodeEntry(LogIndex index, std::string_view value) {
  if (value.size() < 14) {
    return absl::DataLossError(absl::StrCat("entry ", index.value(), ": record of ", value.size(),
                                            " bytes is too short"));
  }
  std::string_view body = value.substr(0, value.size() - 4);
  char key[8];
  StoreBE64(key, index.value());
  if (LoadBE32(value.data() + body.size()) !=
      Crc32cExtend(Crc32c(key, 8), body.data(), body.size())) {
    return absl::DataLossError(absl::StrCat("entry ", index.value(), " fails its CRC"));
  }
  ByteReader r(body);
  if (absl::Status s = CheckRecordVersion(r.ReadUint8(), "entry"); !s.ok()) return s;
  uint8_t type = r.ReadUint8();
  if (!raftpb::EntryType_IsValid(type)) {
    return absl::DataLossError(absl::StrCat("entry ", index.value(), " has unknown type ", type));
  }
  raftpb::Entry e;
  e.set_index(index.value());
  e.set_type(static_cast<raftpb::EntryType>(type));
  e.set_term(r.ReadUint64());
  std::string_view data = r.ReadBytes(r.remaining());
  e.set_data(data.data(), data.size());
  return e;
}

}  // namespace gregor::controller::raft_driver::log_format
