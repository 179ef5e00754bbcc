// Golden-file tests of the controller operations (controller/testdata/*.txt).
//
// Each file is a scenario of commands; each command's output (the records it
// produced and its response) is compared with the expected text after
// "----". Records are "committed" right after each command: replayed at the
// next offset. At the end of every file the test replays all committed
// batches on a fresh controller and checks it reaches the same image, and
// that the image's snapshot records rebuild it too.
//
// File format:
//   # comment
//   <command> [key=value ...]
//   <input: a request in protobuf text format, possibly several lines>
//   ----
//   <expected output, no blank lines>
//   <blank line>
//
// Regenerate the expected outputs after a deliberate change with
//   bazel run //controller:controller_golden_test -- --rewrite
// and review the diff.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/metadata/delta.h"
#include "controller/controller.h"
#include "gflags/gflags.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

DEFINE_bool(rewrite, false, "rewrite the expected outputs of controller/testdata/*.txt");

namespace gregor::controller {
namespace {

namespace fs = std::filesystem;
using metadata::MetadataBatch;
using metadata::MetadataOffset;
using metadata::MetadataRecord;

struct Command {
  std::string name;
  std::map<std::string, std::string> args;
  std::string input;
  std::string expected;
  int line = 0;
};

std::vector<Command> ParseFile(const std::string& text) {
  std::vector<Command> out;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].empty() || lines[i][0] == '#') {
      ++i;
      continue;
    }
    Command c;
    c.line = static_cast<int>(i + 1);
    std::vector<std::string> words = absl::StrSplit(lines[i], ' ', absl::SkipEmpty());
    c.name = words[0];
    for (size_t w = 1; w < words.size(); ++w) {
      std::vector<std::string> kv = absl::StrSplit(words[w], absl::MaxSplits('=', 1));
      c.args[kv[0]] = kv.size() > 1 ? kv[1] : "";
    }
    ++i;
    std::vector<std::string> input;
    while (i < lines.size() && lines[i] != "----") input.push_back(lines[i++]);
    ++i;  // "----"
    std::vector<std::string> expected;
    while (i < lines.size() && !lines[i].empty()) expected.push_back(lines[i++]);
    c.input = absl::StrJoin(input, "\n");
    c.expected = absl::StrJoin(expected, "\n");
    out.push_back(std::move(c));
  }
  return out;
}

class Scenario {
 public:
  explicit Scenario(const std::string& file) : file_(file) { Reset(ControllerOptions()); }

  std::string Run(const Command& c) {
    std::ostringstream out;
    if (c.name == "options") {
      ControllerOptions o;
      for (const auto& [k, v] : c.args) {
        int64_t n = 0;
        (void)absl::SimpleAtoi(v, &n);
        if (k == "default_replication_factor") o.default_replication_factor = static_cast<int32_t>(n);
        else if (k == "default_num_partitions") o.default_num_partitions = static_cast<int32_t>(n);
        else if (k == "unclean") o.unclean_leader_election_enable = v == "true";
        else if (k == "session_timeout_ms") o.broker_session_timeout = std::chrono::milliseconds(n);
        else if (k == "max_partitions_per_request") o.max_partitions_per_request = static_cast<int32_t>(n);
        else if (k == "max_elections_per_rebalance") o.max_elections_per_rebalance = static_cast<int32_t>(n);
        else ADD_FAILURE() << file_ << ":" << c.line << ": unknown option " << k;
      }
      Reset(o);
      return "ok";
    }
    if (c.name == "activate") {
      controller_->Activate(now_);
      return "ok";
    }
    if (c.name == "advance") {
      int64_t ms = 0;
      (void)absl::SimpleAtoi(c.args.at("ms"), &ms);
      now_ += std::chrono::milliseconds(ms);
      return absl::StrCat("now ", std::chrono::duration_cast<std::chrono::milliseconds>(
                                      now_.time_since_epoch()).count(), "ms");
    }
    if (c.name == "brokers") return SetUpBrokers(c);
    if (c.name == "image") return Image();
    if (c.name == "register-broker") {
      auto r = controller_->RegisterBroker(Parse<controllerpb::RegisterBrokerRequest>(c), now_);
      int64_t offset = Commit(r.records);
      if (r.response.broker_epoch() == -1) r.response.set_broker_epoch(offset);
      return Format(r.records, r.response);
    }
    if (c.name == "heartbeat") {
      auto r = controller_->BrokerHeartbeat(Parse<controllerpb::BrokerHeartbeatRequest>(c), now_);
      return Finish(r);
    }
    if (c.name == "create-topics") {
      return Finish(controller_->CreateTopics(Parse<controllerpb::CreateTopicsRequest>(c)));
    }
    if (c.name == "delete-topics") {
      return Finish(controller_->DeleteTopics(Parse<controllerpb::DeleteTopicsRequest>(c)));
    }
    if (c.name == "create-partitions") {
      return Finish(controller_->CreatePartitions(Parse<controllerpb::CreatePartitionsRequest>(c)));
    }
    if (c.name == "alter-configs") {
      return Finish(controller_->AlterConfigs(Parse<controllerpb::AlterConfigsRequest>(c)));
    }
    if (c.name == "alter-partition") {
      return Finish(controller_->AlterPartition(Parse<controllerpb::AlterPartitionRequest>(c)));
    }
    if (c.name == "elect-leaders") {
      return Finish(controller_->ElectLeaders(Parse<controllerpb::ElectLeadersRequest>(c)));
    }
    if (c.name == "alter-reassignments") {
      return Finish(controller_->AlterPartitionReassignments(
          Parse<controllerpb::AlterPartitionReassignmentsRequest>(c)));
    }
    if (c.name == "list-reassignments") {
      return Text(controller_->ListPartitionReassignments(
          Parse<controllerpb::ListPartitionReassignmentsRequest>(c)));
    }
    if (c.name == "allocate-producer-ids") {
      return Finish(controller_->AllocateProducerIds(Parse<controllerpb::AllocateProducerIdsRequest>(c)));
    }
    if (c.name == "fence-expired") {
      auto r = controller_->FenceExpiredBrokers(now_);
      Commit(r.records);
      std::vector<std::string> ids;
      for (BrokerId b : r.response) ids.push_back(absl::StrCat(b.value()));
      return absl::StrCat(FormatRecords(r.records), "fenced: [", absl::StrJoin(ids, ","), "]");
    }
    if (c.name == "rebalance") {
      auto records = controller_->RebalanceLeaders();
      Commit(records);
      return absl::StrCat(FormatRecords(records), "ok");
    }
    if (c.name == "elect-offline") {
      auto records = controller_->ElectOfflineLeaders();
      Commit(records);
      return absl::StrCat(FormatRecords(records), "ok");
    }
    ADD_FAILURE() << file_ << ":" << c.line << ": unknown command " << c.name;
    return "";
  }

  // Replays every committed batch on a fresh controller: the images match.
  void CheckReplayReproducesImage() {
    Controller fresh(ControllerOptions(), 0);
    for (const auto& [offset, batch] : log_) {
      absl::Status s = fresh.Replay(MetadataOffset(offset), batch);
      ASSERT_TRUE(s.ok()) << file_ << ": " << s;
    }
    EXPECT_EQ(fresh.image()->DebugString(), controller_->image()->DebugString()) << file_;
    auto rebuilt = metadata::ImageFromRecords(controller_->image()->offset(),
                                              controller_->image()->ToRecords());
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
    EXPECT_EQ((*rebuilt)->DebugString(), controller_->image()->DebugString()) << file_;
  }

 private:
  void Reset(const ControllerOptions& o) {
    controller_ = std::make_unique<Controller>(o, /*random_seed=*/1);
    offset_ = 0;
    log_.clear();
    names_.clear();
  }

  // Parses the input; "$id(name)" stands for the topic id of `name`.
  template <typename T>
  T Parse(const Command& c) {
    std::string input = c.input;
    for (size_t pos; (pos = input.find("$id(")) != std::string::npos;) {
      size_t end = input.find(')', pos);
      std::string name = input.substr(pos + 4, end - pos - 4);
      const metadata::TopicImage* t = controller_->image()->topic(name);
      std::string id = t == nullptr ? "hi: 0 lo: 0"
                                    : absl::StrCat("hi: ", t->id().hi(), " lo: ", t->id().lo());
      input.replace(pos, end - pos + 1, id);
    }
    T msg;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(input, &msg))
        << file_ << ":" << c.line << ": bad input";
    return msg;
  }

  // The response on one line. Configs at their Kafka default (source 5) are
  // left out of CreateTopics responses to keep the files readable.
  static std::string Text(const google::protobuf::Message& m) {
    std::unique_ptr<google::protobuf::Message> copy(m.New());
    copy->CopyFrom(m);
    if (auto* ct = dynamic_cast<controllerpb::CreateTopicsResponse*>(copy.get())) {
      for (auto& t : *ct->mutable_topics()) {
        auto* configs = t.mutable_configs();
        configs->erase(std::remove_if(configs->begin(), configs->end(),
                                      [](const controllerpb::TopicConfig& c) {
                                        return c.config_source() == 5;
                                      }),
                       configs->end());
      }
    }
    std::string s = copy->ShortDebugString();
    return absl::StrCat("response: ", s.empty() ? "{}" : s);
  }

  int64_t Commit(const std::vector<MetadataRecord>& records) {
    if (records.empty()) return offset_;
    MetadataBatch batch;
    for (const auto& r : records) {
      *batch.add_records() = r;
      if (r.has_topic()) names_[metadata::UuidFromProto(r.topic().topic_id()).ToBase64()] = r.topic().name();
    }
    ++offset_;
    absl::Status s = controller_->Replay(MetadataOffset(offset_), batch);
    EXPECT_TRUE(s.ok()) << file_ << ": committed records do not replay: " << s;
    log_.emplace_back(offset_, std::move(batch));
    return offset_;
  }

  // Record lines with topic ids replaced by topic names.
  std::string FormatRecords(const std::vector<MetadataRecord>& records) {
    std::string out;
    for (const auto& r : records) {
      std::string line = metadata::RecordDebugString(r);
      if (!r.has_topic()) {
        for (const auto& [id, name] : names_) line = absl::StrReplaceAll(line, {{id, name}});
      }
      absl::StrAppend(&out, "  ", line, "\n");
    }
    return records.empty() ? "" : absl::StrCat("records:\n", out);
  }

  std::string Format(const std::vector<MetadataRecord>& records, const google::protobuf::Message& response) {
    return absl::StrCat(FormatRecords(records), Text(response));
  }

  template <typename R>
  std::string Finish(ControllerResult<R> r) {
    Commit(r.records);
    return Format(r.records, r.response);
  }

  // brokers ids=1,2,3 [racks=a,b,c]: registers the brokers and unfences them.
  std::string SetUpBrokers(const Command& c) {
    std::vector<std::string> ids = absl::StrSplit(c.args.at("ids"), ',');
    std::vector<std::string> racks;
    if (c.args.count("racks")) racks = absl::StrSplit(c.args.at("racks"), ',');
    std::vector<std::string> out;
    for (size_t i = 0; i < ids.size(); ++i) {
      int id = 0;
      (void)absl::SimpleAtoi(ids[i], &id);
      controllerpb::RegisterBrokerRequest reg;
      reg.set_broker_id(id);
      reg.mutable_incarnation_id()->set_hi(1000 + id);
      reg.mutable_incarnation_id()->set_lo(1);
      if (i < racks.size()) reg.set_rack(racks[i]);
      auto r = controller_->RegisterBroker(reg, now_);
      int64_t epoch = Commit(r.records);
      controllerpb::BrokerHeartbeatRequest hb;
      hb.set_broker_id(id);
      hb.set_broker_epoch(epoch);
      hb.set_current_metadata_offset(epoch);
      auto h = controller_->BrokerHeartbeat(hb, now_);
      Commit(h.records);
      out.push_back(absl::StrCat(id, "@", epoch));
    }
    return absl::StrCat("registered and unfenced (id@epoch): ", absl::StrJoin(out, " "));
  }

  std::string Image() {
    std::string s = controller_->image()->DebugString();
    for (const auto& [id, name] : names_) s = absl::StrReplaceAll(s, {{" id=" + id, ""}});
    for (const auto& [id, name] : names_) s = absl::StrReplaceAll(s, {{id, name}});
    // Incarnation ids are noise here.
    std::vector<std::string> lines = absl::StrSplit(s, '\n', absl::SkipEmpty());
    for (auto& l : lines) {
      size_t pos = l.find(" incarnation=");
      if (pos != std::string::npos) l.erase(pos, l.find(' ', pos + 1) - pos);
    }
    return absl::StrJoin(lines, "\n");
  }

  std::string file_;
  std::unique_ptr<Controller> controller_;
  TimePoint now_ = TimePoint(std::chrono::seconds(1000));
  int64_t offset_ = 0;
  std::vector<std::pair<int64_t, MetadataBatch>> log_;
  std::map<std::string, std::string> names_;  // topic id (base64) -> name
};

fs::path TestDataDir() {
  if (FLAGS_rewrite) {
    const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    if (ws != nullptr) return fs::path(ws) / "controller/testdata";
  }
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir != nullptr && workspace != nullptr) {
    return fs::path(srcdir) / workspace / "controller/testdata";
  }
  return fs::path("controller/testdata");
}

std::vector<fs::path> GoldenFiles() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(TestDataDir())) {
    if (e.path().extension() == ".txt") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class ControllerGoldenTest : public ::testing::TestWithParam<fs::path> {};

TEST_P(ControllerGoldenTest, MatchesExpectedOutput) {
  const fs::path path = GetParam();
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  std::vector<Command> commands = ParseFile(buf.str());
  ASSERT_FALSE(commands.empty()) << path;
  Scenario scenario(path.filename().string());
  std::string rewritten;
  for (const Command& c : commands) {
    std::string got = scenario.Run(c);
    if (FLAGS_rewrite) continue;
    EXPECT_EQ(got, c.expected) << path.filename().string() << ":" << c.line << ": " << c.name;
  }
  scenario.CheckReplayReproducesImage();
  if (FLAGS_rewrite) {
    // Re-run from scratch, writing each command with its fresh output.
    Scenario again(path.filename().string());
    std::vector<std::string> original = absl::StrSplit(buf.str(), '\n');
    std::string out;
    size_t next = 0;
    for (const Command& c : commands) {
      // Copy comments and blank lines that precede the command.
      for (; next + 1 < static_cast<size_t>(c.line); ++next) absl::StrAppend(&out, original[next], "\n");
      std::string header = original[c.line - 1];
      absl::StrAppend(&out, header, "\n");
      if (!c.input.empty()) absl::StrAppend(&out, c.input, "\n");
      absl::StrAppend(&out, "----\n", again.Run(c), "\n");
      // Skip the old input/expected block.
      next = c.line;
      while (next < original.size() && original[next] != "----") ++next;
      ++next;
      while (next < original.size() && !original[next].empty()) ++next;
    }
    for (; next < original.size(); ++next) {
      absl::StrAppend(&out, original[next], next + 1 < original.size() ? "\n" : "");
    }
    std::ofstream(TestDataDir() / path.filename()) << out;
  }
}

INSTANTIATE_TEST_SUITE_P(Files, ControllerGoldenTest, ::testing::ValuesIn(GoldenFiles()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string n = info.param.stem().string();
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace gregor::controller
