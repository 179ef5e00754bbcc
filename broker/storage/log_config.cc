#include "broker/storage/log_config.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gregor::storage {
namespace {

const std::set<std::string>& Keys() {
  static const auto* keys = new std::set<std::string>{
      "segment.bytes",
      "segment.ms",
      "segment.index.bytes",
      "index.interval.bytes",
      "max.message.bytes",
      "message.timestamp.type",
      "flush.messages",
      "flush.ms",
      "retention.ms",
      "retention.bytes",
      "cleanup.policy",
      "delete.retention.ms",
      "min.cleanable.dirty.ratio",
      "min.compaction.lag.ms",
      "max.compaction.lag.ms",
  };
  return *keys;
}

absl::Status Bad(const std::string& key, const std::string& value, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid value '", value, "' for ", key, ": ",
                                                 absl::string_view(why.data(), why.size())));
}

absl::Status ParseInt(const std::string& key, const std::string& value, int64_t min, int64_t max,
                      int64_t* out) {
  int64_t v;
  if (!absl::SimpleAtoi(value, &v)) return Bad(key, value, "not an integer");
  if (v < min || v > max) {
    return Bad(key, value, absl::StrCat("must be in [", min, ", ", max, "]"));
  }
  *out = v;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LogConfig> LogConfig::FromMap(const std::map<std::string, std::string>& configs) {
  return FromMap(configs, LogConfig());
}

bool LogConfig::IsStorageKey(const std::string& key) { return Keys().count(key) > 0; }

absl::StatusOr<LogConfig> LogConfig::FromMap(const std::map<std::string, std::string>& configs,
                                             const LogConfig& base) {
  LogConfig c = base;
  constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
  for (const auto& [key, value] : configs) {
    absl::Status s;
    if (key == "segment.bytes") {
      // Positions in the index are int32; a tiny minimum keeps tests cheap.
      s = ParseInt(key, value, 512, kInt32Max, &c.segment_bytes);
    } else if (key == "segment.ms") {
      s = ParseInt(key, value, 1, kNoLimit, &c.segment_ms);
    } else if (key == "segment.index.bytes") {
      s = ParseInt(key, value, 64, kInt32Max, &c.segment_index_bytes);
    } else if (key == "index.interval.bytes") {
      s = ParseInt(key, value, 0, kInt32Max, &c.index_interval_bytes);
    } else if (key == "max.message.bytes") {
      s = ParseInt(key, value, 0, kInt32Max, &c.max_message_bytes);
    } else if (key == "message.timestamp.type") {
      if (value == "CreateTime") {
        c.timestamp_type = TimestampType::kCreateTime;
      } else if (value == "LogAppendTime") {
        c.timestamp_type = TimestampType::kLogAppendTime;
      } else {
        s = Bad(key, value, "must be CreateTime or LogAppendTime");
      }
    } else if (key == "flush.messages") {
      s = ParseInt(key, value, 1, kNoLimit, &c.flush_messages);
    } else if (key == "flush.ms") {
      s = ParseInt(key, value, 0, kNoLimit, &c.flush_ms);
    } else if (key == "retention.ms") {
      s = ParseInt(key, value, -1, kNoLimit, &c.retention_ms);
    } else if (key == "retention.bytes") {
      s = ParseInt(key, value, -1, kNoLimit, &c.retention_bytes);
    } else if (key == "cleanup.policy") {
      bool del = false, compact = false;
      for (absl::string_view p : absl::StrSplit(value, ',')) {
        p = absl::StripAsciiWhitespace(p);
        if (p == "delete") {
          del = true;
        } else if (p == "compact") {
          compact = true;
        } else {
          s = Bad(key, value, "must be delete, compact or both");
        }
      }
      if (s.ok() && !del && !compact) s = Bad(key, value, "empty policy");
      c.cleanup_delete = del;
      c.cleanup_compact = compact;
    } else if (key == "delete.retention.ms") {
      s = ParseInt(key, value, 0, kNoLimit, &c.delete_retention_ms);
    } else if (key == "min.cleanable.dirty.ratio") {
      double d;
      if (!absl::SimpleAtod(value, &d) || d < 0 || d > 1) {
        s = Bad(key, value, "must be a number in [0, 1]");
      } else {
        c.min_cleanable_dirty_ratio = d;
      }
    } else if (key == "min.compaction.lag.ms") {
      s = ParseInt(key, value, 0, kNoLimit, &c.min_compaction_lag_ms);
    } else if (key == "max.compaction.lag.ms") {
      s = ParseInt(key, value, 1, kNoLimit, &c.max_compaction_lag_ms);
    }
    if (!s.ok()) return s;
  }
  return c;
}

}  // namespace gregor::storage
