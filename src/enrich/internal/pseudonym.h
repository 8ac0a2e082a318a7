#pragma once
// Private to src/enrich: keyed pseudonyms. HMAC-SHA256 through an OpenSSL EVP_MAC context
// that is keyed once and re-initialised per value (~250 ns, no key schedule per call).

#include <string>
#include <string_view>

#include <openssl/types.h>

namespace rampart::enrich::internal {

inline constexpr std::string_view kPseudonymPrefix = "hmac:";
inline constexpr size_t kPseudonymHexDigits = 16;

// Not thread-safe: one per Masker.
class HmacTokenizer {
 public:
  explicit HmacTokenizer(std::string_view key);
  ~HmacTokenizer();
  HmacTokenizer(const HmacTokenizer&) = delete;
  HmacTokenizer& operator=(const HmacTokenizer&) = delete;

  // Appends "hmac:" + the first 16 lowercase hex digits of HMAC-SHA256(key, value). If
  // OpenSSL fails (no provider), appends "hmac:unavailable": never the value itself.
  void Append(std::string_view value, std::string& out);

 private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* ctx_ = nullptr;
};

}  // namespace rampart::enrich::internal
