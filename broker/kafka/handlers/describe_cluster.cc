#include "broker/kafka/handlers/describe_cluster.h"

#include "absl/strings/str_cat.h"
#include "broker/kafka/handlers/admin_util.h"
#include "broker/kafka/handlers/topic_metadata_util.h"
#include "broker/replica/replica_manager.h"

namespace gregor::broker {
namespace {

constexpr int8_t kBrokerEndpoint = 1;
constexpr int8_t kControllerEndpoint = 2;

}  // namespace

void DescribeClusterHandler::Handle(const std::shared_ptr<RequestContext>& ctx,
                                    kafka::DescribeClusterRequest req,
                                    Reply<kafka::DescribeClusterResponse> reply) {
  kafka::DescribeClusterResponse resp;
  const bool v0 = reply.version() == 0;
  if (req.endpoint_type != kBrokerEndpoint) {
    if (req.endpoint_type == kControllerEndpoint) {
      resp.error_code = Code(v0 ? kafka::ErrorCode::kInvalidRequest
                                : kafka::ErrorCode::kMismatchedEndpointType);
      resp.error_message =
          "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of "
          "type CONTROLLER";
    } else {
      resp.error_code = Code(v0 ? kafka::ErrorCode::kInvalidRequest
                                : kafka::ErrorCode::kUnsupportedEndpointType);
      resp.error_message = absl::StrCat("Unsupported endpoint type ", req.endpoint_type);
    }
    reply.Send(resp);
    return;
  }
  std::shared_ptr<const metadata::MetadataImage> image = ctx_->replicas->image();
  const std::string& listener = ctx->conn.listener_name;
  resp.endpoint_type = kBrokerEndpoint;
  resp.cluster_id = ctx_->config->cluster_id;
  resp.controller_id = ControllerIdFor(*image, listener, BrokerId(ctx_->config->node_id));
  for (BrokerNode& b : BrokersOnListener(*image, listener)) {
    kafka::DescribeClusterResponse::DescribeClusterBroker out;
    out.broker_id = b.id;
    out.host = std::move(b.host);
    out.port = b.port;
    out.rack = std::move(b.rack);
    resp.brokers.push_back(std::move(out));
  }
  if (req.include_cluster_authorized_operations) {
    resp.cluster_authorized_operations = kAllClusterOperations;
  }
  reply.Send(resp);
}

}  // namespace gregor::broker
