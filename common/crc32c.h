// CRC-32C (Castagnoli), the checksum of Kafka RecordBatch v2. Uses the SSE4.2
// crc32 instruction when the CPU has it (checked once at run time) and a
// table-driven portable version otherwise. Thread-safe.
#ifndef GREGOR_COMMON_CRC32C_H_
#define GREGOR_COMMON_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gregor {

// Extends `crc` (the value returned for the bytes before `data`; 0 to start)
// over `n` bytes.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

inline uint32_t Crc32c(const void* data, size_t n) { return Crc32cExtend(0, data, n); }
inline uint32_t Crc32c(std::string_view s) { return Crc32c(s.data(), s.size()); }

namespace crc32c_internal {
// Exposed for tests: both implementations, regardless of the CPU.
uint32_t ExtendPortable(uint32_t crc, const void* data, size_t n);
uint32_t ExtendHardware(uint32_t crc, const void* data, size_t n);
bool HardwareAvailable();
}  // namespace crc32c_internal

}  // namespace gregor

#endif  // GREGOR_COMMON_CRC32C_H_
