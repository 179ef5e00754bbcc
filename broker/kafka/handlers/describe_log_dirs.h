// DescribeLogDirs (key 35), v0-4: this broker's log directories (log.dirs)
// with the partitions stored in each — size on disk and offset lag (how far
// the log end is behind the high watermark: 0 for in-sync logs) — and, in
// v4, the file system's total and usable bytes. topics null means every
// partition. A directory that cannot be read is KAFKA_STORAGE_ERROR.
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_LOG_DIRS_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_LOG_DIRS_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/describe_log_dirs.h"

namespace gregor::broker {

class DescribeLogDirsHandler
    : public Handler<kafka::DescribeLogDirsRequest, kafka::DescribeLogDirsResponse> {
 public:
  // REQUIRES: `ctx` (with config and replicas) outlives the handler.
  explicit DescribeLogDirsHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::DescribeLogDirsRequest req,
              Reply<kafka::DescribeLogDirsResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_LOG_DIRS_H_
