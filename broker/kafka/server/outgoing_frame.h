// A response frame ready to send: a sequence of byte pieces and file regions,
// so that record data read from segment files goes out with sendfile(2)
// without passing through user space. The frame owns (or keeps alive)
// everything its pieces point to.
#ifndef GREGOR_BROKER_KAFKA_SERVER_OUTGOING_FRAME_H_
#define GREGOR_BROKER_KAFKA_SERVER_OUTGOING_FRAME_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gregor::broker {

struct OutgoingPiece {
  // Bytes when fd < 0; otherwise `length` bytes of file `fd` from `offset`.
  std::string_view bytes;
  int fd = -1;
  int64_t offset = 0;
  int64_t length = 0;

  bool is_file() const { return fd >= 0; }
  int64_t size() const { return is_file() ? length : static_cast<int64_t>(bytes.size()); }
};

class OutgoingFrame {
 public:
  virtual ~OutgoingFrame() = default;
  // The pieces in order; valid for the frame's lifetime.
  virtual const std::vector<OutgoingPiece>& pieces() const = 0;
};

// The simplest frame: one owned buffer.
class BytesFrame final : public OutgoingFrame {
 public:
  explicit BytesFrame(std::string bytes) : bytes_(std::move(bytes)) {
    pieces_.push_back(OutgoingPiece{.bytes = bytes_});
  }
  const std::vector<OutgoingPiece>& pieces() const override { return pieces_; }

 private:
  std::string bytes_;
  std::vector<OutgoingPiece> pieces_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_SERVER_OUTGOING_FRAME_H_
