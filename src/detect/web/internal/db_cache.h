#pragma once
// Private to src/detect/web: compiled Vectorscan databases kept on disk, so a server restart
// or another hunt with the same rule pack does not compile again (the pack takes seconds).
//
// A file is named by a SHA-256 of what it was compiled from (library version, platform,
// expressions, flags) and ends with a SHA-256 of its own bytes; a file that does not verify or
// deserialize is removed and compiled anew. The cache is a convenience: every failure to read
// or write it only means compiling. Files not loaded for 30 days are removed when a new one
// is written.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <hs/hs.h>

namespace rampart::detect::web::internal {

struct CachedDatabase {
  hs_database_t* db = nullptr;  // owned by the caller once loaded
  // Expressions Vectorscan refused (index into the compiled list, message).
  std::vector<std::pair<uint32_t, std::string>> refused;
};

std::string DatabaseKey(const std::vector<std::string>& expressions,
                        const std::vector<unsigned>& flags,
                        const hs_platform_info_t* platform);

bool LoadCachedDatabase(const std::string& dir, const std::string& key, CachedDatabase* out);

void StoreCachedDatabase(const std::string& dir,
                         const std::string& key,
                         const hs_database_t* db,
                         const std::vector<std::pair<uint32_t, std::string>>& refused);

}  // namespace rampart::detect::web::internal
