// DescribeCluster (key 60), v0-1: cluster id, the broker clients send admin
// requests to (reported as the controller) and the unfenced brokers on the
// listener the client connected through. Only the broker endpoint type is
// served here (v1 endpointType 1); asking a broker for controllers is an
// error as in Kafka (MISMATCHED_ENDPOINT_TYPE, or INVALID_REQUEST in v0).
#ifndef GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_CLUSTER_H_
#define GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_CLUSTER_H_

#include <memory>

#include "broker/kafka/api_handler.h"
#include "broker/kafka/broker_context.h"
#include "proto/kafka/messages/describe_cluster.h"

namespace gregor::broker {

class DescribeClusterHandler
    : public Handler<kafka::DescribeClusterRequest, kafka::DescribeClusterResponse> {
 public:
  // REQUIRES: `ctx` (with config and replicas) outlives the handler.
  explicit DescribeClusterHandler(const BrokerContext* ctx) : ctx_(ctx) {}

 protected:
  void Handle(const std::shared_ptr<RequestContext>& ctx, kafka::DescribeClusterRequest req,
              Reply<kafka::DescribeClusterResponse> reply) override;

 private:
  const BrokerContext* ctx_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_HANDLERS_DESCRIBE_CLUSTER_H_
