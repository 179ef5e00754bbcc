// IoContextRef: lets a DelayedOperation keep alive the io_context its
// purgatory timer is bound to. Derive from it *before* DelayedOperation:
// bases are destroyed in reverse order, so the io_context outlives the
// operation's steady_timer even when the operation is released last by a
// purgatory on some other thread after its owner stopped.
#ifndef GREGOR_BROKER_GROUP_IO_CONTEXT_REF_H_
#define GREGOR_BROKER_GROUP_IO_CONTEXT_REF_H_

#include <memory>
#include <utility>

#include "asio.hpp"

namespace gregor::broker::group {

struct IoContextRef {
  explicit IoContextRef(std::shared_ptr<asio::io_context> io) : io(std::move(io)) {}
  std::shared_ptr<asio::io_context> io;
};

}  // namespace gregor::broker::group

#endif  // GREGOR_BROKER_GROUP_IO_CONTEXT_REF_H_
