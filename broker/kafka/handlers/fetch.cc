#include "broker/kafka/handlers/fetch.h"

#include <algorithm>

#include "broker/kafka/fetch_session.h"
#include "broker/replica/replica_manager.h"
#include "proto/kafka/errors.h"

namespace gregor::broker {
namespace {

using kafka::ErrorCode;
using kafka::ToWire;

constexpr int32_t kFinalEpoch = -1;
constexpr int32_t kInitialEpoch = 0;

struct PartitionRead {
  int16_t error = 0;
  int64_t high_watermark = -1;
  int64_t last_stable_offset = -1;
  int64_t log_start_offset = -1;
  kafka::Records records = kafka::Records::Empty();
};

// Everything needed to (re)run a fetch and answer it.
struct FetchJob {
  ReplicaManager* rm = nullptr;
  int16_t version = 0;
  bool read_committed = false;
  int32_t max_bytes = 0;
  int32_t min_bytes = 0;
  std::shared_ptr<FetchSession> session;  // null: sessionless
  bool incremental = false;
  // Sessionless: the request's partitions. With a session: read from it.
  std::vector<FetchPartitionState> partitions;

  std::vector<FetchPartitionState> Snapshot() const {
    if (session == nullptr) return partitions;
    absl::MutexLock l(&session->mu);
    return session->partitions;
  }
};

std::shared_ptr<Partition> Lookup(ReplicaManager* rm, const FetchPartitionState& fp) {
  if (!fp.topic_id.IsZero()) return rm->Get(fp.topic_id, fp.partition);
  return rm->Get(fp.topic, fp.partition);
}

int16_t MissingPartitionError(const ReplicaManager* rm, const FetchPartitionState& fp,
                              int16_t version) {
  if (fp.topic.empty()) {
    return ToWire(version >= 13 ? ErrorCode::kUnknownTopicId : ErrorCode::kUnknownTopicOrPartition);
  }
  std::shared_ptr<const metadata::MetadataImage> image = rm->image();
  const metadata::TopicImage* t = image->topic(fp.topic);
  if (t != nullptr && t->partition(PartitionId(fp.partition)) != nullptr) {
    return ToWire(ErrorCode::kNotLeaderOrFollower);
  }
  return ToWire(ErrorCode::kUnknownTopicOrPartition);
}

// Reads every partition within the byte budgets; returns the bytes read.
int64_t ReadAll(const FetchJob& job, const std::vector<FetchPartitionState>& parts,
                std::vector<PartitionRead>* out) {
  out->clear();
  out->resize(parts.size());
  int64_t total = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const FetchPartitionState& fp = parts[i];
    PartitionRead& pr = (*out)[i];
    std::shared_ptr<Partition> p = fp.topic.empty() ? nullptr : Lookup(job.rm, fp);
    if (p == nullptr) {
      pr.error = MissingPartitionError(job.rm, fp, job.version);
      continue;
    }
    int64_t budget = std::min<int64_t>(fp.max_bytes, job.max_bytes - total);
    if (budget < 0) budget = 0;
    Partition::ReadOutcome r =
        p->ReadForConsumer(Offset(fp.fetch_offset), static_cast<uint64_t>(budget),
                           /*min_one=*/total == 0, job.read_committed,
                           LeaderEpoch(fp.current_leader_epoch));
    pr.error = r.error_code;
    pr.high_watermark = r.high_watermark.value();
    pr.last_stable_offset = r.last_stable_offset.value();
    pr.log_start_offset = r.log_start_offset.value();
    if (r.error_code == ToWire(ErrorCode::kOffsetOutOfRange) ||
        r.error_code == ToWire(ErrorCode::kNone)) {
      // Clients reset positions from these on OFFSET_OUT_OF_RANGE.
      pr.high_watermark = p->high_watermark().value();
      pr.last_stable_offset = p->last_stable_offset().value();
      pr.log_start_offset = p->log_start_offset().value();
    }
    if (!r.region.empty()) {
      pr.records.AppendFile(kafka::FileRegion{r.region.file, r.region.fd(),
                                              static_cast<int64_t>(r.region.position),
                                              static_cast<int64_t>(r.region.length)});
      total += static_cast<int64_t>(r.region.length);
      p->CountOut(r.region.length);
    }
  }
  return total;
}

// True when waiting longer cannot help: new data is visible on some
// partition, or a partition moved (errors are answered at once).
bool SomethingChanged(const FetchJob& job, const std::vector<FetchPartitionState>& parts) {
  for (const FetchPartitionState& fp : parts) {
    if (fp.topic.empty()) continue;
    std::shared_ptr<Partition> p = Lookup(job.rm, fp);
    if (p == nullptr || !p->is_leader()) return true;
    int64_t visible = job.read_committed ? p->last_stable_offset().value()
                                         : p->high_watermark().value();
    if (visible > fp.fetch_offset) return true;
  }
  return false;
}

kafka::FetchResponse BuildResponse(FetchJob& job, const std::vector<FetchPartitionState>& parts,
                                   std::vector<PartitionRead>& reads) {
  kafka::FetchResponse resp;
  resp.session_id = job.session != nullptr ? job.session->id : 0;
  std::unique_ptr<absl::MutexLock> lock;
  if (job.session != nullptr) lock = std::make_unique<absl::MutexLock>(&job.session->mu);
  kafka::FetchResponse::FetchableTopicResponse* topic = nullptr;
  for (size_t i = 0; i < parts.size(); ++i) {
    const FetchPartitionState& fp = parts[i];
    PartitionRead& pr = reads[i];
    FetchPartitionState* cached = nullptr;
    if (job.session != nullptr) {
      int idx = job.session->Find(fp.topic_id, fp.topic, fp.partition);
      if (idx >= 0) cached = &job.session->partitions[idx];
    }
    if (job.incremental && cached != nullptr && pr.error == 0 && pr.records.empty() &&
        cached->last_high_watermark == pr.high_watermark &&
        cached->last_stable_offset == pr.last_stable_offset &&
        cached->last_log_start_offset == pr.log_start_offset) {
      continue;  // nothing new for this partition
    }
    if (cached != nullptr) {
      cached->last_high_watermark = pr.high_watermark;
      cached->last_stable_offset = pr.last_stable_offset;
      cached->last_log_start_offset = pr.log_start_offset;
    }
    bool same_topic = topic != nullptr && (job.version >= 13 ? topic->topic_id == fp.topic_id
                                                             : topic->topic == fp.topic);
    if (!same_topic) {
      topic = &resp.responses.emplace_back();
      topic->topic = fp.topic;
      topic->topic_id = fp.topic_id;
    }
    auto& out = topic->partitions.emplace_back();
    out.partition_index = fp.partition;
    out.error_code = pr.error;
    out.high_watermark = pr.high_watermark;
    out.last_stable_offset = pr.last_stable_offset;
    out.log_start_offset = pr.log_start_offset;
    if (job.read_committed) out.aborted_transactions.emplace();  // none: no transactions yet
    out.records = std::move(pr.records);
  }
  return resp;
}

void Answer(FetchJob& job, Reply<kafka::FetchResponse>& reply) {
  std::vector<FetchPartitionState> parts = job.Snapshot();
  std::vector<PartitionRead> reads;
  ReadAll(job, parts, &reads);
  reply.Send(BuildResponse(job, parts, reads));
}

class DelayedFetch : public DelayedOperation {
 public:
  DelayedFetch(FetchJob job, Reply<kafka::FetchResponse> reply)
      : job_(std::move(job)), reply_(std::move(reply)) {}

  bool TryComplete() override {
    std::vector<FetchPartitionState> parts = job_.Snapshot();
    if (job_.min_bytes <= 1) {
      if (SomethingChanged(job_, parts)) return ForceComplete();
      return false;
    }
    std::vector<PartitionRead> reads;
    int64_t bytes = ReadAll(job_, parts, &reads);
    bool error = std::any_of(reads.begin(), reads.end(), [](const auto& r) { return r.error != 0; });
    if (bytes >= job_.min_bytes || error) return ForceComplete();
    return false;
  }

 protected:
  void OnComplete() override { Answer(job_, reply_); }

 private:
  FetchJob job_;
  Reply<kafka::FetchResponse> reply_;
};

FetchPartitionState FromRequest(const metadata::MetadataImage& image, int16_t version,
                                const kafka::FetchRequest::FetchTopic& t,
                                const kafka::FetchRequest::FetchPartition& p) {
  FetchPartitionState s;
  if (version >= 13) {
    s.topic_id = t.topic_id;
    const metadata::TopicImage* ti = image.topic(t.topic_id);
    if (ti != nullptr) s.topic = ti->name();
  } else {
    s.topic = t.topic;
    const metadata::TopicImage* ti = image.topic(t.topic);
    if (ti != nullptr) s.topic_id = ti->id();
  }
  s.partition = p.partition;
  s.fetch_offset = p.fetch_offset;
  s.max_bytes = p.partition_max_bytes;
  s.current_leader_epoch = p.current_leader_epoch;
  s.log_start_offset = p.log_start_offset;
  return s;
}

}  // namespace

void FetchHandler::Handle(const std::shared_ptr<RequestContext>& rctx, kafka::FetchRequest req,
                          Reply<kafka::FetchResponse> reply) {
  const int16_t version = reply.version();
  std::shared_ptr<const metadata::MetadataImage> image = ctx_->replicas->image();
  FetchJob job;
  job.rm = ctx_->replicas;
  job.version = version;
  job.read_committed = req.isolation_level == 1;
  job.max_bytes = std::max(req.max_bytes, 0);
  job.min_bytes = req.min_bytes;

  std::vector<FetchPartitionState> requested;
  for (const auto& t : req.topics) {
    for (const auto& p : t.partitions) requested.push_back(FromRequest(*image, version, t, p));
  }

  FetchSessionCache* cache = ctx_->fetch_sessions;
  if (version < 7 || cache == nullptr) {
    job.partitions = std::move(requested);
  } else if (req.session_epoch == kFinalEpoch) {
    if (req.session_id != 0) cache->Remove(req.session_id);
    job.partitions = std::move(requested);
  } else if (req.session_epoch == kInitialEpoch) {
    if (req.session_id != 0) cache->Remove(req.session_id);
    job.session = requested.empty() ? nullptr : cache->Create(requested);
    if (job.session == nullptr) job.partitions = std::move(requested);
  } else {
    std::shared_ptr<FetchSession> s = cache->Get(req.session_id);
    kafka::FetchResponse err;
    if (s == nullptr) {
      err.error_code = ToWire(ErrorCode::kFetchSessionIdNotFound);
      reply.Send(err);
      return;
    }
    {
      absl::MutexLock l(&s->mu);
      if (s->epoch != req.session_epoch) {
        err.error_code = ToWire(ErrorCode::kInvalidFetchSessionEpoch);
        err.session_id = s->id;
        reply.Send(err);
        return;
      }
      s->epoch = s->epoch == INT32_MAX ? 1 : s->epoch + 1;
      s->last_used = std::chrono::steady_clock::now();
      for (auto& fp : requested) {
        int idx = s->Find(fp.topic_id, fp.topic, fp.partition);
        if (idx < 0) {
          s->Add(std::move(fp));
          continue;
        }
        FetchPartitionState& c = s->partitions[idx];
        c.fetch_offset = fp.fetch_offset;
        c.max_bytes = fp.max_bytes;
        c.current_leader_epoch = fp.current_leader_epoch;
        c.log_start_offset = fp.log_start_offset;
      }
      for (const auto& ft : req.forgotten_topics_data) {
        Uuid id;
        std::string name;
        if (version >= 13) {
          id = ft.topic_id;
        } else {
          name = ft.topic;
        }
        for (int32_t part : ft.partitions) s->Remove(id, name, part);
      }
    }
    job.session = std::move(s);
    job.incremental = true;
  }

  std::vector<FetchPartitionState> parts = job.Snapshot();
  std::vector<PartitionRead> reads;
  int64_t bytes = ReadAll(job, parts, &reads);
  bool error = std::any_of(reads.begin(), reads.end(), [](const auto& r) { return r.error != 0; });
  if (req.max_wait_ms <= 0 || bytes >= std::max(req.min_bytes, 1) || error || parts.empty()) {
    reply.Send(BuildResponse(job, parts, reads));
    return;
  }
  std::vector<WatchKey> keys;
  keys.reserve(parts.size());
  for (const auto& fp : parts) {
    if (!fp.topic_id.IsZero()) keys.push_back(WatchKey{fp.topic_id.hi(), fp.topic_id.lo(), fp.partition});
  }
  auto op = std::make_shared<DelayedFetch>(std::move(job), std::move(reply));
  ctx_->replicas->fetch_purgatory().TryCompleteElseWatch(
      op, keys, std::chrono::milliseconds(req.max_wait_ms), *rctx->conn.loop);
}

}  // namespace gregor::broker
