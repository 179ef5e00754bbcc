// Random sequences of controller operations (registrations, heartbeats,
// fencing, controlled shutdowns, topic creation and deletion, ISR changes,
// reassignments, elections, session expiry), committed one by one, with the
// metadata invariants checked after every step and a full replay at the end.
// Run more seeds with --random_test_seeds=N; a failure prints its seed.
#include <random>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/metadata/delta.h"
#include "controller/controller.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "gtest/gtest.h"

DEFINE_int32(random_test_seeds, 60, "seeds for ControllerRandomTest");
DEFINE_int32(random_test_steps, 250, "operations per seed");

namespace gregor::controller {
namespace {

using metadata::MetadataBatch;
using metadata::MetadataImage;
using metadata::MetadataOffset;
using metadata::PartitionRegistration;

class RandomRun {
 public:
  explicit RandomRun(uint64_t seed) : rng_(seed), seed_(seed) {
    ControllerOptions o;
    o.broker_session_timeout = std::chrono::milliseconds(1000);
    o.unclean_leader_election_enable = seed % 3 == 0;
    controller_ = std::make_unique<Controller>(o, seed);
    controller_->Activate(now_);
  }

  void Run(int steps) {
    for (int i = 0; i < steps && !::testing::Test::HasFatalFailure(); ++i) {
      Step(i);
      CheckInvariants(i);
    }
    // Replaying every committed batch on a fresh controller gives the same image.
    Controller fresh(ControllerOptions(), 0);
    for (const auto& [offset, batch] : log_) ASSERT_TRUE(fresh.Replay(MetadataOffset(offset), batch).ok());
    EXPECT_EQ(fresh.image()->DebugString(), controller_->image()->DebugString()) << "seed " << seed_;
    for (const auto& [offset, batch] : log_) {
      for (const auto& r : batch.records()) {
        std::string kind = metadata::RecordDebugString(r);
        kind = kind.substr(0, kind.find(' '));
        if (r.has_partition_change() && r.partition_change().has_leader()) kind += "+leader";
        if (r.has_partition_change() && r.partition_change().has_leader() &&
            r.partition_change().leader() == -1) kind += "=-1";
        if (r.has_partition_change() && r.partition_change().has_replicas()) kind += "+replicas";
        if (r.has_broker_registration_change() && r.broker_registration_change().fenced() == metadata::FENCE) {
          kind += "+fence";
        }
        ++Coverage()[kind];
      }
    }
  }

  static std::map<std::string, int>& Coverage() {
    static auto* m = new std::map<std::string, int>();
    return *m;
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }

  void Commit(std::vector<metadata::MetadataRecord> records) {
    if (records.empty()) return;
    MetadataBatch batch;
    for (auto& r : records) *batch.add_records() = std::move(r);
    ++offset_;
    absl::Status s = controller_->Replay(MetadataOffset(offset_), batch);
    ASSERT_TRUE(s.ok()) << "seed " << seed_ << ": " << s;
    log_.emplace_back(offset_, std::move(batch));
  }

  const metadata::BrokerRegistration* Broker(int id) { return controller_->image()->broker(BrokerId(id)); }

  void Heartbeat(int id, bool shutdown = false, bool fence = false) {
    const auto* b = Broker(id);
    if (b == nullptr) return;
    controllerpb::BrokerHeartbeatRequest hb;
    hb.set_broker_id(id);
    hb.set_broker_epoch(b->epoch.value());
    hb.set_current_metadata_offset(offset_);
    hb.set_want_shutdown(shutdown);
    hb.set_want_fence(fence);
    Commit(controller_->BrokerHeartbeat(hb, now_).records);
  }

  void Step(int step) {
    const auto image = controller_->image();
    switch (Pick(12)) {
      case 0: {  // (re)register a broker
        const int id = 1 + Pick(5);
        controllerpb::RegisterBrokerRequest r;
        r.set_broker_id(id);
        r.mutable_incarnation_id()->set_hi(1 + Pick(2) + step);
        r.mutable_incarnation_id()->set_lo(1);
        r.set_rack(std::string(1, static_cast<char>('a' + id % 3)));
        auto res = controller_->RegisterBroker(r, now_);
        Commit(res.records);
        break;
      }
      case 1:
      case 2:  // everybody alive heartbeats
        for (int id = 1; id <= 5; ++id) {
          if (!dead_.count(id)) Heartbeat(id);
        }
        break;
      case 3:  // a broker dies or comes back
        if (Pick(2) == 0) {
          dead_.insert(1 + Pick(5));
        } else if (!dead_.empty()) {
          dead_.erase(dead_.begin());
        }
        break;
      case 4: {  // time passes; sessions of dead brokers expire
        now_ += std::chrono::milliseconds(300 + Pick(900));
        for (int id = 1; id <= 5; ++id) {
          if (!dead_.count(id) && Broker(id) != nullptr) Heartbeat(id);
        }
        Commit(controller_->FenceExpiredBrokers(now_).records);
        break;
      }
      case 5: {  // create a topic
        controllerpb::CreateTopicsRequest req;
        auto* t = req.add_topics();
        t->set_name(absl::StrCat("t", Pick(8)));
        t->set_num_partitions(1 + Pick(4));
        t->set_replication_factor(1 + Pick(3));
        if (Pick(4) == 0) {
          auto* c = t->add_configs();
          c->set_name("unclean.leader.election.enable");
          c->set_value(Pick(2) ? "true" : "false");
        }
        Commit(controller_->CreateTopics(req).records);
        break;
      }
      case 6: {  // delete a topic
        controllerpb::DeleteTopicsRequest req;
        req.add_names(absl::StrCat("t", Pick(8)));
        Commit(controller_->DeleteTopics(req).records);
        break;
      }
      case 7:
      case 8: {  // a leader changes its ISR (shrink or expand with live replicas)
        for (const auto& [tid, topic] : image->topics()) {
          for (const auto& [pid, p] : topic->partitions()) {
            if (!p->HasLeader() || Pick(3) != 0) continue;
            const auto* leader = Broker(p->leader.value());
            controllerpb::AlterPartitionRequest req;
            req.set_broker_id(p->leader.value());
            req.set_broker_epoch(leader->epoch.value());
            metadata::UuidToProto(tid, req.mutable_topic_id());
            req.set_partition_id(pid.value());
            req.set_leader_epoch(p->leader_epoch.value());
            req.set_partition_epoch(p->partition_epoch.value());
            for (BrokerId r : p->replicas) {
              const auto* b = Broker(r.value());
              if (r == p->leader || (b != nullptr && !b->fenced && Pick(2) == 0)) req.add_new_isr(r.value());
            }
            auto res = controller_->AlterPartition(req);
            Commit(res.records);
            return;
          }
        }
        break;
      }
      case 9: {  // reassign or cancel
        for (const auto& [tid, topic] : image->topics()) {
          controllerpb::AlterPartitionReassignmentsRequest req;
          auto* rp = req.add_partitions();
          rp->set_topic(topic->name());
          rp->set_partition(Pick(topic->num_partitions()));
          if (Pick(3) == 0) {
            rp->set_cancel(true);
          } else {
            std::set<int> target;
            const int n = 1 + Pick(3);
            while (static_cast<int>(target.size()) < n) target.insert(1 + Pick(5));
            for (int b : target) rp->add_replicas(b);
          }
          Commit(controller_->AlterPartitionReassignments(req).records);
          break;
        }
        break;
      }
      case 10: {  // elections
        controllerpb::ElectLeadersRequest req;
        req.set_election_type(Pick(2));
        Commit(controller_->ElectLeaders(req).records);
        Commit(controller_->RebalanceLeaders());
        Commit(controller_->ElectOfflineLeaders());
        break;
      }
      case 11: {  // controlled shutdown of a live broker, until it may stop
        const int id = 1 + Pick(5);
        if (dead_.count(id) || Broker(id) == nullptr) break;
        Heartbeat(id, /*shutdown=*/true);
        dead_.insert(id);
        break;
      }
    }
  }

  void CheckInvariants(int step) {
    const auto image = controller_->image();
    const std::string where = absl::StrCat("seed ", seed_, " step ", step);
    for (const auto& [tid, topic] : image->topics()) {
      for (const auto& [pid, p] : topic->partitions()) {
        ASSERT_TRUE(p->Validate().ok()) << where;
        // Never an empty ISR.
        ASSERT_FALSE(p->isr.empty()) << where << " " << topic->name() << "-" << pid << " " << p->DebugString();
        // A leader is always a live, active broker.
        if (p->HasLeader()) {
          const auto* b = image->broker(p->leader);
          ASSERT_TRUE(b != nullptr && b->IsActive())
              << where << " " << topic->name() << "-" << pid << " led by inactive " << p->leader;
        }
        // A fenced broker is in an ISR only as its last member.
        for (BrokerId r : p->isr) {
          const auto* b = image->broker(r);
          if (b == nullptr || b->fenced) {
            ASSERT_EQ(p->isr.size(), 1u) << where << " " << topic->name() << "-" << pid << " "
                                         << p->DebugString();
          }
        }
      }
    }
    // The snapshot of the image rebuilds it.
    auto rebuilt = metadata::ImageFromRecords(image->offset(), image->ToRecords());
    ASSERT_TRUE(rebuilt.ok()) << where << ": " << rebuilt.status();
    ASSERT_EQ((*rebuilt)->DebugString(), image->DebugString()) << where;
  }

  std::mt19937_64 rng_;
  uint64_t seed_;
  std::unique_ptr<Controller> controller_;
  TimePoint now_ = TimePoint(std::chrono::seconds(100));
  int64_t offset_ = 0;
  std::set<int> dead_;
  std::vector<std::pair<int64_t, MetadataBatch>> log_;
};

TEST(ControllerRandomTest, InvariantsHoldAndReplayReproducesTheImage) {
  for (int seed = 1; seed <= FLAGS_random_test_seeds && !HasFatalFailure(); ++seed) {
    RandomRun(static_cast<uint64_t>(seed)).Run(FLAGS_random_test_steps);
  }
  // The runs did exercise what they are meant to.
  const auto& c = RandomRun::Coverage();
  for (const char* kind : {"RegisterBroker", "Topic", "Partition", "PartitionChange", "PartitionChange+leader",
                           "PartitionChange+leader=-1", "PartitionChange+replicas", "RemoveTopic",
                           "BrokerRegistrationChange", "BrokerRegistrationChange+fence"}) {
    EXPECT_GT(c.count(kind) ? c.at(kind) : 0, 0) << kind;
  }
  for (const auto& [kind, n] : c) LOG(INFO) << "records " << kind << ": " << n;
}

}  // namespace
}  // namespace gregor::controller
