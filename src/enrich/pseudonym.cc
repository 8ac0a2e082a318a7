// Keyed pseudonyms: the per-installation key file and HMAC-SHA256 tokens.

#include "enrich/internal/pseudonym.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "enrich/enrich.h"
#include "enrich/internal/secret_scanners.h"

namespace rampart::enrich {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr std::string_view kKeyFileName = "secret.key";

std::string ErrnoText(int err) {
  return std::error_code(err, std::generic_category()).message();
}

Status WriteAll(int fd, const unsigned char* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) {
        continue;
      }
      return IoError(path + ": write failed: " + ErrnoText(errno));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

// Reads an existing key file. NotFound when it does not exist.
Result<std::string> ReadKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) {
      return NotFound(path);
    }
    return IoError(path + ": cannot open: " + ErrnoText(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
    // Someone loosened the mode; the key is as secret as the data it protects.
    (void)::fchmod(fd, 0600);
  }
  std::string key(kKeyBytes + 1, '\0');
  size_t got = 0;
  while (got < key.size()) {
    ssize_t r = ::read(fd, key.data() + got, key.size() - got);
    if (r < 0) {
      if (errno == EINTR) {
        continue;
      }
      int err = errno;
      ::close(fd);
      return IoError(path + ": read failed: " + ErrnoText(err));
    }
    if (r == 0) {
      break;
    }
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  if (got != kKeyBytes) {
    // Never replace it: a new key would change every pseudonym already stored.
    return Corruption(
        path + ": expected a " + std::to_string(kKeyBytes) + "-byte key, found " +
        (got > kKeyBytes ? "more than " + std::to_string(kKeyBytes) : std::to_string(got)) +
        " bytes; restore the original key file (or remove it to start new "
        "pseudonyms)");
  }
  key.resize(kKeyBytes);
  return key;
}

}  // namespace

Result<std::string> LoadOrCreateKey(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return IoError(data_dir + ": cannot create directory: " + ec.message());
  }
  const std::string path = data_dir + "/" + std::string(kKeyFileName);
  // Two rounds: if another process creates the key between our read and our link(), the
  // second round reads theirs.
  for (int round = 0; round < 2; ++round) {
    Result<std::string> existing = ReadKeyFile(path);
    if (existing.ok() || existing.status().code() != StatusCode::kNotFound) {
      return existing;
    }
    unsigned char key[kKeyBytes];
    if (RAND_bytes(key, static_cast<int>(kKeyBytes)) != 1) {
      return Internal("RAND_bytes failed: no entropy for the pseudonymisation key");
    }
    // Write a temporary file and link() it into place: the key file appears complete or
    // not at all, and link() never overwrites a key created concurrently.
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
      return IoError(tmp + ": cannot create: " + ErrnoText(errno));
    }
    (void)::fchmod(fd, 0600);  // O_CREAT does not change the mode of a leftover file
    Status st = WriteAll(fd, key, kKeyBytes, tmp);
    if (st.ok() && ::fsync(fd) != 0) {
      st = IoError(tmp + ": fsync failed: " + ErrnoText(errno));
    }
    ::close(fd);
    if (!st.ok()) {
      ::unlink(tmp.c_str());
      return st;
    }
    int linked = ::link(tmp.c_str(), path.c_str());
    int link_err = errno;
    ::unlink(tmp.c_str());
    if (linked != 0) {
      if (link_err == EEXIST) {
        continue;
      }
      return IoError(path + ": cannot create: " + ErrnoText(link_err));
    }
    int dir_fd = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
      (void)::fsync(dir_fd);
      ::close(dir_fd);
    }
    return std::string(reinterpret_cast<const char*>(key), kKeyBytes);
  }
  return IoError(path + ": created concurrently but unreadable");
}

std::string PseudonymToken(std::string_view key, std::string_view value) {
  internal::HmacTokenizer tokenizer(key);
  std::string out;
  tokenizer.Append(value, out);
  return out;
}

std::string PseudonymizeCredential(std::string_view key, std::string_view value) {
  const size_t scheme = internal::AuthSchemePrefix(value);
  internal::HmacTokenizer tokenizer(key);
  std::string out(value.substr(0, scheme));
  tokenizer.Append(value.substr(scheme), out);
  return out;
}

namespace internal {

HmacTokenizer::HmacTokenizer(std::string_view key) {
  mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac_ == nullptr) {
    return;
  }
  ctx_ = EVP_MAC_CTX_new(mac_);
  if (ctx_ == nullptr) {
    return;
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  // HMAC pads keys with zeros to the block size, so an empty key equals the key "\0";
  // OpenSSL rejects a zero-length key, so pass the equivalent one.
  static const unsigned char kZero = 0;
  const auto* k = key.empty() ? &kZero : reinterpret_cast<const unsigned char*>(key.data());
  size_t k_len = key.empty() ? 1 : key.size();
  if (EVP_MAC_init(ctx_, k, k_len, params) != 1) {
    EVP_MAC_CTX_free(ctx_);
    ctx_ = nullptr;
  }
}

HmacTokenizer::~HmacTokenizer() {
  EVP_MAC_CTX_free(ctx_);
  EVP_MAC_free(mac_);
}

void HmacTokenizer::Append(std::string_view value, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  out += kPseudonymPrefix;
  // Re-initialising with no key keeps the key schedule set in the constructor.
  if (ctx_ == nullptr || EVP_MAC_init(ctx_, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(value.data()), value.size()) !=
          1 ||
      EVP_MAC_final(ctx_, mac, &mac_len, sizeof(mac)) != 1 || mac_len * 2 < kPseudonymHexDigits) {
    out += "unavailable";
    return;
  }
  for (size_t k = 0; k < kPseudonymHexDigits / 2; ++k) {
    out.push_back(kHex[mac[k] >> 4]);
    out.push_back(kHex[mac[k] & 0xF]);
  }
}

}  // namespace internal
}  // namespace rampart::enrich
