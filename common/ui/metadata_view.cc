#include "common/ui/metadata_view.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace gregor::ui {

void AddMetadata(const metadata::MetadataImage& image, ClusterView* view, size_t max_partitions) {
  for (const auto& [id, b] : image.brokers()) {
    BrokerView bv;
    bv.id = id;
    if (!b->endpoints.empty()) {
      bv.address = absl::StrCat(b->endpoints[0].host(), ":", b->endpoints[0].port());
    }
    bv.http_address = b->http_address;
    bv.rack = b->rack;
    bv.epoch = b->epoch.value();
    // The controller fences a broker whose session expired: alive is the
    // session, fenced the consequence (a broker shutting down is alive).
    bv.alive = !b->fenced || b->in_controlled_shutdown;
    bv.fenced = b->fenced;
    bv.in_controlled_shutdown = b->in_controlled_shutdown;
    view->brokers.push_back(std::move(bv));
  }
  size_t partitions = 0;
  for (const auto& [name, topic_id] : image.topic_ids_by_name()) {
    const metadata::TopicImage* t = image.topic(topic_id);
    if (t == nullptr) continue;
    TopicView tv;
    tv.name = name;
    tv.id = topic_id.ToBase64();
    for (const auto& [pid, p] : t->partitions()) {
      if (partitions >= max_partitions) {
        view->truncated = true;
        break;
      }
      ++partitions;
      PartitionView pv;
      pv.partition = pid;
      if (p->HasLeader()) pv.leader = p->leader;
      pv.leader_epoch = p->leader_epoch;
      pv.replicas = p->replicas;
      pv.isr = p->isr;
      tv.partitions.push_back(std::move(pv));
    }
    if (!tv.partitions.empty() || t->partitions().empty()) view->topics.push_back(std::move(tv));
    if (view->truncated) break;
  }
}

}  // namespace gregor::ui
