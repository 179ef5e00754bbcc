// Golden bytes: requests captured from real clients (kcat 1.7.1 / librdkafka
// 2.0.2 and kafka-python 3.0.12) by testdata/golden/capture_golden.py, decoded
// field by field, re-encoded to the identical bytes, and their record batches
// checked down to the decompressed record values.
#include <zlib.h>
#include <zstd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "gtest/gtest.h"
#include "proto/kafka/messages/api_versions.h"
#include "proto/kafka/messages/metadata.h"
#include "proto/kafka/messages/produce.h"
#include "proto/kafka/records/batch_header.h"
#include "proto/kafka/request_frame.h"

namespace gregor::kafka {
namespace {

constexpr char kDir[] = "proto/kafka/testdata/golden/";

std::string ReadGolden(const std::string& name) {
  std::ifstream in(kDir + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing " << kDir << name;
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A captured frame: checks the size prefix and parses the header.
struct Captured {
  std::string wire;
  RequestFrame frame;
};

Captured Load(const std::string& name) {
  Captured c;
  c.wire = ReadGolden(name);
  EXPECT_GE(c.wire.size(), 4u);
  EXPECT_EQ(LoadBE32(c.wire.data()), c.wire.size() - 4) << name << ": size prefix";
  absl::StatusOr<RequestFrame> f = ParseRequestFrame(std::string_view(c.wire).substr(4));
  EXPECT_TRUE(f.ok()) << name << ": " << f.status();
  if (f.ok()) c.frame = *f;
  EXPECT_EQ(c.frame.support, RequestSupport::kSupported);
  return c;
}

// Decodes the body as Request, requiring every byte to be consumed, and
// checks that encoding it again (with the same header) gives the captured
// frame byte for byte.
template <typename Request>
Request DecodeExactly(const Captured& c) {
  Request req;
  ByteReader r(c.frame.body);
  absl::Status s = req.Decode(r, c.frame.header.request_api_version);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(r.remaining(), 0u) << "bytes left after the body";
  absl::StatusOr<OutputFrame> again = EncodeRequestFrame(
      c.frame.header.correlation_id, c.frame.header.client_id, c.frame.header.request_api_version, req);
  EXPECT_TRUE(again.ok());
  if (again.ok()) {
    absl::StatusOr<std::string> flat = again->Flatten();
    EXPECT_EQ(flat.value_or(""), c.wire) << "re-encoding differs from the capture";
  }
  return req;
}

std::string Gunzip(std::string_view in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
  std::string out(1 << 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

std::string Unzstd(std::string_view in) {
  std::string out(1 << 16, '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
  EXPECT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

// Values of the records in an (uncompressed) RecordBatch v2 records section.
std::vector<std::string> RecordValues(std::string_view records, int count) {
  std::vector<std::string> values;
  ByteReader r(records);
  for (int i = 0; i < count && r.ok(); ++i) {
    int32_t length = r.ReadVarint();
    ByteReader rec(r.ReadBytes(static_cast<size_t>(length)));
    rec.ReadInt8();     // attributes
    rec.ReadVarlong();  // timestamp delta
    EXPECT_EQ(rec.ReadVarint(), i) << "offset delta";
    int32_t key_length = rec.ReadVarint();
    EXPECT_EQ(key_length, -1) << "records were produced without keys";
    int32_t value_length = rec.ReadVarint();
    values.emplace_back(rec.ReadBytes(static_cast<size_t>(value_length)));
    EXPECT_EQ(rec.ReadVarint(), 0) << "headers";
    EXPECT_TRUE(rec.ok() && rec.remaining() == 0);
  }
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
  return values;
}

const std::vector<std::string> kValues = {"golden-record-1", "golden-record-2", "golden-record-3"};

// Checks the batch of a decoded Produce request partition, and returns its
// compressed records section.
std::string_view CheckBatch(const ProduceRequest& req, Compression compression) {
  EXPECT_EQ(req.topic_data.size(), 1u);
  if (req.topic_data.size() != 1 || req.topic_data[0].partition_data.size() != 1) return {};
  EXPECT_EQ(req.topic_data[0].name, "golden");
  const auto& part = req.topic_data[0].partition_data[0];
  EXPECT_EQ(part.index, 0);
  EXPECT_FALSE(part.records.is_null());
  std::string_view batch = part.records.contiguous_bytes();
  EXPECT_TRUE(ValidateBatch(batch).ok()) << ValidateBatch(batch);  // length, magic, CRC-32C
  if (batch.size() < kBatchHeaderSize) return {};
  BatchHeader h = ParseBatchHeader(batch.data());
  EXPECT_EQ(h.total_size(), batch.size());
  EXPECT_EQ(h.base_offset, 0);
  EXPECT_EQ(h.magic, 2);
  EXPECT_EQ(h.compression(), compression);
  EXPECT_EQ(h.records_count, 3);
  EXPECT_EQ(h.last_offset_delta, 2);
  EXPECT_EQ(h.producer_id, -1);
  EXPECT_FALSE(h.is_transactional());
  return batch.substr(kBatchHeaderSize);
}

// ---- kcat 1.7.1 / librdkafka 2.0.2 ----------------------------------------------

TEST(GoldenTest, KcatApiVersionsV3) {
  Captured c = Load("kcat_api_versions.bin");
  EXPECT_EQ(c.frame.header.request_api_key, ApiVersionsRequest::kApiKey);
  EXPECT_EQ(c.frame.header.request_api_version, 3);
  EXPECT_EQ(c.frame.header.correlation_id, 1);
  EXPECT_EQ(c.frame.header.client_id, "rdkafka");
  EXPECT_TRUE(c.frame.header.unknown_tagged_fields.empty());
  ApiVersionsRequest req = DecodeExactly<ApiVersionsRequest>(c);
  EXPECT_EQ(req.client_software_name, "librdkafka");
  EXPECT_EQ(req.client_software_version, "2.0.2");
  EXPECT_TRUE(req.unknown_tagged_fields.empty());
}

TEST(GoldenTest, KcatMetadataV4) {
  Captured c = Load("kcat_metadata.bin");
  EXPECT_EQ(c.frame.header.request_api_key, MetadataRequest::kApiKey);
  EXPECT_EQ(c.frame.header.request_api_version, 4);
  EXPECT_EQ(c.frame.header.correlation_id, 2);
  EXPECT_EQ(c.frame.header.client_id, "rdkafka");
  MetadataRequest req = DecodeExactly<MetadataRequest>(c);
  ASSERT_TRUE(req.topics.has_value());
  ASSERT_EQ(req.topics->size(), 1u);
  EXPECT_EQ((*req.topics)[0].name, "golden");
  EXPECT_TRUE(req.allow_auto_topic_creation);
}

TEST(GoldenTest, KcatProduceV7WithAZstdBatch) {
  Captured c = Load("kcat_produce.bin");
  EXPECT_EQ(c.frame.header.request_api_key, ProduceRequest::kApiKey);
  EXPECT_EQ(c.frame.header.request_api_version, 7);
  EXPECT_EQ(c.frame.header.correlation_id, 3);
  EXPECT_EQ(c.frame.header.client_id, "rdkafka");
  ProduceRequest req = DecodeExactly<ProduceRequest>(c);
  EXPECT_FALSE(req.transactional_id.has_value());
  EXPECT_EQ(req.acks, -1);
  EXPECT_EQ(req.timeout_ms, 30000);
  std::string_view compressed = CheckBatch(req, Compression::kZstd);
  EXPECT_EQ(RecordValues(Unzstd(compressed), 3), kValues);
  // Zero copy: the batch is a view into the captured bytes.
  std::string_view batch = req.topic_data[0].partition_data[0].records.contiguous_bytes();
  EXPECT_GE(batch.data(), c.wire.data());
  EXPECT_LE(batch.data() + batch.size(), c.wire.data() + c.wire.size());
}

// ---- kafka-python 3.0.12 -------------------------------------------------------------

TEST(GoldenTest, KafkaPythonApiVersionsV4) {
  Captured c = Load("kafka_python_api_versions.bin");
  EXPECT_EQ(c.frame.header.request_api_key, ApiVersionsRequest::kApiKey);
  EXPECT_EQ(c.frame.header.request_api_version, 4);
  EXPECT_EQ(c.frame.header.correlation_id, 1);
  EXPECT_EQ(c.frame.header.client_id, "kafka-python-golden");
  ApiVersionsRequest req = DecodeExactly<ApiVersionsRequest>(c);
  EXPECT_EQ(req.client_software_name, "kafka-python");
  EXPECT_EQ(req.client_software_version, "3.0.12");
}

TEST(GoldenTest, KafkaPythonMetadataV12) {
  Captured c = Load("kafka_python_metadata.bin");
  EXPECT_EQ(c.frame.header.request_api_key, MetadataRequest::kApiKey);
  EXPECT_EQ(c.frame.header.request_api_version, 12);
  EXPECT_EQ(c.frame.header.correlation_id, 2);
  EXPECT_EQ(c.frame.header.client_id, "kafka-python-golden");
  MetadataRequest req = DecodeExactly<MetadataRequest>(c);
  // The bootstrap request: an empty list (brokers only), not null (all).
  ASSERT_TRUE(req.topics.has_value());
  EXPECT_TRUE(req.topics->empty());
  EXPECT_TRUE(req.allow_auto_topic_creation);
  EXPECT_FALSE(req.include_topic_authorized_operations);
}

TEST(GoldenTest, KafkaPythonProduceV9WithAGzipBatch) {
  Captured c = Load("kafka_python_produce.bin");
  EXPECT_EQ(c.frame.header.request_api_key, ProduceRequest::kApiKey);
  EXPECT_EQ(c.frame.header.request_api_version, 9);
  EXPECT_EQ(c.frame.header.correlation_id, 3);
  EXPECT_EQ(c.frame.header.client_id, "kafka-python-golden");
  ProduceRequest req = DecodeExactly<ProduceRequest>(c);
  EXPECT_FALSE(req.transactional_id.has_value());
  EXPECT_EQ(req.acks, 1);
  EXPECT_EQ(req.timeout_ms, 30000);
  std::string_view compressed = CheckBatch(req, Compression::kGzip);
  EXPECT_EQ(RecordValues(Gunzip(compressed), 3), kValues);
}

}  // namespace
}  // namespace gregor::kafka
