// LogStore: what is written comes back exactly after a reopen; corruption and
// inconsistency are reported as DataLoss, never trusted.
#include "controller/raft_driver/log_store.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "controller/raft_driver/log_format.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace gregor::controller::raft_driver {
namespace {

namespace lf = log_format;

std::string NewDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/logstore.XXXXXX";
  char* dir = mkdtemp(tmpl.data());
  EXPECT_NE(dir, nullptr);
  return tmpl;
}

raftpb::Entry E(uint64_t index, uint64_t term, std::string data = "",
                raftpb::EntryType type = raftpb::ENTRY_NORMAL) {
  raftpb::Entry e;
  e.set_index(index);
  e.set_term(term);
  e.set_type(type);
  e.set_data(data.empty() ? "d" + std::to_string(index) : data);
  return e;
}

raft::Ready ReadyWith(std::vector<raftpb::Entry> entries, std::optional<raft::HardState> hs) {
  raft::Ready rd;
  rd.entries = std::move(entries);
  rd.hard_state = hs;
  return rd;
}

std::unique_ptr<LogStore> OpenOk(const std::string& dir, StoredState* st) {
  absl::StatusOr<std::unique_ptr<LogStore>> s = LogStore::Open(dir, /*sync=*/false, st);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

absl::Status OpenStatus(const std::string& dir) {
  StoredState st;
  return LogStore::Open(dir, false, &st).status();
}

// Edits the raw database (the store must be closed).
void Raw(const std::string& dir, const std::function<void(rocksdb::DB*)>& edit) {
  rocksdb::DB* db = nullptr;
  rocksdb::Options o;
  ASSERT_TRUE(rocksdb::DB::Open(o, dir, &db).ok());
  edit(db);
  delete db;
}

TEST(LogFormatTest, RecordsRoundTrip) {
  raft::HardState hs{Term(7), NodeId(3), LogIndex(42)};
  EXPECT_EQ(*lf::DecodeHardState(lf::EncodeHardState(hs)), hs);
  lf::LogStart start{LogIndex(9), Term(2)};
  absl::StatusOr<lf::LogStart> got = lf::DecodeLogStart(lf::EncodeLogStart(start));
  EXPECT_EQ(got->index, LogIndex(9));
  EXPECT_EQ(got->term, Term(2));
  raftpb::Entry e = E(5, 3, "payload", raftpb::ENTRY_NOOP);
  absl::StatusOr<raftpb::Entry> d = lf::DecodeEntry(LogIndex(5), lf::EncodeEntry(e));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->SerializeAsString(), e.SerializeAsString());
  raftpb::SnapshotMetadata m;
  m.set_index(10);
  m.set_term(4);
  m.mutable_conf_state()->add_voters(1);
  m.mutable_conf_state()->add_voters(2);
  absl::StatusOr<lf::SnapshotMeta> sm = lf::DecodeSnapshotMeta(lf::EncodeSnapshotMeta(m, "abc"));
  ASSERT_TRUE(sm.ok());
  EXPECT_EQ(sm->metadata.SerializeAsString(), m.SerializeAsString());
  EXPECT_EQ(sm->data_size, 3u);
  EXPECT_EQ(*lf::ParseEntryKey(lf::EntryKey(LogIndex(258))), LogIndex(258));
}

TEST(LogFormatTest, EntryKeysSortInLogOrder) {
  EXPECT_LT(lf::EntryKey(LogIndex(255)), lf::EntryKey(LogIndex(256)));
  EXPECT_LT(lf::EntryKey(LogIndex(1)), lf::EntryKey(LogIndex(1ull << 40)));
}

TEST(LogFormatTest, EveryFlippedBitIsDetected) {
  std::string rec = lf::EncodeEntry(E(5, 3, "payload"));
  for (size_t bit = 0; bit < rec.size() * 8; ++bit) {
    std::string bad = rec;
    bad[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_EQ(lf::DecodeEntry(LogIndex(5), bad).status().code(), absl::StatusCode::kDataLoss) << bit;
  }
  EXPECT_EQ(lf::DecodeEntry(LogIndex(6), rec).status().code(), absl::StatusCode::kDataLoss)
      << "a record under another index";
  EXPECT_EQ(lf::DecodeHardState("short").status().code(), absl::StatusCode::kDataLoss);
}

TEST(LogStoreTest, FreshStoreIsEmpty) {
  std::string dir = NewDir();
  StoredState st;
  auto store = OpenOk(dir, &st);
  EXPECT_TRUE(st.fresh);
  EXPECT_TRUE(st.entries.empty());
  store.reset();
  StoredState again;
  OpenOk(dir, &again);
  EXPECT_FALSE(again.fresh);
}

TEST(LogStoreTest, RestartRestoresTheExactState) {
  std::string dir = NewDir();
  {
    StoredState st;
    auto store = OpenOk(dir, &st);
    ASSERT_TRUE(store->SaveReady(ReadyWith({E(1, 1), E(2, 1), E(3, 2)},
                                           raft::HardState{Term(2), NodeId(1), LogIndex(2)}))
                    .ok());
    // A conflicting suffix from a new leader replaces 3.
    ASSERT_TRUE(store->SaveReady(ReadyWith({E(3, 3, "new"), E(4, 3)},
                                           raft::HardState{Term(3), NodeId(2), LogIndex(3)}))
                    .ok());
  }
  StoredState st;
  OpenOk(dir, &st);
  EXPECT_EQ(st.hard_state, (raft::HardState{Term(3), NodeId(2), LogIndex(3)}));
  ASSERT_EQ(st.entries.size(), 4u);
  EXPECT_EQ(st.entries[2].data(), "new");
  EXPECT_EQ(st.entries[2].term(), 3u);
  EXPECT_EQ(st.entries[3].index(), 4u);
}

TEST(LogStoreTest, TruncationDropsEntriesPastTheNewTail) {
  std::string dir = NewDir();
  {
    StoredState st;
    auto store = OpenOk(dir, &st);
    ASSERT_TRUE(store->SaveReady(ReadyWith({E(1, 1), E(2, 1), E(3, 1), E(4, 1)}, std::nullopt)).ok());
    ASSERT_TRUE(store->SaveReady(ReadyWith({E(2, 2)}, std::nullopt)).ok());
  }
  StoredState st;
  OpenOk(dir, &st);
  ASSERT_EQ(st.entries.size(), 2u);
  EXPECT_EQ(st.entries[1].term(), 2u);
}

TEST(LogStoreTest, LocalSnapshotCompactsAndReloadsIntoMemoryStorage) {
  std::string dir = NewDir();
  {
    StoredState st;
    auto store = OpenOk(dir, &st);
    std::vector<raftpb::Entry> ents;
    for (uint64_t i = 1; i <= 10; ++i) ents.push_back(E(i, 1));
    ASSERT_TRUE(store->SaveReady(ReadyWith(ents, raft::HardState{Term(1), NodeId(1), LogIndex(10)})).ok());
    raftpb::SnapshotMetadata m;
    m.set_index(8);
    m.set_term(1);
    m.mutable_conf_state()->add_voters(1);
    ASSERT_TRUE(store->SaveSnapshot(m, "state@8", lf::LogStart{LogIndex(5), Term(1)}).ok());
  }
  StoredState st;
  OpenOk(dir, &st);
  EXPECT_EQ(st.start.index, LogIndex(5));
  ASSERT_EQ(st.entries.size(), 5u);
  EXPECT_EQ(st.entries[0].index(), 6u);
  EXPECT_EQ(st.snapshot.metadata().index(), 8u);
  EXPECT_EQ(st.snapshot.data(), "state@8");
  raft::MemoryStorage mem({NodeId(1)});
  ASSERT_TRUE(st.LoadInto(&mem).ok());
  EXPECT_EQ(mem.FirstIndex(), LogIndex(6));
  EXPECT_EQ(mem.LastIndex(), LogIndex(10));
  EXPECT_EQ(*mem.TermAt(LogIndex(5)), Term(1));
  EXPECT_EQ(mem.Snapshot()->metadata().index(), 8u);
  EXPECT_EQ(mem.InitialHardState().commit, LogIndex(10));
}

TEST(LogStoreTest, SnapshotFromLeaderReplacesTheWholeLog) {
  std::string dir = NewDir();
  {
    StoredState st;
    auto store = OpenOk(dir, &st);
    ASSERT_TRUE(store->SaveReady(ReadyWith({E(1, 1), E(2, 1), E(3, 1)}, std::nullopt)).ok());
    raft::Ready rd;
    rd.snapshot.emplace();
    rd.snapshot->mutable_metadata()->set_index(20);
    rd.snapshot->mutable_metadata()->set_term(5);
    rd.snapshot->set_data("leader-state");
    rd.hard_state = raft::HardState{Term(5), NodeId(0), LogIndex(20)};
    rd.entries = {E(21, 5)};
    ASSERT_TRUE(store->SaveReady(rd).ok());
  }
  StoredState st;
  OpenOk(dir, &st);
  EXPECT_EQ(st.start.index, LogIndex(20));
  EXPECT_EQ(st.start.term, Term(5));
  ASSERT_EQ(st.entries.size(), 1u);
  EXPECT_EQ(st.entries[0].index(), 21u);
  EXPECT_EQ(st.snapshot.data(), "leader-state");
}

TEST(LogStoreTest, CorruptEntryIsDataLoss) {
  std::string dir = NewDir();
  {
    StoredState st;
    auto store = OpenOk(dir, &st);
    ASSERT_TRUE(store->SaveReady(ReadyWith({E(1, 1), E(2, 1)}, std::nullopt)).ok());
  }
  Raw(dir, [](rocksdb::DB* db) {
    std::string v;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), lf::EntryKey(LogIndex(2)), &v).ok());
    v[5] ^= 1;
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), lf::EntryKey(LogIndex(2)), v).ok());
  });
  absl::Status s = OpenStatus(dir);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("entry 2"), absl::string_view::npos) << s;
}

TEST(LogStoreTest, GapInTheLogIsDataLoss) {
  std::string dir = NewDir();
  {
    StoredState st;
    auto store = OpenOk(dir, &st);
    ASSERT_TRUE(store->SaveReady(ReadyWith({E(1, 1), E(2, 1), E(3, 1)}, std::nullopt)).ok());
  }
  Raw(dir, [](rocksdb::DB* db) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), lf::EntryKey(LogIndex(2))).ok());
  });
  EXPECT_EQ(OpenStatus(dir).code(), absl::StatusCode::kDataLoss);
}

TEST(LogStoreTest, CommitBeyondTheLogIsDataLoss) {
  std::string dir = NewDir();
  {
    StoredState st;
    auto store = OpenOk(dir, &st);
    ASSERT_TRUE(store->SaveReady(ReadyWith({E(1, 1)}, raft::HardState{Term(1), NodeId(0), LogIndex(1)})).ok());
  }
  Raw(dir, [](rocksdb::DB* db) {
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "H",
                        lf::EncodeHardState(raft::HardState{Term(1), NodeId(0), LogIndex(9)}))
                    .ok());
  });
  EXPECT_EQ(OpenStatus(dir).code(), absl::StatusCode::kDataLoss);
}

TEST(LogStoreTest, UnknownFormatVersionIsRefused) {
  std::string dir = NewDir();
  { StoredState st; OpenOk(dir, &st); }
  Raw(dir, [](rocksdb::DB* db) {
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "V", lf::EncodeVersion(99)).ok());
  });
  EXPECT_EQ(OpenStatus(dir).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(LogStoreTest, ForeignKeysAreRefused) {
  std::string dir = NewDir();
  { StoredState st; OpenOk(dir, &st); }
  Raw(dir, [](rocksdb::DB* db) {
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "some-other-app", "x").ok());
  });
  EXPECT_EQ(OpenStatus(dir).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace gregor::controller::raft_driver
