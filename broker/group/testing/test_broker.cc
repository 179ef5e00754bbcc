#include "broker/group/testing/test_broker.h"

#include <thread>

#include "broker/group/offsets_topic.h"
#include "broker/storage/env.h"
#include "common/metadata/testing/records.h"
#include "glog/logging.h"

namespace gregor::broker::group::testing {

namespace mt = ::gregor::metadata::testing;

TestBroker::TestBroker() { Open(); }

TestBroker::~TestBroker() { Close(); }

void TestBroker::Open() {
  storage::LogManagerOptions lo;
  lo.log_dirs = {dir_.Sub("logs")};
  lo.start_background_tasks = false;
  auto logs = storage::LogManager::Open(storage::Env::Default(), Clock::Real(), lo);
  CHECK(logs.ok()) << logs.status();
  logs_ = *std::move(logs);
  ReplicaManagerOptions ro;
  ro.broker_id = BrokerId(kLocalBroker);
  replicas_ = std::make_unique<ReplicaManager>(ro, logs_.get(), Clock::Real(), nullptr);
  auto empty = metadata::MetadataImage::Empty();
  replicas_->ApplyMetadata(empty, image_,
                           metadata::DiffLocalChanges(*empty, *image_, BrokerId(kLocalBroker)));
}

void TestBroker::Close() {
  if (replicas_ == nullptr) return;
  replicas_->Stop();
  replicas_.reset();
  absl::Status s = logs_->Shutdown();
  CHECK(s.ok()) << s;
  logs_.reset();
}

void TestBroker::Apply(const std::vector<metadata::MetadataRecord>& records) {
  metadata::MetadataDelta delta(image_);
  for (const auto& r : records) {
    absl::Status s = delta.Replay(metadata::MetadataOffset(next_offset_), r);
    CHECK(s.ok()) << s << ": " << metadata::RecordDebugString(r);
  }
  ++next_offset_;
  metadata::LocalReplicaChanges changes = delta.LocalChanges(BrokerId(kLocalBroker));
  std::shared_ptr<const metadata::MetadataImage> after = delta.Apply();
  replicas_->ApplyMetadata(image_, after, changes);
  image_ = after;
}

void TestBroker::RegisterBrokers(int n) {
  std::vector<metadata::MetadataRecord> records;
  for (int id = 1; id <= n; ++id) records.push_back(mt::RegisterBroker(id, 0, /*fenced=*/false));
  Apply(records);
}

void TestBroker::CreateOffsetsTopic(int partitions, std::vector<int> replicas,
                                    std::vector<int> isr, int leader) {
  std::vector<metadata::MetadataRecord> records = {mt::Topic(kOffsetsTopic, offsets_topic_id_)};
  for (int p = 0; p < partitions; ++p) {
    records.push_back(mt::Partition(offsets_topic_id_, p, replicas, isr, leader));
  }
  Apply(records);
}

void TestBroker::CreateTopic(const std::string& name, int partitions) {
  Uuid id(0x70, next_topic_id_++);
  std::vector<metadata::MetadataRecord> records = {mt::Topic(name, id)};
  for (int p = 0; p < partitions; ++p) {
    records.push_back(mt::Partition(id, p, {kLocalBroker}, {kLocalBroker}, kLocalBroker));
  }
  Apply(records);
}

void TestBroker::ChangeOffsetsLeader(int partition, int leader, std::vector<int> isr) {
  Apply({mt::PartitionChange(offsets_topic_id_, partition, leader, isr)});
}

std::shared_ptr<Partition> TestBroker::OffsetsPartition(int partition) {
  return replicas_->Get(kOffsetsTopic, partition);
}

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace gregor::broker::group::testing
