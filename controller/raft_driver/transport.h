// Transport: the client side of RaftService. One bounded outbound queue and
// one sender thread per peer, each holding a client stream to that peer, so a
// down or slow peer fills only its own queue and never delays the others.
// A broken stream is reopened with exponential back-off; messages queued
// while a peer is unreachable are dropped (Raft retransmits what matters),
// and names that do not resolve are treated like any other transient
// failure.
//
// Thread-safety: Send and Stats are thread-safe.
#ifndef GREGOR_CONTROLLER_RAFT_DRIVER_TRANSPORT_H_
#define GREGOR_CONTROLLER_RAFT_DRIVER_TRANSPORT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/strong_int.h"
#include "controller/raft_driver/raft_node.h"
#include "proto/raft.pb.h"

namespace gregor::controller::raft_driver {

struct TransportOptions {
  size_t queue_messages = 4'096;     // per peer; beyond: dropped
  size_t queue_bytes = 64u << 20;    // per peer; beyond: dropped
  size_t max_batch_bytes = 4u << 20; // one MessageBatch
  std::chrono::milliseconds backoff_min{20};
  std::chrono::milliseconds backoff_max{1'000};
};

struct PeerLinkStats {
  NodeId id;
  std::string address;
  bool connected = false;          // the last write on the stream succeeded
  uint64_t sent_messages = 0;
  uint64_t dropped_messages = 0;   // queue full or stream broken
  uint64_t reconnects = 0;
  size_t queued_messages = 0;
  std::string last_error;
};

class Transport {
 public:
  // `peers` are the other voters (not this node).
  Transport(std::vector<Peer> peers, TransportOptions options);
  ~Transport();  // Stop()

  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  void Start();
  // Cancels the streams and joins the threads. Idempotent.
  void Stop();

  // Queues each message for its `to` peer. Never blocks.
  void Send(std::vector<raftpb::Message> messages);

  std::vector<PeerLinkStats> Stats() const;

 private:
  class PeerSender;
  std::map<NodeId, std::unique_ptr<PeerSender>> senders_;
};

}  // namespace gregor::controller::raft_driver

#endif  // GREGOR_CONTROLLER_RAFT_DRIVER_TRANSPORT_H_
