#include "proto/kafka/request_frame.h"

#include <string>

#include "gtest/gtest.h"
#include "proto/kafka/messages/api_versions.h"
#include "proto/kafka/messages/metadata.h"
#include "proto/kafka/messages/produce.h"

namespace gregor::kafka {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

std::string Flat(const absl::StatusOr<OutputFrame>& f) {
  EXPECT_TRUE(f.ok()) << f.status();
  if (!f.ok()) return "";
  absl::StatusOr<std::string> s = f->Flatten();
  EXPECT_TRUE(s.ok());
  return s.ok() ? *s : "";
}

TEST(HeaderVersionTest, FlexibleApisUseRequestHeaderV2AndResponseHeaderV1) {
  EXPECT_EQ(RequestHeaderVersion(0, 8), 1);   // Produce v8
  EXPECT_EQ(RequestHeaderVersion(0, 9), 2);   // Produce v9 is flexible
  EXPECT_EQ(ResponseHeaderVersion(0, 8), 0);
  EXPECT_EQ(ResponseHeaderVersion(0, 9), 1);
  EXPECT_EQ(RequestHeaderVersion(47, 0), 1);  // OffsetDelete: never flexible
}

TEST(HeaderVersionTest, ApiVersionsResponsesAlwaysUseHeaderV0) {
  EXPECT_EQ(RequestHeaderVersion(kApiVersionsKey, 3), 2);
  EXPECT_EQ(ResponseHeaderVersion(kApiVersionsKey, 3), 0);
  EXPECT_EQ(ResponseHeaderVersion(kApiVersionsKey, 4), 0);
}

TEST(HeaderVersionTest, VersionsAboveTheRangeKeepTheApisFlexibility) {
  EXPECT_EQ(RequestHeaderVersion(kApiVersionsKey, 5), 2);
  EXPECT_EQ(RequestHeaderVersion(0, 13), 2);
  EXPECT_EQ(RequestHeaderVersion(999, 0), 1);
}

TEST(ParseRequestFrameTest, ParsesAClassicHeaderV1) {
  // Metadata v1, correlation 7, client id "ab", then the body.
  std::string frame = Bytes({0, 3, 0, 1, 0, 0, 0, 7, 0, 2, 'a', 'b', 0xff, 0xff, 0xff, 0xff});
  absl::StatusOr<RequestFrame> f = ParseRequestFrame(frame);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->support, RequestSupport::kSupported);
  EXPECT_TRUE(f->header_complete);
  EXPECT_EQ(f->header.request_api_key, 3);
  EXPECT_EQ(f->header.request_api_version, 1);
  EXPECT_EQ(f->header.correlation_id, 7);
  EXPECT_EQ(f->header.client_id, "ab");
  EXPECT_EQ(f->body, Bytes({0xff, 0xff, 0xff, 0xff}));
  MetadataRequest req;
  ASSERT_TRUE(DecodeRequestBody(*f, &req).ok());
  EXPECT_FALSE(req.topics.has_value());  // null: all topics
}

TEST(ParseRequestFrameTest, HeaderV2KeepsAClassicClientIdAndReadsTaggedFields) {
  // ApiVersions v3: client id as an int16-length string, then 1 tagged
  // field (tag 5, 2 bytes), then the flexible body.
  std::string frame = Bytes({0, 18, 0, 3, 0, 0, 1, 0, 0, 3, 'c', 'l', 'i', 1, 5, 2, 'x', 'y',
                             4, 'k', 'c', 'a', 3, '2', '.', 0});
  absl::StatusOr<RequestFrame> f = ParseRequestFrame(frame);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->header.correlation_id, 256);
  EXPECT_EQ(f->header.client_id, "cli");
  ASSERT_EQ(f->header.unknown_tagged_fields.size(), 1u);
  EXPECT_EQ(f->header.unknown_tagged_fields[0].tag, 5u);
  EXPECT_EQ(f->header.unknown_tagged_fields[0].data, "xy");
  ApiVersionsRequest req;
  ASSERT_TRUE(DecodeRequestBody(*f, &req).ok());
  EXPECT_EQ(req.client_software_name, "kca");
  EXPECT_EQ(req.client_software_version, "2.");
}

TEST(ParseRequestFrameTest, NullClientIdIsAccepted) {
  std::string frame = Bytes({0, 12, 0, 0, 0, 0, 0, 9, 0xff, 0xff});
  absl::StatusOr<RequestFrame> f = ParseRequestFrame(frame);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->header.client_id.has_value());
  EXPECT_TRUE(f->body.empty());
}

TEST(ParseRequestFrameTest, UnknownApiKeyStillYieldsKeyVersionAndCorrelationId) {
  std::string frame = Bytes({0x03, 0xe7, 0, 2, 0x12, 0x34, 0x56, 0x78, 'g', 'a', 'r', 'b'});
  absl::StatusOr<RequestFrame> f = ParseRequestFrame(frame);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->support, RequestSupport::kUnknownApi);
  EXPECT_EQ(f->api, nullptr);
  EXPECT_EQ(f->header.request_api_key, 999);
  EXPECT_EQ(f->header.request_api_version, 2);
  EXPECT_EQ(f->header.correlation_id, 0x12345678);
  EXPECT_FALSE(f->header_complete);
}

TEST(ParseRequestFrameTest, UnsupportedApiVersionsVersionParsesForTheErrorAnswer) {
  // franz-go opens with ApiVersions v5, above the range (0-4).
  std::string frame = Bytes({0, 18, 0, 5, 0, 0, 0, 1, 0, 3, 'k', 'g', 'o', 0, 4, 'k', 'g', 'o',
                             3, 'v', '1', 0});
  absl::StatusOr<RequestFrame> f = ParseRequestFrame(frame);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->support, RequestSupport::kUnsupportedVersion);
  EXPECT_NE(f->api, nullptr);
  EXPECT_TRUE(f->header_complete);
  EXPECT_EQ(f->header.client_id, "kgo");
  ApiVersionsRequest req;
  EXPECT_FALSE(DecodeRequestBody(*f, &req).ok());
}

TEST(ParseRequestFrameTest, UnsupportedVersionWithAGarbledHeaderKeepsTheFixedFields) {
  std::string frame = Bytes({0, 0, 0x7f, 0, 0, 0, 0, 3, 0x10});  // Produce v32512
  absl::StatusOr<RequestFrame> f = ParseRequestFrame(frame);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->support, RequestSupport::kUnsupportedVersion);
  EXPECT_FALSE(f->header_complete);
  EXPECT_EQ(f->header.correlation_id, 3);
}

TEST(ParseRequestFrameTest, FramesShorterThanTheFixedHeaderAreErrors) {
  EXPECT_FALSE(ParseRequestFrame("").ok());
  EXPECT_FALSE(ParseRequestFrame(Bytes({0, 3, 0, 1, 0, 0, 0})).ok());
}

TEST(ParseRequestFrameTest, MalformedHeaderOfASupportedRequestIsAnError) {
  // Client id length 50 with 2 bytes left.
  EXPECT_FALSE(ParseRequestFrame(Bytes({0, 3, 0, 1, 0, 0, 0, 7, 0, 50, 'a', 'b'})).ok());
  // Header v2 with a tagged-field count but nothing after it.
  EXPECT_FALSE(ParseRequestFrame(Bytes({0, 18, 0, 3, 0, 0, 0, 7, 0xff, 0xff, 3})).ok());
}

TEST(ParseRequestFrameTest, DecodingABodyAsTheWrongApiIsRefused) {
  absl::StatusOr<RequestFrame> f = ParseRequestFrame(Bytes({0, 3, 0, 1, 0, 0, 0, 7, 0xff, 0xff}));
  ASSERT_TRUE(f.ok());
  ProduceRequest req;
  EXPECT_FALSE(DecodeRequestBody(*f, &req).ok());
}

TEST(EncodeResponseFrameTest, UnsupportedApiVersionsAnswerMatchesWhatKafkaSends) {
  // What Kafka 4.1.1 sent franz-go for ApiVersions v5 (CLIENTS.md):
  // correlation id 7, error 35, one entry: key 18, versions 0-4, in v0.
  ApiVersionsResponse resp;
  resp.error_code = 35;
  auto& k = resp.api_keys.emplace_back();
  k.api_key = 18;
  k.min_version = 0;
  k.max_version = 4;
  EXPECT_EQ(Flat(EncodeResponseFrame(7, 0, resp)),
            Bytes({0, 0, 0, 16, 0, 0, 0, 7, 0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 4}));
}

TEST(EncodeResponseFrameTest, FlexibleResponsesCarryTheHeaderTaggedFieldByte) {
  MetadataResponse resp;
  std::string v8 = Flat(EncodeResponseFrame(5, 8, resp));
  std::string v9 = Flat(EncodeResponseFrame(5, 9, resp));
  EXPECT_EQ(v9.substr(4, 5), Bytes({0, 0, 0, 5, 0}));  // correlation id + 0 tags
  EXPECT_EQ(LoadBE32(v8.data()), v8.size() - 4);
  EXPECT_EQ(LoadBE32(v9.data()), v9.size() - 4);
  // ApiVersions v3 stays on header v0: the body starts right after the id.
  std::string av = Flat(EncodeResponseFrame(5, 3, ApiVersionsResponse()));
  EXPECT_EQ(av.substr(4, 6), Bytes({0, 0, 0, 5, 0, 0}));  // id, error code 0
}

TEST(EncodeRequestFrameTest, RequestFramesParseBack) {
  ProduceRequest req;
  req.acks = 1;
  req.timeout_ms = 1000;
  for (int16_t v : {3, 8, 9, 11}) {
    std::string wire = Flat(EncodeRequestFrame(77, std::optional<std::string>("me"), v, req));
    ASSERT_EQ(LoadBE32(wire.data()), wire.size() - 4);
    absl::StatusOr<RequestFrame> f = ParseRequestFrame(std::string_view(wire).substr(4));
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->header.correlation_id, 77);
    EXPECT_EQ(f->header.client_id, "me");
    ProduceRequest back;
    ASSERT_TRUE(DecodeRequestBody(*f, &back).ok());
    EXPECT_TRUE(back == req);
  }
}

TEST(EncodeResponseFrameTest, UnencodableBodiesAreErrors) {
  ProduceResponse resp;
  auto& t = resp.responses.emplace_back();
  t.name = std::string(40000, 'n');  // longer than an int16-length string
  EXPECT_FALSE(EncodeResponseFrame(1, 8, resp).ok());
  EXPECT_TRUE(EncodeResponseFrame(1, 9, resp).ok());  // compact strings can
}

}  // namespace
}  // namespace gregor::kafka
