#include "controller/raft_driver/log_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/crc32c.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace gregor::controller::raft_driver {

namespace lf = log_format;

namespace {

absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat("rocksdb ", absl::string_view(what.data(), what.size()), ": ",
                                 s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsIOError()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Every key after the entries sorts at or after this one.
const std::string& EntriesEnd() {
  static const std::string end(1, lf::kEntryPrefix + 1);
  return end;
}

absl::Status Validate(const StoredState& st) {
  LogIndex last = st.start.index + st.entries.size();
  Term prev_term = st.start.term;
  for (size_t k = 0; k < st.entries.size(); ++k) {
    const raftpb::Entry& e = st.entries[k];
    if (e.index() != st.start.index.value() + 1 + k) {
      return absl::DataLossError(absl::StrCat("log has a gap before entry ", e.index(),
                                              " (expected ", st.start.index.value() + 1 + k, ")"));
    }
    if (Term(e.term()) < prev_term) {
      return absl::DataLossError(absl::StrCat("entry ", e.index(), " has term ", e.term(),
                                              " below the previous ", prev_term.value()));
    }
    prev_term = Term(e.term());
  }
  LogIndex snap(st.snapshot.metadata().index());
  if (snap < st.start.index) {
    return absl::DataLossError(absl::StrCat("entries up to ", st.start.index.value(),
                                            " were compacted but the snapshot is at ",
                                            snap.value()));
  }
  if (snap > last) {
    return absl::DataLossError(absl::StrCat("snapshot at ", snap.value(), " beyond the last entry ",
                                            last.value()));
  }
  if (st.hard_state.commit > last) {
    return absl::DataLossError(absl::StrCat("commit index ", st.hard_state.commit.value(),
                                            " beyond the last entry ", last.value()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status StoredState::LoadInto(raft::MemoryStorage* storage) const {
  return storage->Load(hard_state, snapshot, start.index, start.term, entries);
}

LogStore::LogStore(std::unique_ptr<rocksdb::DB> db, bool sync) : db_(std::move(db)) {
  write_options_.sync = sync;
}

LogStore::~LogStore() = default;

absl::StatusOr<std::unique_ptr<LogStore>> LogStore::Open(const std::string& dir, bool sync,
                                                         StoredState* state) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 4u << 20;
  options.max_write_buffer_number = 2;
  options.keep_log_file_num = 2;
  options.compression = rocksdb::kNoCompression;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(4u << 20);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  if (absl::Status s = FromRocks(rocksdb::DB::Open(options, dir, &raw), "open " + dir); !s.ok()) {
    return s;
  }
  std::unique_ptr<rocksdb::DB> db(raw);

  StoredState st;
  bool have_version = false;
  std::optional<lf::SnapshotMeta> meta;
  std::string data;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    std::string_view value(it->value().data(), it->value().size());
    if (key == lf::kVersionKey) {
      absl::StatusOr<uint32_t> v = lf::DecodeVersion(value);
      if (!v.ok()) return v.status();
      if (*v != lf::kFormatVersion) {
        return absl::FailedPreconditionError(absl::StrCat("raft store in ", dir,
                                                          " has format version ", *v,
                                                          "; this build reads ",
                                                          lf::kFormatVersion));
      }
      have_version = true;
    } else if (key == lf::kHardStateKey) {
      absl::StatusOr<raft::HardState> hs = lf::DecodeHardState(value);
      if (!hs.ok()) return hs.status();
      st.hard_state = *hs;
    } else if (key == lf::kLogStartKey) {
      absl::StatusOr<lf::LogStart> start = lf::DecodeLogStart(value);
      if (!start.ok()) return start.status();
      st.start = *start;
    } else if (key == lf::kSnapshotMetaKey) {
      absl::StatusOr<lf::SnapshotMeta> m = lf::DecodeSnapshotMeta(value);
      if (!m.ok()) return m.status();
      meta = *m;
    } else if (key == lf::kSnapshotDataKey) {
      data.assign(value.data(), value.size());
    } else {
      absl::StatusOr<LogIndex> index = lf::ParseEntryKey(key);
      if (!index.ok()) return index.status();
      absl::StatusOr<raftpb::Entry> e = lf::DecodeEntry(*index, value);
      if (!e.ok()) return e.status();
      st.entries.push_back(std::move(*e));
    }
  }
  if (absl::Status s = FromRocks(it->status(), "read"); !s.ok()) return s;
  it.reset();

  if (meta) {
    if (data.size() != meta->data_size || Crc32c(data) != meta->data_crc32c) {
      return absl::DataLossError(absl::StrCat("snapshot data of ", data.size(),
                                              " bytes does not match its metadata (",
                                              meta->data_size, " bytes)"));
    }
    *st.snapshot.mutable_metadata() = meta->metadata;
    st.snapshot.set_data(std::move(data));
  }
  st.fresh = !have_version;
  if (st.fresh && (!st.entries.empty() || meta)) {
    return absl::DataLossError("raft store has data but no format version");
  }
  if (absl::Status s = Validate(st); !s.ok()) return s;

  auto store = std::unique_ptr<LogStore>(new LogStore(std::move(db), sync));
  if (st.fresh) {
    rocksdb::WriteBatch batch;
    batch.Put(ToSlice(lf::kVersionKey), lf::EncodeVersion(lf::kFormatVersion));
    if (absl::Status s = store->Write(&batch); !s.ok()) return s;
  }
  *state = std::move(st);
  return store;
}

absl::Status LogStore::Write(rocksdb::WriteBatch* batch) {
  if (write_options_.sync) ++synced_writes_;
  return FromRocks(db_->Write(write_options_, batch), "write");
}

absl::Status LogStore::SaveReady(const raft::Ready& rd) {
  if (!rd.MustSync()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  if (rd.snapshot) {
    const raftpb::SnapshotMetadata& m = rd.snapshot->metadata();
    batch.DeleteRange(ToSlice(lf::EntryKey(LogIndex(0))), EntriesEnd());
    batch.Put(ToSlice(lf::kSnapshotMetaKey), lf::EncodeSnapshotMeta(m, rd.snapshot->data()));
    batch.Put(ToSlice(lf::kSnapshotDataKey), rd.snapshot->data());
    batch.Put(ToSlice(lf::kLogStartKey),
              lf::EncodeLogStart({LogIndex(m.index()), Term(m.term())}));
  }
  if (!rd.entries.empty()) {
    batch.DeleteRange(ToSlice(lf::EntryKey(raft::IndexOf(rd.entries.front()))), EntriesEnd());
    for (const raftpb::Entry& e : rd.entries) {
      batch.Put(lf::EntryKey(raft::IndexOf(e)), lf::EncodeEntry(e));
    }
  }
  if (rd.hard_state) batch.Put(ToSlice(lf::kHardStateKey), lf::EncodeHardState(*rd.hard_state));
  return Write(&batch);
}

absl::Status LogStore::SaveSnapshot(const raftpb::SnapshotMetadata& metadata, std::string_view data,
                                    std::optional<lf::LogStart> compact) {
  rocksdb::WriteBatch batch;
  batch.Put(ToSlice(lf::kSnapshotMetaKey), lf::EncodeSnapshotMeta(metadata, data));
  batch.Put(ToSlice(lf::kSnapshotDataKey), ToSlice(data));
  if (compact) {
    batch.DeleteRange(ToSlice(lf::EntryKey(LogIndex(0))), lf::EntryKey(compact->index + 1));
    batch.Put(ToSlice(lf::kLogStartKey), lf::EncodeLogStart(*compact));
  }
  return Write(&batch);
}

}  // namespace gregor::controller::raft_driver
