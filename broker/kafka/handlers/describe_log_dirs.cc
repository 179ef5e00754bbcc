#include "broker/kafka/handlers/describe_log_dirs.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "broker/kafka/handlers/admin_util.h"
#include "broker/replica/replica_manager.h"

namespace gregor::broker {
namespace {

using Resp = kafka::DescribeLogDirsResponse;

// An absolute path without "." / ".." parts or a trailing separator.
std::string Normal(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec);
  if (ec) p = path;
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

void DescribeLogDirsHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                    kafka::DescribeLogDirsRequest req,
                                    Reply<kafka::DescribeLogDirsResponse> reply) {
  (void)ctx;
  std::set<std::pair<std::string, int32_t>> wanted;
  if (req.topics) {
    for (const auto& t : *req.topics) {
      for (int32_t p : t.partitions) wanted.emplace(t.topic, p);
    }
  }
  // Log dir -> topic -> partitions.
  std::map<std::string, std::map<std::string, std::vector<Resp::DescribeLogDirsPartition>>> by_dir;
  for (const std::string& dir : ctx_->config->log_dirs) by_dir[Normal(dir)];
  for (const std::shared_ptr<Partition>& p : ctx_->replicas->All()) {
    if (req.topics && wanted.count({p->topic(), p->index()}) == 0) continue;
    const std::string dir = Normal(std::filesystem::path(p->log()->dir()).parent_path().string());
    auto it = by_dir.find(dir);
    if (it == by_dir.end()) continue;  // not in a configured log dir
    Resp::DescribeLogDirsPartition out;
    out.partition_index = p->index();
    out.partition_size = static_cast<int64_t>(p->log()->size_bytes());
    out.offset_lag = std::max<int64_t>(0, p->high_watermark().value() - p->log_end_offset().value());
    out.is_future_key = false;
    it->second[p->topic()].push_back(out);
  }
  Resp resp;
  for (auto& [dir, topics] : by_dir) {
    Resp::DescribeLogDirsResult r;
    r.log_dir = dir;
    struct statvfs fs;
    if (::statvfs(dir.c_str(), &fs) != 0) {
      r.error_code = Code(kafka::ErrorCode::kKafkaStorageError);
      resp.results.push_back(std::move(r));
      continue;
    }
    r.total_bytes = static_cast<int64_t>(fs.f_blocks) * static_cast<int64_t>(fs.f_frsize);
    r.usable_bytes = static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
    for (auto& [name, partitions] : topics) {
      Resp::DescribeLogDirsTopic t;
      t.name = name;
      std::sort(partitions.begin(), partitions.end(),
                [](const auto& a, const auto& b) { return a.partition_index < b.partition_index; });
      t.partitions = std::move(partitions);
      r.topics.push_back(std::move(t));
    }
    resp.results.push_back(std::move(r));
  }
  reply.Send(resp);
}

}  // namespace gregor::broker
