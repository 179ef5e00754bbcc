#include "broker/replica/replica_fetcher_manager.h"

#include <algorithm>

#include "glog/logging.h"

namespace gregor::broker {

ReplicaFetcherManager::ReplicaFetcherManager(ReplicaFetcherOptions options,
                                             LeaderEndpointFactory endpoints, ImageFn image,
                                             Clock* clock, metrics::Registry* metrics)
    : options_(std::move(options)),
      endpoints_(std::move(endpoints)),
      image_(std::move(image)),
      clock_(clock),
      metrics_(metrics) {
  if (metrics_ == nullptr) return;
  metrics_collector_ = metrics_->AddCollector([this](metrics::SampleWriter& w) {
    std::vector<ReplicaFetcherStats> stats = Stats();
    w.Family("gregor_replica_fetcher_partitions", "Partitions fetched from each leader.", "gauge");
    w.Family("gregor_replica_fetcher_failed_partitions",
             "Partitions a fetcher gave up on (their log failed).", "gauge");
    w.Family("gregor_replica_fetcher_connected", "1 when the leader answered the last request.",
             "gauge");
    w.Family("gregor_replica_fetcher_requests_total", "Fetch requests answered.", "counter");
    w.Family("gregor_replica_fetcher_request_errors_total",
             "Fetch requests that failed (leader unreachable, timeouts).", "counter");
    w.Family("gregor_replica_fetcher_bytes_total", "Record bytes replicated.", "counter");
    w.Family("gregor_replica_fetcher_truncations_total", "Log truncations done.", "counter");
    for (const ReplicaFetcherStats& s : stats) {
      metrics::Labels l = {{"leader", std::to_string(s.leader.value())}};
      w.Sample("gregor_replica_fetcher_partitions", l, static_cast<double>(s.partitions));
      w.Sample("gregor_replica_fetcher_failed_partitions", l,
               static_cast<double>(s.partitions_failed));
      w.Sample("gregor_replica_fetcher_connected", l, s.connected ? 1 : 0);
      w.Sample("gregor_replica_fetcher_requests_total", l, static_cast<double>(s.fetches));
      w.Sample("gregor_replica_fetcher_request_errors_total", l,
               static_cast<double>(s.fetch_errors));
      w.Sample("gregor_replica_fetcher_bytes_total", l, static_cast<double>(s.bytes));
      w.Sample("gregor_replica_fetcher_truncations_total", l, static_cast<double>(s.truncations));
    }
  });
}

ReplicaFetcherManager::~ReplicaFetcherManager() {
  Stop();
  if (metrics_ != nullptr && metrics_collector_ >= 0) metrics_->RemoveCollector(metrics_collector_);
}

void ReplicaFetcherManager::Start() {
  absl::MutexLock l(&mu_);
  if (started_ || stopped_) return;
  started_ = true;
  for (auto& [id, f] : fetchers_) f->Start();
}

void ReplicaFetcherManager::Stop() {
  absl::flat_hash_map<BrokerId, std::unique_ptr<ReplicaFetcher>> fetchers;
  {
    absl::MutexLock l(&mu_);
    stopped_ = true;
    fetchers.swap(fetchers_);
    assignment_.clear();
  }
  for (auto& [id, f] : fetchers) f->Stop();
}

void ReplicaFetcherManager::DetachLocked(const Key& key,
                                         std::vector<std::unique_ptr<ReplicaFetcher>>* retired) {
  auto it = assignment_.find(key);
  if (it == assignment_.end()) return;
  auto f = fetchers_.find(it->second);
  assignment_.erase(it);
  if (f == fetchers_.end()) return;
  f->second->Remove(key.topic_id, key.partition);
  if (f->second->partition_count() == 0) {
    retired->push_back(std::move(f->second));
    fetchers_.erase(f);
  }
}

ReplicaFetcher* ReplicaFetcherManager::FetcherForLocked(
    BrokerId leader, const std::string& address,
    std::vector<std::unique_ptr<ReplicaFetcher>>* retired) {
  auto it = fetchers_.find(leader);
  if (it != fetchers_.end()) {
    if (it->second->address() == address) return it->second.get();
    // The leader re-registered elsewhere: its partitions move to a new
    // fetcher (they truncate again, which is harmless).
    LOG(INFO) << "leader " << leader << " moved from " << it->second->address() << " to "
              << address;
    std::unique_ptr<ReplicaFetcher> old = std::move(it->second);
    fetchers_.erase(it);
    auto f = std::make_unique<ReplicaFetcher>(leader, endpoints_(leader, address), options_, clock_);
    for (auto& [p, epoch] : old->partitions()) f->Add(p, epoch);
    retired->push_back(std::move(old));
    if (started_) f->Start();
    ReplicaFetcher* out = f.get();
    fetchers_[leader] = std::move(f);
    return out;
  }
  auto f = std::make_unique<ReplicaFetcher>(leader, endpoints_(leader, address), options_, clock_);
  if (started_) f->Start();
  ReplicaFetcher* out = f.get();
  fetchers_[leader] = std::move(f);
  return out;
}

void ReplicaFetcherManager::Follow(const std::vector<std::shared_ptr<Partition>>& partitions) {
  std::shared_ptr<const metadata::MetadataImage> image = image_();
  std::vector<std::unique_ptr<ReplicaFetcher>> retired;
  std::vector<ReplicaFetcher*> woken;
  {
    absl::MutexLock l(&mu_);
    if (stopped_) return;
    for (const std::shared_ptr<Partition>& p : partitions) {
      Key key{p->topic_id(), p->index()};
      const BrokerId leader = p->leader_id();
      const LeaderEpoch epoch = p->leader_epoch();
      if (!p->is_follower() || leader == metadata::kNoLeader || leader == options_.broker_id) {
        DetachLocked(key, &retired);
        continue;
      }
      const metadata::BrokerRegistration* b = image != nullptr ? image->broker(leader) : nullptr;
      if (b == nullptr || b->replica_address.empty()) {
        LOG(WARNING) << p->topic() << "-" << p->index() << ": leader " << leader
                     << " has no replica address in the metadata; not fetching";
        DetachLocked(key, &retired);
        continue;
      }
      auto current = assignment_.find(key);
      if (current != assignment_.end() && current->second != leader) DetachLocked(key, &retired);
      ReplicaFetcher* f = FetcherForLocked(leader, b->replica_address, &retired);
      assignment_[key] = leader;
      if (f->Add(p, epoch) && std::find(woken.begin(), woken.end(), f) == woken.end()) {
        woken.push_back(f);
      }
    }
    for (ReplicaFetcher* f : woken) f->Wake();
  }
  for (auto& f : retired) f->Stop();
}

void ReplicaFetcherManager::Unfollow(const std::vector<std::shared_ptr<Partition>>& partitions) {
  std::vector<std::unique_ptr<ReplicaFetcher>> retired;
  {
    absl::MutexLock l(&mu_);
    for (const std::shared_ptr<Partition>& p : partitions) {
      DetachLocked(Key{p->topic_id(), p->index()}, &retired);
    }
  }
  for (auto& f : retired) f->Stop();
}

BrokerId ReplicaFetcherManager::FetchingFrom(const Uuid& topic_id, int32_t partition) const {
  absl::MutexLock l(&mu_);
  auto it = assignment_.find(Key{topic_id, partition});
  return it == assignment_.end() ? metadata::kNoLeader : it->second;
}

std::vector<ReplicaFetcherStats> ReplicaFetcherManager::Stats() const {
  absl::MutexLock l(&mu_);
  std::vector<ReplicaFetcherStats> out;
  for (const auto& [id, f] : fetchers_) out.push_back(f->stats());
  return out;
}

ReplicaFetcher* ReplicaFetcherManager::fetcher(BrokerId leader) const {
  absl::MutexLock l(&mu_);
  auto it = fetchers_.find(leader);
  return it == fetchers_.end() ? nullptr : it->second.get();
}

}  // namespace gregor::broker
