#include "broker/kafka/fetch_session.h"

namespace gregor::broker {

int FetchSession::Find(const Uuid& topic_id, const std::string& topic, int32_t partition) const {
  auto it = index_.find(KeyOf(topic_id, topic, partition));
  return it == index_.end() ? -1 : it->second;
}

void FetchSession::Add(FetchPartitionState p) {
  index_[KeyOf(p.topic_id, p.topic, p.partition)] = static_cast<int>(partitions.size());
  partitions.push_back(std::move(p));
}

void FetchSession::Remove(const Uuid& topic_id, const std::string& topic, int32_t partition) {
  int i = Find(topic_id, topic, partition);
  if (i < 0) return;
  partitions.erase(partitions.begin() + i);
  Reindex();
}

void FetchSession::Reindex() {
  index_.clear();
  for (size_t i = 0; i < partitions.size(); ++i) {
    index_[KeyOf(partitions[i].topic_id, partitions[i].topic, partitions[i].partition)] =
        static_cast<int>(i);
  }
}

FetchSessionCache::FetchSessionCache(int max_sessions, std::chrono::milliseconds min_evict_idle)
    : max_sessions_(max_sessions), min_evict_idle_(min_evict_idle) {}

std::shared_ptr<FetchSession> FetchSessionCache::Create(
    std::vector<FetchPartitionState> partitions) {
  absl::MutexLock l(&mu_);
  auto now = std::chrono::steady_clock::now();
  if (static_cast<int>(sessions_.size()) >= max_sessions_) {
    // Evict the least recently used session if it has been idle long enough.
    // O(sessions) only when the cache is full.
    auto victim = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (victim == sessions_.end() || it->second->last_used < victim->second->last_used) {
        victim = it;
      }
    }
    if (victim == sessions_.end() || now - victim->second->last_used < min_evict_idle_) {
      return nullptr;
    }
    sessions_.erase(victim);
  }
  int32_t id;
  do {
    id = absl::Uniform<int32_t>(gen_, 1, INT32_MAX);
  } while (sessions_.contains(id));
  auto s = std::make_shared<FetchSession>();
  s->id = id;
  s->epoch = 1;
  for (auto& p : partitions) s->Add(std::move(p));
  s->last_used = now;
  sessions_[id] = s;
  return s;
}

std::shared_ptr<FetchSession> FetchSessionCache::Get(int32_t id) {
  absl::MutexLock l(&mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  return it->second;
}

void FetchSessionCache::Remove(int32_t id) {
  absl::MutexLock l(&mu_);
  sessions_.erase(id);
}

size_t FetchSessionCache::size() const {
  absl::MutexLock l(&mu_);
  return sessions_.size();
}

}  // namespace gregor::broker
