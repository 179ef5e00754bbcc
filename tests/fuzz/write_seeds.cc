// Writes the fuzzers' seed corpora (tests/fuzz/run.sh runs it):
//   write_seeds <golden_dir> <out_dir>
// creates <out_dir>/requests/ (request frames) and <out_dir>/record_batches/.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tests/fuzz/seeds.h"

namespace {

bool WriteAll(const std::filesystem::path& dir, const std::vector<gregor::kafka::fuzz::Seed>& seeds) {
  std::filesystem::create_directories(dir);
  for (const auto& s : seeds) {
    std::ofstream out(dir / s.name, std::ios::binary);
    out.write(s.bytes.data(), static_cast<std::streamsize>(s.bytes.size()));
    if (!out) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: write_seeds <golden_dir> <out_dir>\n";
    return 2;
  }
  auto golden = gregor::kafka::fuzz::GoldenSeedsFrom(argv[1]);
  if (!golden.ok()) {
    std::cerr << golden.status() << "\n";
    return 1;
  }
  std::filesystem::path out(argv[2]);
  auto requests = gregor::kafka::fuzz::GeneratedRequestSeeds();
  requests.insert(requests.end(), golden->requests.begin(), golden->requests.end());
  if (!WriteAll(out / "requests", requests) || !WriteAll(out / "record_batches", golden->record_batches)) {
    std::cerr << "cannot write seeds under " << out << "\n";
    return 1;
  }
  std::cout << requests.size() << " request seeds, " << golden->record_batches.size()
            << " record batch seeds in " << out << "\n";
  return 0;
}
