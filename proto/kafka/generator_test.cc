// The generator on a schema of edge cases Kafka's APIs do not combine
// (testdata/generator/generator_edge_cases.schema): every version round-trips,
// and the unusual encodings give exactly the bytes Kafka's generator would.
#include <string>

#include "common/bytes.h"
#include "gtest/gtest.h"
#include "proto/kafka/generator_test_messages/test_values.h"

namespace gregor::kafka {
namespace {

using Req = GeneratorEdgeCasesRequest;
using Resp = GeneratorEdgeCasesResponse;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

template <typename M>
std::string Encode(const M& m, int16_t version, bool* ok = nullptr) {
  WireWriter w;
  m.Encode(w, version);
  if (ok != nullptr) *ok = w.ok();
  EXPECT_TRUE(ok != nullptr || w.ok()) << w.status();
  return std::move(w).Finish().Flatten().value_or("");
}

template <typename M>
M Decode(const std::string& bytes, int16_t version) {
  ByteReader r(bytes);
  M m;
  absl::Status s = m.Decode(r, version);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(r.remaining(), 0u);
  return m;
}

TEST(GeneratorTest, EveryVersionOfTheEdgeCasesRoundTrips) {
  for (int16_t v = Req::kLowestVersion; v <= Req::kHighestVersion; ++v) {
    for (int variant = 0; variant < testing::kTestVariants; ++variant) {
      EXPECT_EQ(testing::RoundTripCheck<Req>(v, variant), "") << "v" << v << " variant " << variant;
      EXPECT_EQ(testing::RoundTripCheck<Resp>(v, variant), "") << "v" << v << " variant " << variant;
    }
  }
}

TEST(GeneratorTest, DefaultsComeFromTheSchema) {
  Req r;
  EXPECT_EQ(r.counter, 4294967295u);
  EXPECT_EQ(r.ratio, 0.5);
  EXPECT_EQ(r.floor, INT64_MIN);
  EXPECT_EQ(r.one.epoch, -1);
  EXPECT_EQ(r.tagged_count, 7);
  EXPECT_TRUE(r.opt.has_value());          // nullable, no default=null: present
  EXPECT_FALSE(r.tagged_opt.has_value());  // default=null
  EXPECT_EQ(r.blob, "");
  // Fields a version lacks keep their defaults when decoded.
  Req back = Decode<Req>(Encode(Req(), 0), 0);
  EXPECT_EQ(back.tagged_count, 7);
  EXPECT_EQ(back.one.epoch, -1);
}

TEST(GeneratorTest, UntaggedNullableStructCarriesAnInt8MarkerOnlyWhereNullable) {
  Req r;
  r.opt = Req::Inner{7};
  // v0: not nullable, no marker; then Legacy "" (int16 0) and Counter.
  EXPECT_EQ(Encode(r, 0).substr(0, 10), Bytes({0, 0, 0, 7, 0, 0, 0xff, 0xff, 0xff, 0xff}));
  // v1: marker 1 before the struct.
  EXPECT_EQ(Encode(r, 1).substr(0, 11), Bytes({1, 0, 0, 0, 7, 0, 0, 0xff, 0xff, 0xff, 0xff}));
  r.opt.reset();
  EXPECT_EQ(Encode(r, 1).substr(0, 7), Bytes({0xff, 0, 0, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_FALSE(Decode<Req>(Encode(r, 1), 1).opt.has_value());
  bool ok = true;
  Encode(r, 0, &ok);
  EXPECT_FALSE(ok) << "null in a version where the struct is not nullable";
}

TEST(GeneratorTest, PerFieldFlexibleOverrideKeepsAClassicString) {
  Req r;
  r.opt.reset();
  r.legacy = "ab";
  // v2 is flexible, but Legacy stays an int16-length string; Counter follows.
  EXPECT_EQ(Encode(r, 2).substr(0, 9), Bytes({0xff, 0, 2, 'a', 'b', 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Decode<Req>(Encode(r, 2), 2).legacy, "ab");
}

TEST(GeneratorTest, Uint32AndFloat64AreBigEndian) {
  Req r;
  r.opt.reset();
  r.counter = 0x01020304;
  r.ratio = 0.5;
  EXPECT_EQ(Encode(r, 1).substr(3, 12), Bytes({1, 2, 3, 4, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0}));
}

TEST(GeneratorTest, TaggedNullableStructCarriesAVarintMarker) {
  Req r;
  r.tagged_opt = Req::Holder{5};
  std::string wire = Encode(r, 2);
  // Tagged section: 1 field, tag 0, 10 bytes: marker 1, int64 5, no tags.
  EXPECT_EQ(wire.substr(wire.size() - 13), Bytes({1, 0, 10, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0}));
  EXPECT_TRUE(Decode<Req>(wire, 2) == r);
  // A marker of 0 inside the tagged field decodes as null.
  std::string null_marker = wire.substr(0, wire.size() - 13) + Bytes({1, 0, 1, 0});
  EXPECT_FALSE(Decode<Req>(null_marker, 2).tagged_opt.has_value());
}

TEST(GeneratorTest, TaggedFieldsGoInTagOrderAroundUnknownOnes) {
  Req r;
  r.tagged_bytes = "ab";
  r.tagged_count = 9;
  r.unknown_tagged_fields.push_back({3, "xyz"});
  std::string wire = Encode(r, 3);
  EXPECT_EQ(wire.substr(wire.size() - 15),
            Bytes({3, 1, 3, 3, 'a', 'b', 3, 3, 'x', 'y', 'z', 5, 2, 0, 9}));
  EXPECT_TRUE(Decode<Req>(wire, 3) == r);
  // v2 has no TaggedCount: tag 5 is not written, and read back as unknown.
  std::string v2 = Encode(r, 2);
  EXPECT_EQ(v2.substr(v2.size() - 11), Bytes({2, 1, 3, 3, 'a', 'b', 3, 3, 'x', 'y', 'z'}));
  std::string with_tag5 = v2.substr(0, v2.size() - 11) +
                          Bytes({3, 1, 3, 3, 'a', 'b', 3, 3, 'x', 'y', 'z', 5, 2, 0, 9});
  Req back = Decode<Req>(with_tag5, 2);
  EXPECT_EQ(back.tagged_count, 7);
  ASSERT_EQ(back.unknown_tagged_fields.size(), 2u);
  EXPECT_EQ(back.unknown_tagged_fields[1].tag, 5u);
}

TEST(GeneratorTest, NullableArrayIsNullOnlyFromItsNullableVersion) {
  Resp r;
  r.items.reset();
  EXPECT_EQ(Encode(r, 3), Bytes({0, 0, 0, 0}));  // error code, null compact array, no tags
  bool ok = true;
  Encode(r, 2, &ok);
  EXPECT_FALSE(ok);
  ByteReader rd(Bytes({0, 0, 0, 0}));
  Resp back;
  EXPECT_FALSE(back.Decode(rd, 2).ok()) << "compact null array where v2 forbids it";
}

TEST(GeneratorTest, ApiTableAndVisitorCoverTheTestApi) {
  ASSERT_NE(FindApi(1000), nullptr);
  EXPECT_EQ(FindApi(1000)->first_flexible_version, 2);
  EXPECT_TRUE(VisitApi(1000, [](auto) {}));
}

}  // namespace
}  // namespace gregor::kafka
