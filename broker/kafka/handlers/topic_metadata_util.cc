#include "broker/kafka/handlers/topic_metadata_util.h"

#include "broker/kafka/handlers/admin_util.h"

namespace gregor::broker {
namespace {

const metadata::BrokerEndpoint* EndpointOf(const metadata::BrokerRegistration& b,
                                           const std::string& listener) {
  for (const auto& e : b.endpoints) {
    if (e.name() == listener) return &e;
  }
  return nullptr;
}

// Registered, unfenced and reachable on the listener.
bool AliveOn(const metadata::MetadataImage& image, BrokerId id, const std::string& listener) {
  const metadata::BrokerRegistration* b = image.broker(id);
  return b != nullptr && !b->fenced && EndpointOf(*b, listener) != nullptr;
}

}  // namespace

std::vector<BrokerNode> BrokersOnListener(const metadata::MetadataImage& image,
                                          const std::string& listener, bool include_fenced) {
  std::vector<BrokerNode> out;
  for (const auto& [id, b] : image.brokers()) {
    if (b->fenced && !include_fenced) continue;
    const metadata::BrokerEndpoint* e = EndpointOf(*b, listener);
    if (e == nullptr) continue;
    BrokerNode n;
    n.id = id.value();
    n.host = e->host();
    n.port = e->port();
    if (!b->rack.empty()) n.rack = b->rack;
    n.fenced = b->fenced;
    out.push_back(std::move(n));
  }
  return out;
}

int32_t ControllerIdFor(const metadata::MetadataImage& image, const std::string& listener,
                        BrokerId self) {
  if (AliveOn(image, self, listener)) return self.value();
  for (const auto& [id, b] : image.brokers()) {
    if (AliveOn(image, id, listener)) return id.value();
  }
  return -1;
}

PartitionView ViewPartition(const metadata::MetadataImage& image,
                            const metadata::PartitionRegistration& partition,
                            const std::string& listener, const PartitionViewOptions& options) {
  PartitionView v;
  v.leader_epoch = partition.leader_epoch.value();
  auto collect = [&](const std::vector<BrokerId>& ids, std::vector<int32_t>& out) {
    for (BrokerId b : ids) {
      if (!options.filter_unavailable_replicas || AliveOn(image, b, listener)) {
        out.push_back(b.value());
      }
    }
  };
  collect(partition.replicas, v.replicas);
  collect(partition.isr, v.isr);
  for (BrokerId b : partition.replicas) {
    if (!AliveOn(image, b, listener)) v.offline_replicas.push_back(b.value());
  }
  const metadata::BrokerRegistration* leader =
      partition.HasLeader() ? image.broker(partition.leader) : nullptr;
  if (leader == nullptr || EndpointOf(*leader, listener) == nullptr) {
    v.leader_id = -1;
    if (options.report_errors) {
      v.error_code = (leader != nullptr && options.error_unavailable_listeners)
                         ? Code(kafka::ErrorCode::kListenerNotFound)
                         : Code(kafka::ErrorCode::kLeaderNotAvailable);
    }
    return v;
  }
  v.leader_id = partition.leader.value();
  if (options.report_errors && (v.replicas.size() < partition.replicas.size() ||
                                v.isr.size() < partition.isr.size())) {
    v.error_code = Code(kafka::ErrorCode::kReplicaNotAvailable);
  }
  return v;
}

}  // namespace gregor::broker
