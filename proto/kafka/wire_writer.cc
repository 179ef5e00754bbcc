#include "proto/kafka/wire_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace gregor::kafka {

std::vector<OutputFrame::Segment> OutputFrame::Segments() const {
  std::vector<Segment> out;
  out.reserve(2 * external_.size() + 1);
  size_t pos = 0;
  for (const External& e : external_) {
    if (e.insert_at > pos) {
      out.push_back(Segment{std::string_view(owned_).substr(pos, e.insert_at - pos), nullptr});
      pos = e.insert_at;
    }
    if (e.is_file) {
      out.push_back(Segment{{}, &e.file});
    } else {
      out.push_back(Segment{e.bytes, nullptr});
    }
  }
  if (owned_.size() > pos) out.push_back(Segment{std::string_view(owned_).substr(pos), nullptr});
  return out;
}

bool OutputFrame::all_memory() const {
  for (const External& e : external_) {
    if (e.is_file) return false;
  }
  return true;
}

absl::StatusOr<std::string> OutputFrame::Flatten() const {
  std::string out;
  out.reserve(static_cast<size_t>(size_));
  for (const Segment& s : Segments()) {
    if (s.file == nullptr) {
      out.append(s.bytes.data(), s.bytes.size());
      continue;
    }
    const FileRegion& f = *s.file;
    size_t start = out.size();
    out.resize(start + static_cast<size_t>(f.length));
    int64_t done = 0;
    while (done < f.length) {
      ssize_t n = ::pread(f.fd, &out[start + done], static_cast<size_t>(f.length - done), f.offset + done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        return absl::InternalError(
            absl::StrCat("pread fd ", f.fd, " at ", f.offset + done, ": ", std::strerror(errno)));
      }
      if (n == 0) {
        return absl::DataLossError(absl::StrCat("file region fd ", f.fd, " [", f.offset, ", +",
                                                f.length, ") ends early at ", f.offset + done));
      }
      done += n;
    }
  }
  return out;
}

void WireWriter::WriteFloat64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  WriteBE<uint64_t>(bits);
}

void WireWriter::WriteUuid(const Uuid& v) {
  WriteBE<uint64_t>(v.hi());
  WriteBE<uint64_t>(v.lo());
}

void WireWriter::WriteUnsignedVarint(uint32_t v) {
  char tmp[5];
  size_t n = 0;
  while (v >= 0x80) {
    tmp[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  tmp[n++] = static_cast<char>(v);
  owned_.append(tmp, n);
}

void WireWriter::AppendView(std::string_view bytes, const std::shared_ptr<const void>& keepalive) {
  if (bytes.size() < kInlineCopyLimit) {
    WriteRaw(bytes);
    return;
  }
  OutputFrame::External e;
  e.insert_at = owned_.size();
  e.bytes = bytes;
  external_.push_back(std::move(e));
  external_bytes_ += static_cast<int64_t>(bytes.size());
  if (keepalive != nullptr) keepalives_.push_back(keepalive);
}

void WireWriter::AppendFile(const FileRegion& region) {
  if (region.length <= 0) return;
  OutputFrame::External e;
  e.insert_at = owned_.size();
  e.file = region;
  e.is_file = true;
  external_.push_back(std::move(e));
  external_bytes_ += region.length;
}

void WireWriter::AppendRecords(const Records& records) {
  for (const Records::Piece& p : records.pieces()) {
    if (const ByteView* v = std::get_if<ByteView>(&p)) {
      AppendView(v->bytes, v->keepalive);
    } else {
      AppendFile(std::get<FileRegion>(p));
    }
  }
}

void WireWriter::Append(WireWriter&& other) {
  if (!other.ok()) Fail(other.error_);
  size_t base = owned_.size();
  owned_.append(other.owned_);
  for (OutputFrame::External& e : other.external_) {
    e.insert_at += base;
    external_.push_back(std::move(e));
  }
  external_bytes_ += other.external_bytes_;
  for (auto& k : other.keepalives_) keepalives_.push_back(std::move(k));
  other = WireWriter();
}

void WireWriter::Fail(std::string_view what) {
  if (error_.empty()) error_ = what.empty() ? "encoding failed" : std::string(what);
}

absl::Status WireWriter::status() const {
  if (error_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(error_);
}

OutputFrame WireWriter::Finish() && {
  OutputFrame f;
  f.size_ = size();
  f.owned_ = std::move(owned_);
  f.external_ = std::move(external_);
  f.keepalives_ = std::move(keepalives_);
  *this = WireWriter();
  return f;
}

OutputFrame WireWriter::FinishFrame() && {
  if (owned_.size() >= 4) {
    uint32_t n = static_cast<uint32_t>(size() - 4);
    owned_[0] = static_cast<char>(n >> 24);
    owned_[1] = static_cast<char>(n >> 16);
    owned_[2] = static_cast<char>(n >> 8);
    owned_[3] = static_cast<char>(n);
  } else {
    Fail("FinishFrame without a size placeholder");
  }
  return std::move(*this).Finish();
}

}  // namespace gregor::kafka
