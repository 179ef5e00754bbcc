// Adapts the codec's OutputFrame (memory segments and file regions) to the
// transport's OutgoingFrame, so a response goes out with writev + sendfile.
#ifndef GREGOR_BROKER_KAFKA_KAFKA_FRAME_H_
#define GREGOR_BROKER_KAFKA_KAFKA_FRAME_H_

#include <memory>
#include <vector>

#include "broker/kafka/server/outgoing_frame.h"
#include "proto/kafka/wire_writer.h"

namespace gregor::broker {

class KafkaFrame final : public OutgoingFrame {
 public:
  explicit KafkaFrame(kafka::OutputFrame frame) : frame_(std::move(frame)) {
    for (const auto& s : frame_.Segments()) {
      if (s.file != nullptr) {
        pieces_.push_back(
            OutgoingPiece{.fd = s.file->fd, .offset = s.file->offset, .length = s.file->length});
      } else {
        pieces_.push_back(OutgoingPiece{.bytes = s.bytes});
      }
    }
  }
  const std::vector<OutgoingPiece>& pieces() const override { return pieces_; }

 private:
  kafka::OutputFrame frame_;
  std::vector<OutgoingPiece> pieces_;
};

}  // namespace gregor::broker

#endif  // GREGOR_BROKER_KAFKA_KAFKA_FRAME_H_
