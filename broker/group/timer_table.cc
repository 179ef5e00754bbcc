#include "broker/group/timer_table.h"

namespace gregor::broker::group {

void TimerTable::Schedule(const TimerKey& key, MonoTime deadline, TimerPayload payload) {
  Cancel(key);
  uint64_t seq = next_seq_++;
  entries_[key] = Entry{deadline, seq, payload};
  order_.emplace(deadline, seq, key);
}

void TimerTable::Cancel(const TimerKey& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  order_.erase(std::make_tuple(it->second.deadline, it->second.seq, key));
  entries_.erase(it);
}

std::optional<MonoTime> TimerTable::DeadlineOf(const TimerKey& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second.deadline;
}

std::optional<MonoTime> TimerTable::NextDeadline() const {
  if (order_.empty()) return std::nullopt;
  return std::get<0>(*order_.begin());
}

std::optional<std::pair<TimerKey, TimerPayload>> TimerTable::PopDue(MonoTime now,
                                                                    uint64_t seq_limit) {
  for (auto it = order_.begin(); it != order_.end() && std::get<0>(*it) <= now; ++it) {
    if (std::get<1>(*it) >= seq_limit) continue;
    TimerKey key = std::get<2>(*it);
    auto entry = entries_.find(key);
    TimerPayload payload = entry->second.payload;
    entries_.erase(entry);
    order_.erase(it);
    return std::make_pair(std::move(key), payload);
  }
  return std::nullopt;
}

void TimerTable::Clear() {
  entries_.clear();
  order_.clear();
}

}  // namespace gregor::broker::group
