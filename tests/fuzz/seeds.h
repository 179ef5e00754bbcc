// Seed inputs for the fuzzers: request frames (without the size prefix) for
// every API and version the codec knows, built from the generated test
// values, plus frames and record batches taken from the golden captures of
// real clients (proto/kafka/testdata/golden/).
#ifndef GREGOR_TESTS_FUZZ_SEEDS_H_
#define GREGOR_TESTS_FUZZ_SEEDS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace gregor::kafka::fuzz {

struct Seed {
  std::string name;   // a file name
  std::string bytes;
};

// One request frame per (API, version, test-value variant).
std::vector<Seed> GeneratedRequestSeeds();

// From the golden captures in `golden_dir`: their request frames (size
// prefix removed) and, separately, the record batches of their Produce
// requests.
struct GoldenSeeds {
  std::vector<Seed> requests;
  std::vector<Seed> record_batches;
};
absl::StatusOr<GoldenSeeds> GoldenSeedsFrom(const std::string& golden_dir);

}  // namespace gregor::kafka::fuzz

#endif  // GREGOR_TESTS_FUZZ_SEEDS_H_
