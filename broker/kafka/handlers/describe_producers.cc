#include "broker/kafka/handlers/describe_producers.h"

#include "broker/kafka/handlers/admin_util.h"
#include "broker/replica/replica_manager.h"

namespace gregor::broker {
namespace {

using Resp = kafka::DescribeProducersResponse;

}  // namespace

void DescribeProducersHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                      kafka::DescribeProducersRequest req,
                                      Reply<kafka::DescribeProducersResponse> reply) {
  (void)ctx;
  std::shared_ptr<const metadata::MetadataImage> image = ctx_->replicas->image();
  Resp resp;
  for (const auto& t : req.topics) {
    Resp::TopicResponse topic;
    topic.name = t.name;
    const metadata::TopicImage* known = image->topic(t.name);
    for (int32_t index : t.partition_indexes) {
      Resp::PartitionResponse part;
      part.partition_index = index;
      std::shared_ptr<Partition> p = ctx_->replicas->Get(t.name, index);
      if (known == nullptr || known->partition(PartitionId(index)) == nullptr) {
        part.error_code = Code(kafka::ErrorCode::kUnknownTopicOrPartition);
      } else if (p == nullptr || !p->is_leader()) {
        part.error_code = Code(kafka::ErrorCode::kNotLeaderOrFollower);
      } else {
        for (const Partition::ProducerSnapshot& s : p->ActiveProducers()) {
          Resp::ProducerState out;
          out.producer_id = s.producer_id;
          out.producer_epoch = s.epoch;
          out.last_sequence = s.last_sequence;
          out.last_timestamp = s.last_timestamp;
          out.coordinator_epoch = -1;
          out.current_txn_start_offset = s.txn_start_offset;
          part.active_producers.push_back(out);
        }
      }
      topic.partitions.push_back(std::move(part));
    }
    resp.topics.push_back(std::move(topic));
  }
  reply.Send(resp);
}

}  // namespace gregor::broker
