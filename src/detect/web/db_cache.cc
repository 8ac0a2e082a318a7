#include "detect/web/internal/db_cache.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/sha.h>

#include "core/strings.h"

namespace rampart::detect::web::internal {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMagic = "rampart-web-db 1\n";

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return HexEncode(digest, sizeof digest);
}

std::string PathOf(const std::string& dir, const std::string& key) {
  return (fs::path(dir) / ("web-" + key + ".hsdb")).string();
}

}  // namespace

std::string DatabaseKey(const std::vector<std::string>& expressions,
                        const std::vector<unsigned>& flags,
                        const hs_platform_info_t* platform) {
  std::string material(kMagic);
  material += hs_version();
  material += '\n';
  if (platform != nullptr) {
    material += std::to_string(platform->tune) + "/" + std::to_string(platform->cpu_features);
  }
  for (size_t i = 0; i < expressions.size(); ++i) {
    material += '\n' + std::to_string(flags[i]) + ' ' + std::to_string(expressions[i].size()) + ' ';
    material += expressions[i];
  }
  return Sha256Hex(material);
}

bool LoadCachedDatabase(const std::string& dir, const std::string& key, CachedDatabase* out) {
  if (dir.empty()) {
    return false;
  }
  const std::string path = PathOf(dir, key);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto reject = [&] {
    std::error_code ec;
    fs::remove(path, ec);  // corrupt or from another library: compiled and written anew
    return false;
  };
  // Trailer: the SHA-256 of everything before it, 64 hex digits and a newline.
  if (bytes.size() < kMagic.size() + 65 || bytes.compare(0, kMagic.size(), kMagic) != 0) {
    return reject();
  }
  const std::string_view body(bytes.data(), bytes.size() - 65);
  if (Sha256Hex(body) + "\n" != std::string_view(bytes).substr(bytes.size() - 65)) {
    return reject();
  }
  size_t pos = kMagic.size();
  auto line = [&](std::string* text) {
    const size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) {
      return false;
    }
    *text = std::string(body.substr(pos, nl - pos));
    pos = nl + 1;
    return true;
  };
  std::string text;
  size_t refused = 0;
  if (!line(&text) || !ParseInt(text, &refused) || refused > 100'000) {
    return reject();
  }
  out->refused.clear();
  for (size_t i = 0; i < refused; ++i) {
    if (!line(&text)) {
      return reject();
    }
    const size_t space = text.find(' ');
    uint32_t index = 0;
    if (space == std::string::npos || !ParseInt(std::string_view(text).substr(0, space), &index)) {
      return reject();
    }
    out->refused.emplace_back(index, text.substr(space + 1));
  }
  size_t length = 0;
  if (!line(&text) || !ParseInt(text, &length) || length != body.size() - pos) {
    return reject();
  }
  hs_database_t* db = nullptr;
  if (hs_deserialize_database(body.data() + pos, length, &db) != HS_SUCCESS) {
    return reject();
  }
  out->db = db;
  std::error_code ec;
  fs::last_write_time(path, fs::file_time_type::clock::now(), ec);  // in use: kept
  return true;
}

void StoreCachedDatabase(const std::string& dir,
                         const std::string& key,
                         const hs_database_t* db,
                         const std::vector<std::pair<uint32_t, std::string>>& refused) {
  if (dir.empty() || db == nullptr) {
    return;
  }
  char* serialized = nullptr;
  size_t length = 0;
  if (hs_serialize_database(db, &serialized, &length) != HS_SUCCESS) {
    return;
  }
  std::string bytes(kMagic);
  bytes += std::to_string(refused.size()) + "\n";
  for (const auto& [index, message] : refused) {
    std::string one_line = message;
    for (char& c : one_line) {
      c = c == '\n' ? ' ' : c;
    }
    bytes += std::to_string(index) + " " + one_line + "\n";
  }
  bytes += std::to_string(length) + "\n";
  bytes.append(serialized, length);
  std::free(serialized);
  bytes += Sha256Hex(bytes) + "\n";
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string path = PathOf(dir, key);
  const std::string tmp = path + ".tmp" + std::to_string(reinterpret_cast<uintptr_t>(&bytes));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      fs::remove(tmp, ec);
      return;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
  }
  // Databases of rule packs no longer used go after a month (a load refreshes the time).
  const auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(24 * 30);
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code time_ec;
    if (name.rfind("web-", 0) == 0 && it->last_write_time(time_ec) < cutoff && !time_ec) {
      fs::remove(it->path(), time_ec);
    }
  }
}

}  // namespace rampart::detect::web::internal
