#include "broker/kafka/server/connection.h"

#include <sys/sendfile.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "common/bytes.h"
#include "glog/logging.h"

namespace gregor::broker {
namespace {
constexpr size_t kReadBufferSize = 64 * 1024;
constexpr int kMaxIov = 64;
}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, uint64_t id, KafkaServer* server)
    : socket_(std::move(socket)),
      server_(server),
      options_(server->options_),
      read_buf_(kReadBufferSize),
      idle_timer_(socket_.get_executor()) {
  info_.id = id;
  info_.listener_name = options_.listener_name;
  info_.loop = &static_cast<asio::io_context&>(socket_.get_executor().context());
  asio::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) info_.peer = ep.address().to_string() + ":" + std::to_string(ep.port());
}

void Connection::Start() {
  asio::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  socket_.native_non_blocking(true, ec);
  last_activity_ = std::chrono::steady_clock::now();
  ArmIdleTimer();
  ReadMore();
}

void Connection::ArmIdleTimer() {
  auto deadline = last_activity_ + options_.connections_max_idle;
  idle_timer_.expires_at(deadline);
  idle_timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
    if (ec || self->closed_) return;
    auto now = std::chrono::steady_clock::now();
    bool busy = !self->slots_.empty();
    if (!busy && now - self->last_activity_ >= self->options_.connections_max_idle) {
      self->Close("idle for longer than connections.max.idle.ms");
      return;
    }
    if (busy) self->last_activity_ = now;
    self->ArmIdleTimer();
  });
}

void Connection::Close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  VLOG(1) << "closing connection " << info_.id << " from " << info_.peer << ": " << reason;
  asio::error_code ec;
  idle_timer_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  slots_.clear();
  queued_bytes_ = 0;
  server_->Unregister(info_.id);
  server_->handler_->OnConnectionClosed(info_);
}

void Connection::ReadMore() {
  if (closed_ || reading_ || paused_) return;
  if (!large_frame_.empty()) {
    ReadLargeFrameBody();
    return;
  }
  // Compact the buffer so that a whole size prefix and small frames fit.
  if (rpos_ > 0) {
    std::memmove(read_buf_.data(), read_buf_.data() + rpos_, wpos_ - rpos_);
    wpos_ -= rpos_;
    rpos_ = 0;
  }
  reading_ = true;
  socket_.async_read_some(
      asio::buffer(read_buf_.data() + wpos_, read_buf_.size() - wpos_),
      [self = shared_from_this()](const asio::error_code& ec, size_t n) {
        self->reading_ = false;
        if (self->closed_) return;
        if (ec) {
          self->Close(ec == asio::error::eof ? "closed by peer" : ec.message());
          return;
        }
        self->OnRead(n);
      });
}

void Connection::OnRead(size_t n) {
  server_->bytes_in_ += static_cast<int64_t>(n);
  wpos_ += n;
  last_activity_ = std::chrono::steady_clock::now();
  if (ParseFrames()) ReadMore();
}

bool Connection::ParseFrames() {
  while (!closed_) {
    if (ShouldPause()) {
      paused_ = true;
      return false;
    }
    size_t avail = wpos_ - rpos_;
    if (avail < 4) return true;
    int32_t size = static_cast<int32_t>(LoadBE32(read_buf_.data() + rpos_));
    if (size < 0 || size > options_.socket_request_max_bytes) {
      LOG(WARNING) << "connection " << info_.id << " from " << info_.peer << ": request size "
                   << size << " outside 0.." << options_.socket_request_max_bytes
                   << " (socket.request.max.bytes); closing";
      Close("bad request size");
      return false;
    }
    if (size < 8) {  // api key, version and correlation id at least
      LOG(WARNING) << "connection " << info_.id << " from " << info_.peer
                   << ": request of " << size << " bytes is too short for a header; closing";
      Close("short request");
      return false;
    }
    size_t total = 4 + static_cast<size_t>(size);
    if (avail >= total) {
      std::string frame(read_buf_.data() + rpos_ + 4, static_cast<size_t>(size));
      rpos_ += total;
      Dispatch(std::move(frame));
      continue;
    }
    if (total > read_buf_.size()) {
      // Too big for the buffer: read the rest straight into the frame.
      large_frame_.resize(static_cast<size_t>(size));
      large_filled_ = avail - 4;
      std::memcpy(large_frame_.data(), read_buf_.data() + rpos_ + 4, large_filled_);
      rpos_ = wpos_ = 0;
    }
    return true;
  }
  return false;
}

void Connection::ReadLargeFrameBody() {
  reading_ = true;
  socket_.async_read_some(
      asio::buffer(large_frame_.data() + large_filled_, large_frame_.size() - large_filled_),
      [self = shared_from_this()](const asio::error_code& ec, size_t n) {
        self->reading_ = false;
        if (self->closed_) return;
        if (ec) {
          self->Close(ec == asio::error::eof ? "closed by peer mid-request" : ec.message());
          return;
        }
        self->server_->bytes_in_ += static_cast<int64_t>(n);
        self->last_activity_ = std::chrono::steady_clock::now();
        self->large_filled_ += n;
        if (self->large_filled_ == self->large_frame_.size()) {
          std::string frame = std::move(self->large_frame_);
          self->large_frame_.clear();
          self->large_filled_ = 0;
          self->Dispatch(std::move(frame));
          if (self->closed_) return;
          if (self->ShouldPause()) {
            self->paused_ = true;
            return;
          }
        }
        self->ReadMore();
      });
}

void Connection::Dispatch(std::string frame) {
  uint64_t seq = next_seq_++;
  slots_.emplace_back();
  server_->handler_->OnRequest(info_, std::move(frame), Responder(weak_from_this(), seq));
}

bool Connection::ShouldPause() const {
  return static_cast<int>(slots_.size()) >= options_.max_in_flight_requests_per_connection ||
         queued_bytes_ >= options_.max_queued_response_bytes_per_connection;
}

void Connection::MaybeResume() {
  if (!paused_ || closed_ || ShouldPause()) return;
  paused_ = false;
  // Frames may already be buffered; parse them before reading more.
  if (ParseFrames()) ReadMore();
}

void Connection::Complete(uint64_t seq, std::unique_ptr<OutgoingFrame> frame, bool close,
                          std::string reason) {
  if (closed_ || seq < first_seq_) return;
  size_t idx = static_cast<size_t>(seq - first_seq_);
  if (idx >= slots_.size()) return;
  Slot& s = slots_[idx];
  if (s.done) return;
  s.done = true;
  s.close_after = close;
  s.close_reason = std::move(reason);
  if (frame != nullptr) {
    for (const auto& p : frame->pieces()) s.bytes += p.size();
    queued_bytes_ += s.bytes;
    s.frame = std::move(frame);
  }
  if (idx == 0) Flush();
}

void Connection::Flush() {
  while (!closed_ && !waiting_writable_) {
    // Drop finished slots at the head.
    while (!slots_.empty() && slots_.front().done &&
           (slots_.front().frame == nullptr ||
            piece_idx_ >= slots_.front().frame->pieces().size())) {
      Slot& s = slots_.front();
      if (s.close_after) {
        Close(s.close_reason);
        return;
      }
      slots_.pop_front();
      ++first_seq_;
      piece_idx_ = 0;
      piece_off_ = 0;
    }
    if (slots_.empty() || !slots_.front().done) break;
    int64_t n = WriteSome();
    if (n < 0) return;
    if (n == 0) {
      waiting_writable_ = true;
      socket_.async_wait(asio::ip::tcp::socket::wait_write,
                         [self = shared_from_this()](const asio::error_code& ec) {
                           self->waiting_writable_ = false;
                           if (self->closed_) return;
                           if (ec) {
                             self->Close(ec.message());
                             return;
                           }
                           self->Flush();
                         });
      return;
    }
  }
  if (!closed_) MaybeResume();
}

int64_t Connection::WriteSome() {
  const int fd = socket_.native_handle();
  const Slot& head = slots_.front();
  const OutgoingPiece& first = head.frame->pieces()[piece_idx_];
  ssize_t n;
  if (first.is_file()) {
    off_t off = static_cast<off_t>(first.offset + piece_off_);
    size_t len = static_cast<size_t>(first.length - piece_off_);
    n = ::sendfile(fd, first.fd, &off, len);
    if (n == 0 && len > 0) {
      LOG(ERROR) << "connection " << info_.id << ": file region ended early (fd " << first.fd
                 << " offset " << off << ")";
      Close("short file region");
      return -1;
    }
  } else {
    // Gather byte pieces of this and the following completed frames.
    struct iovec iov[kMaxIov];
    int cnt = 0;
    size_t pi = piece_idx_;
    int64_t off = piece_off_;
    for (size_t si = 0; si < slots_.size() && cnt < kMaxIov; ++si) {
      const Slot& s = slots_[si];
      if (!s.done) break;
      if (s.frame == nullptr) {
        if (s.close_after) break;
        continue;
      }
      const auto& pieces = s.frame->pieces();
      bool stop = false;
      for (; pi < pieces.size() && cnt < kMaxIov; ++pi) {
        const OutgoingPiece& p = pieces[pi];
        if (p.is_file()) {
          stop = true;
          break;
        }
        if (static_cast<int64_t>(p.bytes.size()) > off) {
          iov[cnt].iov_base = const_cast<char*>(p.bytes.data() + off);
          iov[cnt].iov_len = p.bytes.size() - static_cast<size_t>(off);
          ++cnt;
        }
        off = 0;
      }
      if (stop || s.close_after) break;
      pi = 0;
    }
    if (cnt == 0) {
      Advance(0);
      return 1;  // only empty pieces: made progress
    }
    n = ::writev(fd, iov, cnt);
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    if (errno == EINTR) return 1;
    Close(std::string("write failed: ") + std::strerror(errno));
    return -1;
  }
  server_->bytes_out_ += n;
  last_activity_ = std::chrono::steady_clock::now();
  Advance(n);
  return n > 0 ? n : 1;
}

void Connection::Advance(int64_t n) {
  // Moves the write position forward by n bytes, across pieces and frames.
  while (!slots_.empty()) {
    Slot& s = slots_.front();
    if (!s.done) return;
    if (s.frame == nullptr) {
      if (s.close_after) return;
      slots_.pop_front();
      ++first_seq_;
      continue;
    }
    const auto& pieces = s.frame->pieces();
    while (piece_idx_ < pieces.size()) {
      int64_t left = pieces[piece_idx_].size() - piece_off_;
      if (n < left) {
        piece_off_ += n;
        return;
      }
      n -= left;
      ++piece_idx_;
      piece_off_ = 0;
    }
    // Frame fully written.
    queued_bytes_ -= s.bytes;
    if (s.close_after) return;  // Flush closes it
    slots_.pop_front();
    ++first_seq_;
    piece_idx_ = 0;
    piece_off_ = 0;
    if (n == 0 && (slots_.empty() || !slots_.front().done)) return;
  }
}

}  // namespace gregor::broker
