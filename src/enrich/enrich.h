#pragma once
// Masking: the enrich stage's privacy step. Every event is masked before it is stored:
// field values are kept, masked, pseudonymised (keyed HMAC) or dropped by a policy, the
// remaining free text is scanned for secrets and personal data (bearer tokens, JWTs, card
// numbers, Korean resident registration numbers, e-mail addresses, phone numbers,
// `password=...` pairs), and the raw record is rewritten so nothing that was masked in a
// field survives there in any encoding (literal, %XX, '+', JSON \" \\ \/ \uXXXX, nginx
// \xHH). The policy format and the detectors are described in docs/masking.md; the
// shipped default is config/masking.yaml (also compiled in: DefaultMaskingPolicy()).
//
// Threads: a MaskingPolicy is immutable and shared (shared_ptr<const>); a Masker holds
// per-thread scratch state, use one per thread. Nothing here throws.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace rampart::enrich {

// What happens to a field value.
enum class MaskAction : uint8_t {
  kScan,  // keep, but run the free-text detectors over it (default for unnamed fields)
  kKeep,  // keep verbatim; no detectors (structural fields, analytics keys)
  kMask,  // replace with the policy's mask text ("[REDACTED]")
  kHash,  // replace with a keyed pseudonym "hmac:<16 hex>"; an auth scheme word is kept
  kDrop,  // remove the field; its value is also redacted from the raw record
};

// What a free-text detector does with a finding.
enum class DetectorAction : uint8_t {
  kOff,   // detector disabled
  kMask,  // detector-specific partial mask (card: last 4 kept, e-mail: first letter, ...)
  kHash,  // keyed pseudonym of the whole finding (bearer: of the token; the scheme stays)
};

// Free-text detectors, in the order of MaskerStats::detections.
enum class Detector : uint8_t { kBearer, kJwt, kCard, kRrn, kEmail, kPhone, kKeyValue };
inline constexpr size_t kDetectorCount = 7;

std::string_view MaskActionName(MaskAction a);
std::string_view DetectorName(Detector d);

// A field rule: `pattern` is an exact field name or a glob where '*' matches any run of
// characters (dots included), e.g. "cookie.*".
struct FieldRule {
  std::string pattern;
  MaskAction action = MaskAction::kScan;
  bool operator==(const FieldRule&) const = default;
};

// Secret key names, normalised (lower case; '_', '-', '.', ' ' removed). A key is the last
// segment of a field name ("body.user.new_password" → "newpassword") or the key of a
// key=value / "key": "value" pair in free text.
struct SecretKeyWords {
  std::vector<std::string> exact;     // the whole key equals the word
  std::vector<std::string> suffix;    // the key ends with the word
  std::vector<std::string> contains;  // the word occurs anywhere in the key
  bool operator==(const SecretKeyWords&) const = default;
};

struct DetectorSettings {
  DetectorAction bearer = DetectorAction::kHash;  // "Bearer <token>", "Basic <b64 user:pw>"
  DetectorAction jwt = DetectorAction::kHash;     // eyJ... base64url segments
  DetectorAction card = DetectorAction::kMask;    // 13-19 digits, Luhn-checked
  DetectorAction rrn = DetectorAction::kMask;     // YYMMDD-SXXXXXX, date-checked
  DetectorAction email = DetectorAction::kMask;
  DetectorAction phone = DetectorAction::kMask;  // Korean mobile/landline, +E.164
  bool key_value = true;  // secret keys in free text; the action comes from the key lists
  bool operator==(const DetectorSettings&) const = default;
};

// A loaded policy. Plain data: LoadMaskingPolicy validates it; the Masker compiles it.
//
// Precedence for a field name: (1) a rule whose pattern has no '*' and equals the name;
// (2) the secret-key lists applied to the name's last segment (mask lists before hash
// lists); (3) glob rules, first match in file order; (4) default_action.
// A value shorter than kMinHashedKeyValue whose action comes from the hash lists (not
// from an exact rule) is not a credential: it gets the action of (3)/(4) instead
// ("SessionId": "1" is scanned, a short cookie.sid still hashed by "cookie.*").
inline constexpr size_t kMinHashedKeyValue = 8;

struct MaskingPolicy {
  std::string mask_text = "[REDACTED]";
  MaskAction default_action = MaskAction::kScan;
  std::vector<FieldRule> fields;
  SecretKeyWords mask_keys;  // → MaskAction::kMask
  SecretKeyWords hash_keys;  // → MaskAction::kHash
  // Keys that match a list above but hold no secret (normalised, exact), e.g. Windows'
  // PasswordLastSet (a date) or .NET's PublicKeyToken.
  std::vector<std::string> ignore_keys;
  DetectorSettings detectors;
  bool operator==(const MaskingPolicy&) const = default;
};

// Loads a YAML policy (format: docs/masking.md). Errors are InvalidArgument (NotFound when
// the file is missing) with "<path>:<line>:<column>: <reason>" naming the bad key or value.
Result<std::shared_ptr<const MaskingPolicy>> LoadMaskingPolicy(const std::string& path);

// The built-in default, identical to config/masking.yaml (a test checks this). Shared,
// never null.
std::shared_ptr<const MaskingPolicy> DefaultMaskingPolicy();

// The action the policy gives a field name (see precedence above). For tools and tests;
// the Masker caches this per FieldId.
MaskAction ResolveFieldAction(const MaskingPolicy& policy, std::string_view field_name);

// Reads the pseudonymisation key from <data_dir>/secret.key, or creates it (32 bytes from
// RAND_bytes, mode 0600, data_dir created if needed). The key must stay the same across
// restarts so the same secret maps to the same pseudonym. Errors: IoError when the file
// cannot be read or written, Corruption when it exists with a size other than 32 bytes.
Result<std::string> LoadOrCreateKey(const std::string& data_dir);

// "hmac:" + the first 16 lowercase hex digits of HMAC-SHA256(key, value): the pseudonym the
// Masker writes for `value`. For look-ups ("events of this API key"); not for hot paths.
std::string PseudonymToken(std::string_view key, std::string_view value);
// A credential header's value as storage writes it: an auth scheme is kept, the secret
// after it pseudonymised ("Bearer abc" -> "Bearer hmac:..."); plain values as PseudonymToken.
std::string PseudonymizeCredential(std::string_view key, std::string_view value);

struct MaskerStats {
  uint64_t events = 0;
  uint64_t fields_masked = 0;  // by a field rule (kMask) or a secret key name
  uint64_t fields_hashed = 0;
  uint64_t fields_dropped = 0;
  // Rewrites of kScan fields: by detectors, and again when another field's secret is removed
  // from them (one field can count twice).
  uint64_t fields_rewritten = 0;
  uint64_t raw_rewritten = 0;                         // raw records changed
  std::array<uint64_t, kDetectorCount> detections{};  // findings per Detector
};

// Applies a policy to batches. Apply() rewrites, in place: field values (new strings in
// the batch arena), dropped fields (id = kDroppedField, value emptied) and Event::raw.
// Every value masked, hashed or dropped in a field, and every detector finding in a field,
// is also removed from the raw record and from the event's other scanned fields (kKeep
// fields are left alone). Values shorter than 4 bytes only where they stand alone; hashed
// ones shorter than 4 bytes not at all (see docs/masking.md).
//
// `key` is the pseudonymisation key (LoadOrCreateKey); a null policy means the default.
// One Masker per thread. It keeps the policy alive; the batch does not depend on the
// Masker or the policy after Apply(). No heap allocation per event once warm (scratch
// buffers are reused; output goes to the batch arena).
class Masker {
 public:
  Masker(std::shared_ptr<const MaskingPolicy> policy, const std::string& key);
  ~Masker();
  Masker(Masker&&) noexcept;
  Masker& operator=(Masker&&) noexcept;
  Masker(const Masker&) = delete;
  Masker& operator=(const Masker&) = delete;

  void Apply(EventBatch& batch);

  const MaskerStats& stats() const;
  const MaskingPolicy& policy() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart::enrich
