// Runs the request decoder fuzz target (built with g++, no libFuzzer) over
// its seeds and seeded mutations of them, as part of the unit tests: every
// seed must decode and pass the target's round-trip check, and no mutation
// may crash it. The real fuzzing is tests/fuzz/run.sh.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "tests/fuzz/seeds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace gregor::kafka::fuzz {
extern std::atomic<int64_t> g_decoded_requests;
namespace {

int RunTarget(const std::string& bytes) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

TEST(RequestDecoderFuzzerSmokeTest, EveryGeneratedSeedDecodesAndRoundTrips) {
  std::vector<Seed> seeds = GeneratedRequestSeeds();
  ASSERT_GT(seeds.size(), 500u);
  g_decoded_requests = 0;
  for (const Seed& s : seeds) EXPECT_EQ(RunTarget(s.bytes), 0) << s.name;
  EXPECT_EQ(g_decoded_requests.load(), static_cast<int64_t>(seeds.size()));
}

TEST(RequestDecoderFuzzerSmokeTest, GoldenCapturesDecodeAndRoundTrip) {
  absl::StatusOr<GoldenSeeds> golden = GoldenSeedsFrom("proto/kafka/testdata/golden");
  ASSERT_TRUE(golden.ok()) << golden.status();
  ASSERT_EQ(golden->requests.size(), 6u);
  EXPECT_EQ(golden->record_batches.size(), 2u);
  g_decoded_requests = 0;
  for (const Seed& s : golden->requests) RunTarget(s.bytes);
  EXPECT_EQ(g_decoded_requests.load(), 6);
}

// Inputs that once failed the target (tests/fuzz/regressions/).
TEST(RequestDecoderFuzzerSmokeTest, RegressionInputsPass) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator("tests/fuzz/regressions")) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    EXPECT_EQ(RunTarget(buf.str()), 0) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 1);
}

TEST(RequestDecoderFuzzerSmokeTest, AFloat64NaNRoundTripsBitForBit) {
  // AlterClientQuotas v1 found by the fuzzer: a quota value that is a NaN.
  std::ifstream in("tests/fuzz/regressions/request_decoder_float64_nan.bin", std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  g_decoded_requests = 0;
  EXPECT_EQ(RunTarget(buf.str()), 0);
  EXPECT_EQ(g_decoded_requests.load(), 1);
}

TEST(RequestDecoderFuzzerSmokeTest, MutatedSeedsNeverCrash) {
  std::vector<Seed> seeds = GeneratedRequestSeeds();
  std::mt19937 rng(7);
  int64_t runs = 0;
  for (size_t i = 0; i < seeds.size(); i += 3) {
    std::string bytes = seeds[i].bytes;
    for (int k = 0; k < 8 && !bytes.empty(); ++k) {
      switch (rng() % 3) {
        case 0:
          bytes[rng() % bytes.size()] = static_cast<char>(rng());
          break;
        case 1:
          bytes.resize(rng() % bytes.size());
          break;
        default:
          bytes.insert(rng() % bytes.size(), 1, static_cast<char>(rng()));
      }
      EXPECT_EQ(RunTarget(bytes), 0);
      ++runs;
    }
  }
  EXPECT_GT(runs, 1000);
}

}  // namespace
}  // namespace gregor::kafka::fuzz
