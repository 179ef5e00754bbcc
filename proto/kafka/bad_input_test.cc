// Bad input never crashes the codec and never makes it allocate memory in
// proportion to a length or count the bytes cannot back: truncated messages,
// negative lengths, lengths past the end, huge array counts, bad varints,
// malformed tagged fields, unknown API keys and versions.
#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <string>

#include "common/bytes.h"
#include "gtest/gtest.h"
#include "proto/kafka/messages/all_apis.h"
#include "proto/kafka/messages/test_values.h"
#include "proto/kafka/request_frame.h"

// Records the largest single allocation while tracking is on.
namespace {
std::atomic<bool> g_tracking{false};
std::atomic<size_t> g_largest{0};
}  // namespace

void* operator new(size_t n) {
  if (g_tracking.load(std::memory_order_relaxed)) {
    size_t prev = g_largest.load(std::memory_order_relaxed);
    while (n > prev && !g_largest.compare_exchange_weak(prev, n)) {
    }
  }
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace gregor::kafka {
namespace {

using testing::AllMessageCodecsForTest;
using testing::MessageCodecForTest;

// Decodes `bytes` as M and returns the status with the largest allocation.
template <typename M>
absl::Status DecodeTracked(const std::string& bytes, int16_t version, size_t* largest = nullptr) {
  ByteReader r(bytes);
  M m;
  g_largest = 0;
  g_tracking = true;
  absl::Status s = m.Decode(r, version);
  g_tracking = false;
  if (largest != nullptr) *largest = g_largest;
  return s;
}

std::string Compact(uint32_t n) {
  ByteWriter w;
  w.WriteUnsignedVarint(n);
  return w.Release();
}

// ---- Huge counts and lengths ------------------------------------------------

TEST(BadInputTest, HugeArrayCountFailsWithoutAllocatingForIt) {
  ByteWriter w;
  w.WriteInt32(0x7fffffff);  // Metadata v1 topics: 2^31-1 entries...
  w.WriteInt16(1);           // ...followed by 3 bytes.
  w.WriteUint8('a');
  size_t largest = 0;
  absl::Status s = DecodeTracked<MetadataRequest>(w.data(), 1, &largest);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("array count"), std::string::npos) << s;
  EXPECT_LT(largest, 4096u);
}

TEST(BadInputTest, HugeCompactArrayCountFailsWithoutAllocatingForIt) {
  std::string bytes = Compact(0xffffffffu) + std::string(16, '\0');  // Metadata v12 topics
  size_t largest = 0;
  EXPECT_FALSE(DecodeTracked<MetadataRequest>(bytes, 12, &largest).ok());
  EXPECT_LT(largest, 4096u);
}

TEST(BadInputTest, NestedCountLargerThanTheRemainingBytesIsRefused) {
  // Produce v9: no transactional id, acks, timeout, 1 topic "t" with
  // 1,000,000 partitions claimed and 20 bytes of data.
  std::string bytes = Compact(0) + std::string("\xff\xff\0\0\x75\x30", 6) + Compact(2) +
                      Compact(2) + "t" + Compact(1000001) + std::string(20, '\x01');
  size_t largest = 0;
  EXPECT_FALSE(DecodeTracked<ProduceRequest>(bytes, 9, &largest).ok());
  EXPECT_LT(largest, 4096u);
}

TEST(BadInputTest, PlausibleCountOfLargeElementsDoesNotReserveMemoryUpFront) {
  // DescribeTopicPartitions v0: 500,000 topics claimed (each could be 2 bytes:
  // an empty compact name and no tags) but the first one is garbage. Memory
  // may follow decoded elements, not the claim times sizeof(element).
  std::string bytes = Compact(500001) + std::string(1 << 20, '\xff');
  size_t largest = 0;
  EXPECT_FALSE(DecodeTracked<DescribeTopicPartitionsRequest>(bytes, 0, &largest).ok());
  EXPECT_LT(largest, 256u * 1024);
}

TEST(BadInputTest, CountsAreBoundedByTheSmallestPossibleElement) {
  // FetchRequest v4 partitions take 16 bytes each: 10 claimed, 100 bytes left.
  ByteWriter w;
  w.WriteInt32(-1);   // replica id
  w.WriteInt32(500);  // max wait
  w.WriteInt32(1);    // min bytes
  w.WriteInt32(1 << 20);
  w.WriteInt8(0);
  w.WriteInt32(1);  // one topic
  w.WriteInt16(1);
  w.WriteUint8('t');
  w.WriteInt32(10);  // ten partitions claimed
  w.WriteBytes(std::string(100, '\0'));
  EXPECT_FALSE(DecodeTracked<FetchRequest>(w.data(), 4).ok());
}

TEST(BadInputTest, LengthsPastTheEndAreErrors) {
  ByteWriter w;  // SaslHandshake v0: mechanism of 200 bytes, 10 present
  w.WriteInt16(200);
  w.WriteBytes(std::string(10, 'm'));
  absl::Status s = DecodeTracked<SaslHandshakeRequest>(w.data(), 0);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("past the end"), std::string::npos) << s;

  ByteWriter p;  // Produce v3 with a records length of 1 MB and 8 bytes of data
  p.WriteInt16(-1);
  p.WriteInt16(1);
  p.WriteInt32(1000);
  p.WriteInt32(1);
  p.WriteInt16(1);
  p.WriteUint8('t');
  p.WriteInt32(1);
  p.WriteInt32(0);
  p.WriteInt32(1 << 20);
  p.WriteBytes(std::string(8, 'r'));
  size_t largest = 0;
  EXPECT_FALSE(DecodeTracked<ProduceRequest>(p.data(), 3, &largest).ok());
  EXPECT_LT(largest, 4096u);

  // Compact bytes (SaslAuthenticate v2) claiming 1 GB.
  EXPECT_FALSE(DecodeTracked<SaslAuthenticateRequest>(Compact(1u << 30) + "xy", 2).ok());
}

// ---- Negative lengths and nulls -------------------------------------------------

TEST(BadInputTest, NegativeLengthsOtherThanNullAreErrors) {
  ByteWriter s;  // Produce v3 transactional id of length -2
  s.WriteInt16(-2);
  EXPECT_FALSE(DecodeTracked<ProduceRequest>(s.data(), 3).ok());

  ByteWriter b;  // SaslAuthenticate v0 bytes of length -7
  b.WriteInt32(-7);
  EXPECT_FALSE(DecodeTracked<SaslAuthenticateRequest>(b.data(), 0).ok());

  ByteWriter a;  // DescribeGroups v0 groups array of count -3
  a.WriteInt32(-3);
  absl::Status st = DecodeTracked<DescribeGroupsRequest>(a.data(), 0);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("negative"), std::string::npos) << st;
}

TEST(BadInputTest, NullOnlyWhereTheVersionAllowsIt) {
  ByteWriter v0;  // Metadata v0: topics may not be null...
  v0.WriteInt32(-1);
  EXPECT_FALSE(DecodeTracked<MetadataRequest>(v0.data(), 0).ok());
  ByteWriter v1;  // ...from v1 they may (all topics).
  v1.WriteInt32(-1);
  EXPECT_TRUE(DecodeTracked<MetadataRequest>(v1.data(), 1).ok());

  ByteWriter name;  // SaslHandshake mechanism is never nullable
  name.WriteInt16(-1);
  EXPECT_FALSE(DecodeTracked<SaslHandshakeRequest>(name.data(), 1).ok());

  // Compact null (0) for a non-nullable compact string: ApiVersions v3.
  EXPECT_FALSE(DecodeTracked<ApiVersionsRequest>(Compact(0) + Compact(1) + Compact(0), 3).ok());
}

TEST(BadInputTest, NullableStructMarkerIsHonouredAndTruncationCaught) {
  // ConsumerGroupHeartbeat response v0 with a null assignment (marker -1).
  auto prefix = [] {
    ByteWriter w;
    w.WriteInt32(0);  // throttle
    w.WriteInt16(0);  // error
    w.WriteUnsignedVarint(0);  // error message null
    w.WriteUnsignedVarint(0);  // member id null
    w.WriteInt32(3);  // member epoch
    w.WriteInt32(5000);
    return w.Release();
  };
  std::string null_assignment = prefix() + "\xff" + Compact(0);
  ConsumerGroupHeartbeatResponse resp;
  ByteReader r(null_assignment);
  ASSERT_TRUE(resp.Decode(r, 0).ok());
  EXPECT_FALSE(resp.assignment.has_value());
  // Marker 1 (present) but the struct is cut off.
  EXPECT_FALSE(DecodeTracked<ConsumerGroupHeartbeatResponse>(prefix() + "\x01", 0).ok());
}

// ---- Varints and tagged fields ------------------------------------------------

TEST(BadInputTest, OverlongAndTruncatedVarintsAreErrors) {
  // Compact string length with six continuation bytes (ApiVersions v3).
  EXPECT_FALSE(DecodeTracked<ApiVersionsRequest>(std::string("\xff\xff\xff\xff\xff\x01", 6), 3).ok());
  // A varint overflowing 32 bits in its fifth byte.
  EXPECT_FALSE(DecodeTracked<ApiVersionsRequest>(std::string("\xff\xff\xff\xff\x7f", 5), 3).ok());
  // A varint cut off mid-way.
  EXPECT_FALSE(DecodeTracked<ApiVersionsRequest>(std::string("\x80", 1), 3).ok());
}

std::string EmptyApiVersionsV3Body() { return Compact(1) + Compact(1); }  // "" and ""

TEST(BadInputTest, HugeTaggedFieldCountEndsAtTheDataEnd) {
  size_t largest = 0;
  EXPECT_FALSE(DecodeTracked<ApiVersionsRequest>(EmptyApiVersionsV3Body() + Compact(0xfffffff0u),
                                                 3, &largest)
                   .ok());
  EXPECT_LT(largest, 4096u);
}

TEST(BadInputTest, TaggedFieldSizePastTheEndIsAnError) {
  std::string bytes = EmptyApiVersionsV3Body() + Compact(1) + Compact(7) + Compact(1000) + "abc";
  EXPECT_FALSE(DecodeTracked<ApiVersionsRequest>(bytes, 3).ok());
}

TEST(BadInputTest, KnownTaggedFieldWithTheWrongSizeIsAnError) {
  // ApiVersions response v3 tag 1 = FinalizedFeaturesEpoch (int64).
  auto body = [](const std::string& tag_payload) {
    ByteWriter w;
    w.WriteInt16(0);           // error code
    w.WriteUnsignedVarint(1);  // empty api keys
    w.WriteInt32(0);           // throttle
    w.WriteUnsignedVarint(1);  // one tagged field
    w.WriteUnsignedVarint(1);  // tag 1
    w.WriteUnsignedVarint(static_cast<uint32_t>(tag_payload.size()));
    w.WriteBytes(tag_payload);
    return w.Release();
  };
  ApiVersionsResponse ok;
  std::string good = body(std::string("\0\0\0\0\0\0\0\x09", 8));
  ByteReader r(good);
  ASSERT_TRUE(ok.Decode(r, 3).ok());
  EXPECT_EQ(ok.finalized_features_epoch, 9);
  EXPECT_FALSE(DecodeTracked<ApiVersionsResponse>(body(std::string(4, '\0')), 3).ok());
  EXPECT_FALSE(DecodeTracked<ApiVersionsResponse>(body(std::string(12, '\0')), 3).ok());
}

// ---- Unknown APIs and versions ----------------------------------------------------

TEST(BadInputTest, UnsupportedVersionsAreErrorsNotCrashes) {
  std::string bytes(64, '\0');
  EXPECT_FALSE(DecodeTracked<ProduceRequest>(bytes, -1).ok());
  EXPECT_FALSE(DecodeTracked<ProduceRequest>(bytes, ProduceRequest::kHighestVersion + 1).ok());
  EXPECT_FALSE(DecodeTracked<FetchResponse>(bytes, 32767).ok());
  EXPECT_FALSE(DecodeTracked<RequestHeader>(bytes, 3).ok());
}

TEST(BadInputTest, UnknownApiKeysAreRecognisedAsUnknown) {
  EXPECT_FALSE(VisitApi(4, [](auto) {}));  // LeaderAndIsr: not served by a broker
  EXPECT_FALSE(VisitApi(1000, [](auto) {}));
  EXPECT_FALSE(VisitApi(-5, [](auto) {}));
  EXPECT_EQ(FindApi(-1), nullptr);
  std::string frame("\x7f\xff\x00\x00\x00\x00\x00\x01", 8);
  absl::StatusOr<RequestFrame> f = ParseRequestFrame(frame);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->support, RequestSupport::kUnknownApi);
}

// ---- Every message, every version -----------------------------------------------

TEST(BadInputTest, EveryStrictPrefixOfEveryMessageFailsToDecode) {
  int messages = 0, prefixes = 0;
  for (const MessageCodecForTest& c : AllMessageCodecsForTest()) {
    for (int16_t v = c.lowest_version; v <= c.highest_version; ++v) {
      // (Empty for versions without fields, e.g. ApiVersions v0-v2 requests.)
      std::string full = c.encode_test_value(v, 0);
      size_t consumed = 0;
      ASSERT_TRUE(c.decode(full, v, &consumed).ok()) << c.name << " v" << v;
      for (size_t n = 0; n < full.size(); ++n) {
        absl::Status s = c.decode(std::string_view(full).substr(0, n), v, &consumed);
        EXPECT_FALSE(s.ok()) << c.name << " v" << v << " prefix " << n << " of " << full.size();
        EXPECT_LE(consumed, n);
        ++prefixes;
      }
      ++messages;
    }
  }
  EXPECT_GT(messages, 500);
  std::cout << prefixes << " prefixes of " << messages << " messages\n";
}

TEST(BadInputTest, RandomGarbageAndByteFlipsNeverCrashOrOverread) {
  std::mt19937 rng(20240601);
  std::uniform_int_distribution<int> byte(0, 255);
  int decoded_ok = 0, rejected = 0;
  for (const MessageCodecForTest& c : AllMessageCodecsForTest()) {
    for (int16_t v = c.lowest_version; v <= c.highest_version; ++v) {
      std::string valid = c.encode_test_value(v, 1);
      for (int i = 0; i < 12; ++i) {
        std::string input;
        if (i < 4) {
          input.resize(static_cast<size_t>(rng() % 64));
          for (char& ch : input) ch = static_cast<char>(byte(rng));
        } else {
          input = valid;
          if (input.empty()) continue;
          for (int k = 0; k < 1 + i % 3; ++k) {
            input[rng() % input.size()] = static_cast<char>(byte(rng));
          }
        }
        size_t consumed = 0;
        absl::Status s = c.decode(input, v, &consumed);
        EXPECT_LE(consumed, input.size());
        (s.ok() ? decoded_ok : rejected)++;
      }
    }
  }
  EXPECT_GT(rejected, 0);
  std::cout << decoded_ok << " garbage inputs decoded, " << rejected << " rejected\n";
}

}  // namespace
}  // namespace gregor::kafka
