#include "broker/replica/replica_manager.h"

#include <chrono>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace gregor::broker {
namespace {

metadata::ConfigResource TopicResource(std::string_view topic) {
  return metadata::ConfigResource{metadata::CONFIG_RESOURCE_TOPIC, std::string(topic)};
}

}  // namespace

ReplicaManager::ReplicaManager(ReplicaManagerOptions options, storage::LogManager* logs,
                               Clock* clock, metrics::Registry* metrics)
    : options_(std::move(options)), logs_(logs), clock_(clock), metrics_(metrics) {
  image_ = metadata::MetadataImage::Empty();
  timer_work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      timer_loop_.get_executor());
  timer_thread_ = std::thread([this] { timer_loop_.run(); });
  if (metrics_ != nullptr) {
    isr_shrinks_ = metrics_->GetCounter("kafka_server_isr_shrinks_total",
                                        "ISR shrinks proposed by partition leaders here.");
    isr_expands_ = metrics_->GetCounter("kafka_server_isr_expands_total",
                                        "ISR expansions proposed by partition leaders here.");
    leader_changes_ = metrics_->GetCounter("kafka_server_leader_elections_total",
                                           "Times this broker became leader of a partition.");
    metrics_collector_ = metrics_->AddCollector([this](metrics::SampleWriter& w) {
      int64_t leaders = 0, urp = 0, under_min = 0, offline = 0;
      struct Traffic {
        uint64_t bytes_in = 0, messages_in = 0, bytes_out = 0;
      };
      struct Row {
        metrics::Labels labels;
        double size, leo, hw;
      };
      std::map<std::string, Traffic> by_topic;
      std::vector<Row> rows;
      for (const auto& p : All()) {
        Traffic& t = by_topic[p->topic()];
        t.bytes_in += p->bytes_in();
        t.messages_in += p->messages_in();
        t.bytes_out += p->bytes_out();
        rows.push_back({{{"topic", p->topic()}, {"partition", std::to_string(p->index())}},
                        static_cast<double>(p->log()->size_bytes()),
                        static_cast<double>(p->log_end_offset().value()),
                        static_cast<double>(p->high_watermark().value())});
        if (!p->is_leader()) continue;
        ++leaders;
        size_t isr = p->isr().size();
        if (isr < p->replicas().size()) ++urp;
        if (static_cast<int32_t>(isr) < MinInsyncReplicas(p->topic())) ++under_min;
      }
      // Each family's samples right after its HELP/TYPE lines, as the text
      // format requires (a parser takes a sample after another family's TYPE
      // line for an untyped family of its own).
      w.Family("kafka_log_size_bytes", "Bytes of a partition's log on this broker.", "gauge");
      for (const Row& r : rows) w.Sample("kafka_log_size_bytes", r.labels, r.size);
      w.Family("kafka_log_end_offset", "Log end offset of a partition on this broker.", "gauge");
      for (const Row& r : rows) w.Sample("kafka_log_end_offset", r.labels, r.leo);
      w.Family("kafka_log_high_watermark", "High watermark of a partition on this broker.",
               "gauge");
      for (const Row& r : rows) w.Sample("kafka_log_high_watermark", r.labels, r.hw);
      w.Family("kafka_server_leader_count", "Partitions this broker leads.", "gauge");
      w.Sample("kafka_server_leader_count", {}, static_cast<double>(leaders));
      w.Family("kafka_server_under_replicated_partitions",
               "Led partitions whose ISR is smaller than their replica set.", "gauge");
      w.Sample("kafka_server_under_replicated_partitions", {}, static_cast<double>(urp));
      w.Family("kafka_server_under_min_isr_partitions",
               "Led partitions whose ISR is below min.insync.replicas.", "gauge");
      w.Sample("kafka_server_under_min_isr_partitions", {}, static_cast<double>(under_min));
      w.Family("kafka_server_produce_purgatory_size", "Produce requests waiting.", "gauge");
      w.Sample("kafka_server_produce_purgatory_size", {},
               static_cast<double>(produce_purgatory_.watched()));
      w.Family("kafka_server_fetch_purgatory_size", "Fetch requests waiting.", "gauge");
      w.Sample("kafka_server_fetch_purgatory_size", {},
               static_cast<double>(fetch_purgatory_.watched()));
      (void)offline;
      struct TopicCounter {
        const char* name;
        const char* help;
        uint64_t Traffic::*field;
      };
      for (const TopicCounter& c :
           {TopicCounter{"kafka_server_brokertopicmetrics_bytes_in_total",
                         "Bytes produced to a topic's partitions led here.", &Traffic::bytes_in},
            TopicCounter{"kafka_server_brokertopicmetrics_messages_in_total",
                         "Records produced to a topic's partitions led here.",
                         &Traffic::messages_in},
            TopicCounter{"kafka_server_brokertopicmetrics_bytes_out_total",
                         "Bytes fetched by consumers from a topic's partitions here.",
                         &Traffic::bytes_out}}) {
        w.Family(c.name, c.help, "counter");
        for (const auto& [topic, t] : by_topic) {
          w.Sample(c.name, {{"topic", topic}}, static_cast<double>(t.*c.field));
        }
      }
    });
  }
}

ReplicaManager::~ReplicaManager() {
  Stop();
  timer_work_.reset();
  timer_loop_.stop();
  if (timer_thread_.joinable()) timer_thread_.join();
  if (metrics_ != nullptr && metrics_collector_ >= 0) metrics_->RemoveCollector(metrics_collector_);
}

void ReplicaManager::SetAlterPartitionSender(AlterPartitionSender sender) {
  absl::MutexLock l(&mu_);
  alter_partition_ = std::move(sender);
}

void ReplicaManager::SetFollowerListener(FollowerListener listener) {
  absl::MutexLock l(&mu_);
  follower_listener_ = std::move(listener);
}

int ReplicaManager::AddLeadershipListener(LeadershipListener listener) {
  absl::MutexLock l(&listeners_mu_);
  int id = next_listener_id_++;
  leadership_listeners_.emplace_back(id, std::move(listener));
  return id;
}

void ReplicaManager::RemoveLeadershipListener(int id) {
  absl::MutexLock l(&listeners_mu_);
  std::erase_if(leadership_listeners_, [id](const auto& e) { return e.first == id; });
}

void ReplicaManager::Start() {
  isr_thread_ = std::thread([this] { RunIsrLoop(); });
}

void ReplicaManager::Stop() {
  stop_ = true;
  if (isr_thread_.joinable()) isr_thread_.join();
}

void ReplicaManager::RunIsrLoop() {
  while (!stop_.load()) {
    for (int64_t slept = 0; slept < options_.isr_check_interval_ms && !stop_.load(); slept += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (stop_.load()) return;
    CheckIsr();
  }
}

// ---- lookups ------------------------------------------------------------------------------------

std::shared_ptr<Partition> ReplicaManager::Get(const Uuid& topic_id, int32_t partition) const {
  absl::ReaderMutexLock l(&mu_);
  auto it = partitions_.find(Key{topic_id, partition});
  return it == partitions_.end() ? nullptr : it->second;
}

std::shared_ptr<Partition> ReplicaManager::Get(std::string_view topic, int32_t partition) const {
  absl::ReaderMutexLock l(&mu_);
  const metadata::TopicImage* t = image_->topic(topic);
  if (t == nullptr) return nullptr;
  auto it = partitions_.find(Key{t->id(), partition});
  return it == partitions_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Partition>> ReplicaManager::All() const {
  absl::ReaderMutexLock l(&mu_);
  std::vector<std::shared_ptr<Partition>> out;
  out.reserve(partitions_.size());
  for (const auto& [k, p] : partitions_) out.push_back(p);
  return out;
}

std::shared_ptr<const metadata::MetadataImage> ReplicaManager::image() const {
  absl::ReaderMutexLock l(&mu_);
  return image_;
}

// ---- configs -----------------------------------------------------------------------------------

int32_t ReplicaManager::MinInsyncReplicas(std::string_view topic) const {
  std::shared_ptr<const metadata::MetadataImage> img = image();
  std::optional<std::string> v = img->config(TopicResource(topic), "min.insync.replicas");
  int32_t n;
  if (v.has_value() && absl::SimpleAtoi(*v, &n) && n >= 1) return n;
  return options_.min_insync_replicas;
}

storage::LogConfig ReplicaManager::LogConfigFor(std::string_view topic) const {
  std::shared_ptr<const metadata::MetadataImage> img = image();
  const metadata::ConfigEntries* entries = img->configs(TopicResource(topic));
  if (entries == nullptr) return options_.default_log_config;
  std::map<std::string, std::string> m(entries->begin(), entries->end());
  absl::StatusOr<storage::LogConfig> c = storage::LogConfig::FromMap(m, options_.default_log_config);
  if (!c.ok()) {
    LOG(WARNING) << "topic " << topic << " has bad storage configs (" << c.status()
                 << "); using the broker defaults";
    return options_.default_log_config;
  }
  return *c;
}

// ---- metadata ---------------------------------------------------------------------------------

std::shared_ptr<Partition> ReplicaManager::GetOrCreate(const metadata::LocalPartition& lp) {
  Key key{lp.topic_id, lp.partition.value()};
  {
    absl::ReaderMutexLock l(&mu_);
    auto it = partitions_.find(key);
    if (it != partitions_.end()) return it->second;
  }
  storage::TopicPartition tp{lp.topic, lp.partition.value()};
  absl::StatusOr<std::shared_ptr<storage::Log>> log =
      logs_->GetOrCreateLog(tp, lp.topic_id, LogConfigFor(lp.topic));
  if (!log.ok() && log.status().code() == absl::StatusCode::kFailedPrecondition) {
    // A log of an older topic with the same name: it is gone from the
    // metadata, so remove it and start the new incarnation.
    LOG(WARNING) << tp << ": removing the log of a deleted topic incarnation: " << log.status();
    absl::Status s = logs_->DeleteLog(tp);
    if (!s.ok()) LOG(ERROR) << tp << ": " << s;
    log = logs_->GetOrCreateLog(tp, lp.topic_id, LogConfigFor(lp.topic));
  }
  if (!log.ok()) {
    LOG(ERROR) << "cannot open the log of " << tp << ": " << log.status();
    return nullptr;
  }
  PartitionOptions po;
  po.local_broker_id = options_.broker_id;
  po.replica_lag_time_max_ms = options_.replica_lag_time_max_ms;
  po.sync_before_ack = options_.sync_before_ack;
  auto p = std::make_shared<Partition>(lp.topic, lp.topic_id, lp.partition.value(), *log, clock_,
                                       po);
  absl::Status s = p->RebuildProducerState();
  if (!s.ok()) LOG(ERROR) << tp << ": cannot rebuild producer state: " << s;
  absl::MutexLock l(&mu_);
  auto [it, inserted] = partitions_.try_emplace(key, p);
  return it->second;
}

std::shared_ptr<Partition> ReplicaManager::Delete(const metadata::LocalPartition& lp) {
  std::shared_ptr<Partition> p;
  {
    absl::MutexLock l(&mu_);
    auto it = partitions_.find(Key{lp.topic_id, lp.partition.value()});
    if (it == partitions_.end()) return nullptr;
    p = it->second;
    partitions_.erase(it);
  }
  p->MakeOffline();
  NotifyPartition(*p);
  return p;
}

void ReplicaManager::ApplyMetadata(const std::shared_ptr<const metadata::MetadataImage>& before,
                                   std::shared_ptr<const metadata::MetadataImage> after,
                                   const metadata::LocalReplicaChanges& changes) {
  {
    absl::MutexLock l(&mu_);
    image_ = after;
  }
  std::vector<LeadershipChange> role_changes;
  FollowerListener listener;
  {
    absl::ReaderMutexLock l(&mu_);
    listener = follower_listener_;
  }
  // Partitions leaving this broker: fetchers drop them before their logs go.
  std::vector<std::shared_ptr<Partition>> stopped;
  std::vector<storage::TopicPartition> to_delete;
  for (const auto& lp : changes.deletes) {
    std::shared_ptr<Partition> p = Delete(lp);
    role_changes.push_back({LeadershipChange::Kind::kDeleted, lp.topic, lp.partition.value(),
                            lp.registration ? lp.registration->leader_epoch : LeaderEpoch(0),
                            nullptr});
    if (p == nullptr) continue;
    stopped.push_back(std::move(p));
    to_delete.push_back(storage::TopicPartition{lp.topic, lp.partition.value()});
  }
  if (listener.on_stop && !stopped.empty()) listener.on_stop(stopped);
  for (const storage::TopicPartition& tp : to_delete) {
    absl::Status s = logs_->DeleteLog(tp);
    if (!s.ok()) LOG(ERROR) << "cannot delete the log of " << tp << ": " << s;
  }
  stopped.clear();
  for (const auto& lp : changes.leaders) {
    std::shared_ptr<Partition> p = GetOrCreate(lp);
    if (p == nullptr) continue;
    bool was_leader = p->is_leader();
    LeaderEpoch old_epoch = p->leader_epoch();
    if (!p->MakeLeader(*lp.registration)) continue;
    role_changes.push_back({LeadershipChange::Kind::kLeader, lp.topic, lp.partition.value(),
                            lp.registration->leader_epoch, p});
    if (!was_leader) stopped.push_back(p);
    if (!was_leader || old_epoch != lp.registration->leader_epoch) {
      if (leader_changes_ != nullptr) leader_changes_->Inc();
      LOG(INFO) << lp.topic << "-" << lp.partition << ": leader here, "
                << lp.registration->DebugString();
    }
    NotifyPartition(*p);
  }
  if (listener.on_stop && !stopped.empty()) listener.on_stop(stopped);
  std::vector<std::shared_ptr<Partition>> follow;
  for (const auto& lp : changes.followers) {
    std::shared_ptr<Partition> p = GetOrCreate(lp);
    if (p == nullptr) continue;
    if (!p->MakeFollower(*lp.registration)) continue;
    NotifyPartition(*p);  // produce/fetch waiters now fail with NOT_LEADER
    role_changes.push_back({LeadershipChange::Kind::kFollower, lp.topic, lp.partition.value(),
                            lp.registration->leader_epoch, p});
    follow.push_back(std::move(p));
  }
  // Topic config changes reach the logs.
  if (before != nullptr && before.get() != after.get()) {
    for (const auto& p : All()) {
      metadata::ConfigResource r = TopicResource(p->topic());
      if (before->configs(r) != after->configs(r)) p->log()->SetConfig(LogConfigFor(p->topic()));
    }
  }
  if (listener.on_follow && !follow.empty()) listener.on_follow(follow);
  if (!role_changes.empty()) {
    absl::MutexLock l(&listeners_mu_);
    for (const auto& [id, on_change] : leadership_listeners_) on_change(role_changes);
  }
}

// ---- events -------------------------------------------------------------------------------------

void ReplicaManager::OnLeaderAppend(const std::shared_ptr<Partition>& p, Offset end) {
  // Followers waiting at this leader have new data.
  replica_fetch_purgatory_.CheckAndComplete(KeyOf(*p));
  if (p->MaybeAdvanceHighWatermark()) NotifyPartition(*p);
  if (!options_.sync_before_ack) return;
  std::weak_ptr<Partition> weak = p;
  p->log()->WhenDurable(end, [this, weak](absl::Status s) {
    std::shared_ptr<Partition> part = weak.lock();
    if (part == nullptr) return;
    if (!s.ok()) {
      // Truncated or failed: waiters learn it from the partition's state.
      NotifyPartition(*part);
      return;
    }
    if (part->MaybeAdvanceHighWatermark()) NotifyPartition(*part);
  });
}

void ReplicaManager::NotifyPartition(const Partition& p) {
  WatchKey k = KeyOf(p);
  produce_purgatory_.CheckAndComplete(k);
  fetch_purgatory_.CheckAndComplete(k);
  replica_fetch_purgatory_.CheckAndComplete(k);
}

void ReplicaManager::MaybeExpandIsr(const std::shared_ptr<Partition>& p) {
  AlterPartitionSender sender;
  {
    absl::ReaderMutexLock l(&mu_);
    sender = alter_partition_;
  }
  if (sender) ProposeIsrChange(p, sender);
}

void ReplicaManager::CheckIsr() {
  AlterPartitionSender sender;
  {
    absl::ReaderMutexLock l(&mu_);
    sender = alter_partition_;
  }
  if (!sender) return;
  for (const auto& p : All()) ProposeIsrChange(p, sender);
}

void ReplicaManager::ProposeIsrChange(const std::shared_ptr<Partition>& p,
                                      const AlterPartitionSender& sender) {
  std::optional<Partition::IsrChange> change = p->ProposeIsrChange();
  if (!change.has_value()) return;
  std::vector<BrokerId> old = p->isr();
  bool shrink = change->new_isr.size() < old.size();
  metrics::Counter* c = shrink ? isr_shrinks_ : isr_expands_;
  if (c != nullptr) c->Inc();
  std::string members;
  for (BrokerId b : change->new_isr) absl::StrAppend(&members, members.empty() ? "" : ",", b.value());
  LOG(INFO) << p->topic() << "-" << p->index() << ": proposing ISR " << (shrink ? "shrink" : "expand")
            << " to [" << members << "] at leader epoch " << change->leader_epoch
            << ", partition epoch " << change->partition_epoch;
  std::weak_ptr<Partition> weak = p;
  sender(*p, *change, [this, weak](int16_t error, std::optional<PartitionRegistration> result) {
    std::shared_ptr<Partition> part = weak.lock();
    if (part == nullptr) return;
    part->OnIsrChangeResult(error, result);
    NotifyPartition(*part);
  });
}

}  // namespace gregor::broker
