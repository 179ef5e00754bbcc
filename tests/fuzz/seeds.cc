#include "tests/fuzz/seeds.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/bytes.h"
#include "proto/kafka/messages/produce.h"
#include "proto/kafka/messages/test_values.h"
#include "proto/kafka/request_frame.h"

namespace gregor::kafka::fuzz {

std::vector<Seed> GeneratedRequestSeeds() {
  std::vector<Seed> seeds;
  for (const testing::MessageCodecForTest& c : testing::AllMessageCodecsForTest()) {
    if (!c.is_request || c.api_key < 0) continue;
    for (int16_t v = c.lowest_version; v <= c.highest_version; ++v) {
      for (int variant = 0; variant < testing::kTestVariants; ++variant) {
        RequestHeader header;
        header.request_api_key = c.api_key;
        header.request_api_version = v;
        header.correlation_id = 1000 + v;
        header.client_id = "seed";
        WireWriter w;
        header.Encode(w, RequestHeaderVersion(c.api_key, v));
        absl::StatusOr<std::string> head = std::move(w).Finish().Flatten();
        if (!head.ok()) continue;
        seeds.push_back(Seed{absl::StrCat(absl::string_view(c.name.data(), c.name.size()), "_v", v, "_", variant),
                             *head + c.encode_test_value(v, variant)});
      }
    }
  }
  return seeds;
}

absl::StatusOr<GoldenSeeds> GoldenSeedsFrom(const std::string& golden_dir) {
  GoldenSeeds out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(golden_dir, ec)) {
    if (entry.path().extension() != ".bin") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    std::string wire = buf.str();
    if (wire.size() < 4) continue;
    std::string frame = wire.substr(4);
    std::string stem = entry.path().stem().string();
    absl::StatusOr<RequestFrame> parsed = ParseRequestFrame(frame);
    if (parsed.ok() && parsed->header.request_api_key == ProduceRequest::kApiKey) {
      ProduceRequest req;
      if (DecodeRequestBody(*parsed, &req).ok()) {
        for (const auto& topic : req.topic_data) {
          for (const auto& part : topic.partition_data) {
            if (part.records.is_null() || !part.records.is_contiguous()) continue;
            out.record_batches.push_back(
                Seed{absl::StrCat(stem, "_batch", out.record_batches.size()),
                     std::string(part.records.contiguous_bytes())});
          }
        }
      }
    }
    out.requests.push_back(Seed{stem, std::move(frame)});
  }
  if (ec) return absl::NotFoundError(absl::StrCat("cannot list ", golden_dir, ": ", ec.message()));
  return out;
}

}  // namespace gregor::kafka::fuzz
