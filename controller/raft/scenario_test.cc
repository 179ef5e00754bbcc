// Golden-file scenarios: each file in testdata/ is a script of commands, each
// followed by the output it must produce (every message, every Ready), in
// the style of etcd's raft testdata. A change in protocol behaviour shows up
// as a readable diff. Regenerate after an intended change with
//
//   bazel run //controller/raft:scenario_test -- --rewrite
//
// File format: blank lines and '#' comments between cases; a case is one
// command line, a line "----", then the expected output lines (never blank).
//
// Commands (ids are 1-based):
//   cluster n=<N> [pre_vote=false] [check_quorum=false] [chunk=<bytes>]
//                                  [append_bytes=<bytes>] [inflight=<n>]
//                                  [election=<ticks>]
//   set-log <id> <index>/<term>... term=<t>   (before anything else happens)
//   campaign <id>           the node's election timer fires
//   tick <id> [n]           n ticks (default 1)
//   tick-all [n]
//   propose <id> <data>
//   read-index <id> <ctx>
//   transfer <from> <to>
//   process-ready <id>      persist, apply and queue one Ready; print it
//   deliver [<from>-><to> [n]]  deliver queued messages (all, one link, or the
//                           n-th on that link); print them
//   drop [<from>-><to> [n]] discard queued messages likewise
//   stabilize               process Readys and deliver until quiet; print messages
//   isolate <id> / heal     cut / restore every link of a node
//   compact <id>            snapshot the applied state and drop the log up to it
//   restart <id>            crash and restart from the node's storage
//   status                  role, term, leader, commit, applied, last index
//   log <id>                the node's log
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "controller/raft/raft.h"
#include "controller/raft/test_cluster.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "gtest/gtest.h"

DEFINE_bool(rewrite, false, "rewrite the testdata files with the actual output");

namespace gregor::controller::raft {
namespace {

using testing::TestCluster;

struct Case {
  std::string preamble;  // comments and blank lines before the command
  std::string command;
  std::vector<std::string> expected;
};

std::vector<Case> Parse(const std::string& text) {
  std::vector<Case> cases;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  Case cur;
  size_t i = 0;
  while (i < lines.size()) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#') {
      absl::StrAppend(&cur.preamble, line, "\n");
      ++i;
      continue;
    }
    cur.command = line;
    ++i;
    if (i < lines.size() && lines[i] == "----") {
      ++i;
      while (i < lines.size() && !lines[i].empty()) cur.expected.push_back(lines[i++]);
    }
    if (i < lines.size() && lines[i].empty()) ++i;  // the blank line that ends the case
    cases.push_back(std::move(cur));
    cur = Case();
  }
  if (!cur.preamble.empty()) cases.push_back(std::move(cur));  // trailing comments
  return cases;
}

std::string EntriesText(const std::vector<raftpb::Entry>& ents) {
  std::vector<std::string> parts;
  for (const raftpb::Entry& e : ents) {
    parts.push_back(e.type() == raftpb::ENTRY_NOOP
                        ? absl::StrCat(e.index(), "/", e.term(), " noop")
                        : absl::StrCat(e.index(), "/", e.term(), " ", e.data()));
  }
  return absl::StrJoin(parts, ", ");
}

class Scenario {
 public:
  std::vector<std::string> Run(const std::string& command) {
    out_.clear();
    std::vector<std::string> args = absl::StrSplit(command, ' ', absl::SkipEmpty());
    const std::string& cmd = args[0];
    if (cmd == "cluster") {
      NewCluster(args);
    } else if (c_ == nullptr) {
      out_.push_back("error: no cluster yet");
    } else if (cmd == "set-log") {
      std::vector<std::pair<uint64_t, uint64_t>> ents;
      uint64_t term = 0;
      for (size_t k = 2; k < args.size(); ++k) {
        if (absl::StartsWith(args[k], "term=")) {
          term = Num(args[k].substr(5));
          continue;
        }
        std::vector<std::string> it = absl::StrSplit(args[k], '/');
        ents.emplace_back(Num(it[0]), Num(it[1]));
      }
      c_->SetLog(Id(args[1]), ents, term);
    } else if (cmd == "campaign") {
      c_->raft(Id(args[1])).Campaign();
    } else if (cmd == "tick") {
      int n = args.size() > 2 ? static_cast<int>(Num(args[2])) : 1;
      for (int k = 0; k < n; ++k) c_->raft(Id(args[1])).Tick();
    } else if (cmd == "tick-all") {
      int n = args.size() > 1 ? static_cast<int>(Num(args[1])) : 1;
      for (int k = 0; k < n; ++k) {
        for (int id : c_->ids()) c_->raft(id).Tick();
      }
    } else if (cmd == "propose") {
      absl::StatusOr<Proposal> p = c_->raft(Id(args[1])).Propose(args.size() > 2 ? args[2] : "");
      out_.push_back(p.ok() ? absl::StrCat("proposed ", p->index.value(), "/", p->term.value())
                            : absl::StrCat("error: ", p.status().ToString()));
    } else if (cmd == "read-index") {
      absl::Status s = c_->raft(Id(args[1])).ReadIndex(args.size() > 2 ? args[2] : "");
      if (!s.ok()) out_.push_back(absl::StrCat("error: ", s.ToString()));
    } else if (cmd == "transfer") {
      absl::Status s = c_->raft(Id(args[1])).TransferLeadership(NodeId(Id(args[2])));
      if (!s.ok()) out_.push_back(absl::StrCat("error: ", s.ToString()));
    } else if (cmd == "process-ready") {
      ProcessReady(Id(args[1]), /*verbose=*/true);
    } else if (cmd == "deliver" || cmd == "drop") {
      Deliver(args.size() > 1 ? args[1] : "", cmd == "drop",
              args.size() > 2 ? static_cast<int>(Num(args[2])) : 0);
    } else if (cmd == "stabilize") {
      Stabilize();
    } else if (cmd == "isolate") {
      c_->Isolate(Id(args[1]));
    } else if (cmd == "heal") {
      c_->Heal();
    } else if (cmd == "compact") {
      c_->SnapshotAndCompact(Id(args[1]));
      out_.push_back(absl::StrCat("node ", args[1], " snapshot at ",
                                  c_->storage(Id(args[1])).Snapshot()->metadata().index(),
                                  ", log starts at ", c_->storage(Id(args[1])).FirstIndex().value()));
    } else if (cmd == "restart") {
      c_->Restart(Id(args[1]));
    } else if (cmd == "status") {
      for (int id : c_->ids()) {
        const Raft& r = c_->raft(id);
        out_.push_back(absl::StrCat(id, ": ", std::string(RoleName(r.role())), " term=",
                                    r.term().value(), " leader=", r.leader().value(),
                                    " commit=", r.log().committed().value(), " applied=",
                                    r.log().applied().value(), " last=",
                                    r.log().LastIndex().value()));
      }
    } else if (cmd == "log") {
      const RaftLog& log = c_->raft(Id(args[1])).log();
      absl::StatusOr<std::vector<raftpb::Entry>> ents = log.EntriesFrom(log.FirstIndex(), 1 << 30);
      out_.push_back(absl::StrCat("first=", log.FirstIndex().value(), " [",
                                  ents.ok() ? EntriesText(*ents) : ents.status().ToString(), "]"));
    } else {
      out_.push_back("error: unknown command " + cmd);
    }
    return out_;
  }

 private:
  static uint64_t Num(const std::string& s) {
    uint64_t v = 0;
    CHECK(absl::SimpleAtoi(s, &v)) << "not a number: " << s;
    return v;
  }
  static int Id(const std::string& s) { return static_cast<int>(Num(s)); }

  void NewCluster(const std::vector<std::string>& args) {
    int n = 3;
    std::vector<std::pair<std::string, std::string>> kv;
    for (size_t k = 1; k < args.size(); ++k) {
      std::pair<std::string, std::string> p = absl::StrSplit(args[k], '=');
      if (p.first == "n") n = static_cast<int>(Num(p.second));
      kv.push_back(p);
    }
    c_ = std::make_unique<TestCluster>(n, [kv](Options& o) {
      for (const auto& [k, v] : kv) {
        if (k == "pre_vote") o.pre_vote = v == "true";
        if (k == "check_quorum") o.check_quorum = v == "true";
        if (k == "chunk") o.snapshot_chunk_bytes = Num(v);
        if (k == "append_bytes") o.max_append_bytes = Num(v);
        if (k == "inflight") o.max_inflight_appends = Num(v);
        if (k == "election") o.election_ticks = static_cast<int>(Num(v));
      }
    });
    c_->on_ready = [this](int id, const Ready& rd) { Describe(id, rd); };
  }

  void ProcessReady(int id, bool verbose) {
    if (!c_->raft(id).HasReady()) {
      if (verbose) out_.push_back(absl::StrCat(id, ": no Ready"));
      return;
    }
    c_->ProcessReady(id);  // prints through on_ready
  }

  void Describe(int id, const Ready& rd) {
    out_.push_back(absl::StrCat(id, ": Ready"));
    if (rd.soft_state) {
      out_.push_back(absl::StrCat("  state: ", std::string(RoleName(rd.soft_state->role)),
                                  " leader=", rd.soft_state->leader.value()));
    }
    if (rd.hard_state) {
      out_.push_back(absl::StrCat("  hard state: term=", rd.hard_state->term.value(), " vote=",
                                  rd.hard_state->vote.value(), " commit=",
                                  rd.hard_state->commit.value()));
    }
    if (rd.snapshot) {
      out_.push_back(absl::StrCat("  snapshot: ", rd.snapshot->metadata().index(), "/",
                                  rd.snapshot->metadata().term()));
    }
    if (!rd.entries.empty()) out_.push_back("  persist: " + EntriesText(rd.entries));
    if (!rd.committed_entries.empty()) out_.push_back("  apply: " + EntriesText(rd.committed_entries));
    for (const ReadState& rs : rd.read_states) {
      out_.push_back(absl::StrCat("  read ", rs.context, " at index ", rs.index.value()));
    }
    for (const raftpb::Message& m : rd.messages) out_.push_back("  send " + DescribeMessage(m));
  }

  // Delivers (or drops) the queued messages on `link` (all links if empty);
  // only the `nth` of them (1-based) when nth > 0.
  void Deliver(const std::string& link, bool drop, int nth = 0) {
    std::deque<raftpb::Message> keep;
    std::deque<raftpb::Message> q = std::move(c_->queue());
    c_->queue().clear();
    int seen = 0;
    for (raftpb::Message& m : q) {
      bool match = link.empty() || link == absl::StrCat(m.from(), "->", m.to());
      if (match && nth > 0) match = ++seen == nth;
      if (!match) {
        keep.push_back(std::move(m));
        continue;
      }
      if (drop) {
        out_.push_back("dropped " + DescribeMessage(m));
        continue;
      }
      if (!c_->Dropped(m)) {
        out_.push_back("deliver " + DescribeMessage(m));
        c_->raft(static_cast<int>(m.to())).Step(m);
      } else {
        out_.push_back("lost " + DescribeMessage(m));
      }
    }
    for (raftpb::Message& m : keep) c_->queue().push_back(std::move(m));
  }

  void Stabilize() {
    for (int round = 0; round < 1000; ++round) {
      bool moved = false;
      for (int id : c_->ids()) {
        if (c_->raft(id).HasReady()) {
          ProcessReady(id, /*verbose=*/false);
          moved = true;
        }
      }
      if (!c_->queue().empty()) {
        Deliver("", false);
        moved = true;
      }
      if (!moved) return;
    }
    out_.push_back("error: did not stabilize");
  }

  std::unique_ptr<TestCluster> c_;
  std::vector<std::string> out_;
};

std::string TestdataPath(const std::string& name) {
  return "controller/raft/testdata/" + name;
}

void RunFile(const std::string& name) {
  std::ifstream in(TestdataPath(name));
  ASSERT_TRUE(in.good()) << "cannot read " << TestdataPath(name);
  std::stringstream buf;
  buf << in.rdbuf();
  std::vector<Case> cases = Parse(buf.str());
  Scenario scenario;
  std::string rewritten;
  for (const Case& c : cases) {
    rewritten += c.preamble;
    if (c.command.empty()) continue;
    std::vector<std::string> got = scenario.Run(c.command);
    absl::StrAppend(&rewritten, c.command, "\n----\n");
    for (const std::string& l : got) absl::StrAppend(&rewritten, l, "\n");
    absl::StrAppend(&rewritten, "\n");
    if (!FLAGS_rewrite) {
      EXPECT_EQ(absl::StrJoin(got, "\n"), absl::StrJoin(c.expected, "\n"))
          << name << ": command `" << c.command << "`";
    }
  }
  if (FLAGS_rewrite) {
    const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    ASSERT_NE(ws, nullptr) << "--rewrite needs `bazel run`";
    while (!rewritten.empty() && rewritten.back() == '\n') rewritten.pop_back();
    std::ofstream outf(std::string(ws) + "/" + TestdataPath(name));
    outf << rewritten << "\n";
  }
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, MatchesGoldenOutput) { RunFile(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Testdata, ScenarioTest,
                         ::testing::Values("election.txt", "prevote.txt", "check_quorum.txt",
                                           "replication.txt", "conflict.txt", "snapshot.txt",
                                           "transfer.txt", "read_index.txt"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(0, info.param.find('.'));
                           return n;
                         });

}  // namespace
}  // namespace gregor::controller::raft
