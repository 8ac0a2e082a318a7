// The Masker: per-field policy actions, free-text detectors, and the raw-record rewrite.
//
// Per event:
//   1. Each field gets its action (cached per FieldId). mask/hash/drop replace the value;
//      scan runs the detectors over it. Every (original, replacement) is remembered.
//   2. The remembered originals are removed from the scanned fields (a password parsed
//      out of the body also sits, URL-encoded, in http.request.body.content).
//   3. The raw record: the same originals in any encoding, then the detectors again (for
//      whatever no field carried, e.g. an unparsed query string).

#include <algorithm>

#include "core/strings.h"
#include "enrich/enrich.h"
#include "enrich/internal/encoded_rewriter.h"
#include "enrich/internal/policy.h"
#include "enrich/internal/pseudonym.h"
#include "enrich/internal/secret_scanners.h"

namespace rampart::enrich {
namespace {

// A resolved field is cached in one byte: action (bits 0-2), fallback (bits 3-5), and
// whether the action came from the secret-key lists (bit 6).
constexpr uint8_t kUnresolved = 0xFF;
constexpr uint8_t kByKeyName = 0x40;
// Secrets shorter than this are replaced in other places only where they stand alone.
constexpr size_t kShortSecret = 4;

}  // namespace

struct Masker::Impl {
  Impl(std::shared_ptr<const MaskingPolicy> p, std::string_view key)
      : policy(std::move(p)),
        keys(*policy),
        scanner(policy->detectors, &keys, policy->mask_text),
        hmac(key) {}

  void ApplyEvent(EventBatch& batch, Event& e);
  internal::FieldDecision DecisionFor(FieldId id);
  bool Detect(EventBatch& batch, std::string_view text, bool remember, std::string* out);
  void AppendMasked(const internal::Finding& f, std::string_view text, std::string* out);
  void Remember(std::string_view original, std::string_view replacement, bool secret);

  std::shared_ptr<const MaskingPolicy> policy;
  internal::SecretKeyMatcher keys;
  internal::Scanner scanner;
  internal::HmacTokenizer hmac;
  internal::EncodedRewriter rewriter;

  std::vector<uint8_t> action_by_id;  // MaskAction per FieldId, kUnresolved until first use
  std::vector<internal::Replacement> pairs;
  std::vector<uint32_t> scanned;  // event-relative indexes of kScan fields
  std::vector<internal::Finding> findings;
  std::string buf;
  std::string raw_buf;
  std::string piece;
  std::string_view mask_text;  // copy in the current batch's arena
  MaskerStats stats;
};

internal::FieldDecision Masker::Impl::DecisionFor(FieldId id) {
  if (id >= action_by_id.size()) {
    size_t dict_size = FieldDict::size();
    if (id >= dict_size) {
      // Not an id of this process's dictionary: resolve without caching.
      return internal::ResolveField(*policy, keys, FieldDict::Name(id));
    }
    action_by_id.resize(dict_size, kUnresolved);
  }
  uint8_t& a = action_by_id[id];
  if (a == kUnresolved) {
    internal::FieldDecision d = internal::ResolveField(*policy, keys, FieldDict::Name(id));
    a = static_cast<uint8_t>(static_cast<uint8_t>(d.action) |
                             (static_cast<uint8_t>(d.fallback) << 3) |
                             (d.by_key_name ? kByKeyName : 0));
  }
  return {static_cast<MaskAction>(a & 7), (a & kByKeyName) != 0,
          static_cast<MaskAction>((a >> 3) & 7)};
}

void Masker::Impl::Remember(std::string_view original, std::string_view replacement, bool secret) {
  if (original.empty() || original == replacement) {
    return;
  }
  bool short_secret = original.size() < kShortSecret;
  if (short_secret && !secret) {
    // A 3-character pseudonymised id (a cookie "lang=ko") hides nothing, and replacing
    // every standalone "ko" in the raw record would only damage it.
    return;
  }
  pairs.push_back(internal::Replacement{original, replacement, short_secret});
}

void Masker::Impl::AppendMasked(const internal::Finding& f,
                                std::string_view text,
                                std::string* out) {
  std::string_view secret = text.substr(f.secret_begin, f.end - f.secret_begin);
  auto hash = [&] {
    hmac.Append(secret, *out);
  };
  const DetectorSettings& d = policy->detectors;
  switch (f.kind) {
    case Detector::kKeyValue:
      if (f.key_action == MaskAction::kHash) {
        hash();
      } else {
        *out += policy->mask_text;
      }
      return;
    case Detector::kBearer:
    case Detector::kJwt:
      if ((f.kind == Detector::kBearer ? d.bearer : d.jwt) == DetectorAction::kHash) {
        hash();
      } else {
        *out += policy->mask_text;
      }
      return;
    case Detector::kEmail:
      if (d.email == DetectorAction::kHash) {
        hash();
      } else {
        // k***@example.com: the local part's first character, the domain kept.
        out->push_back(secret[0]);
        *out += "***";
        out->append(secret.substr(f.keep));
      }
      return;
    case Detector::kCard:
    case Detector::kRrn:
    case Detector::kPhone: {
      DetectorAction a = f.kind == Detector::kCard  ? d.card
                         : f.kind == Detector::kRrn ? d.rrn
                                                    : d.phone;
      if (a == DetectorAction::kHash) {
        hash();
        return;
      }
      if (f.kind == Detector::kPhone && secret[0] == '%') {
        out->append(secret.substr(0, 3));  // "%2B", the encoded '+'
        secret.remove_prefix(3);
      }
      size_t digits = 0;
      for (char c : secret) {
        digits += IsDigit(c) ? 1 : 0;
      }
      // Card: last 4 kept. RRN: nothing kept. Phone: prefix and last 4 kept.
      size_t keep_head = f.kind == Detector::kPhone ? f.keep : 0;
      size_t keep_tail = f.kind == Detector::kRrn ? 0 : 4;
      size_t index = 0;
      for (char c : secret) {
        if (!IsDigit(c)) {
          out->push_back(c);
          continue;
        }
        bool kept = index < keep_head || index + keep_tail >= digits;
        out->push_back(kept ? c : '*');
        ++index;
      }
      return;
    }
  }
}

bool Masker::Impl::Detect(EventBatch& batch,
                          std::string_view text,
                          bool remember,
                          std::string* out) {
  findings.clear();
  scanner.Scan(text, &findings);
  if (findings.empty()) {
    return false;
  }
  out->clear();
  size_t pos = 0;
  for (const internal::Finding& f : findings) {
    out->append(text.data() + pos, f.secret_begin - pos);  // includes a kept scheme word
    size_t replacement_start = out->size();
    AppendMasked(f, text, out);
    ++stats.detections[static_cast<size_t>(f.kind)];
    if (remember) {
      std::string_view replacement = std::string_view(*out).substr(replacement_start);
      Remember(text.substr(f.secret_begin, f.end - f.secret_begin), batch.Copy(replacement),
               /*secret=*/true);
    }
    pos = f.end;
  }
  out->append(text.data() + pos, text.size() - pos);
  return true;
}

void Masker::Impl::ApplyEvent(EventBatch& batch, Event& e) {
  ++stats.events;
  pairs.clear();
  scanned.clear();
  std::span<Field> fields = batch.fields(e);
  for (uint32_t k = 0; k < fields.size(); ++k) {
    Field& f = fields[k];
    if (f.id == kDroppedField) {
      continue;
    }
    internal::FieldDecision decision = DecisionFor(f.id);
    if (decision.action == MaskAction::kHash && decision.by_key_name &&
        f.value.size() < kMinHashedKeyValue) {
      decision.action = decision.fallback;  // "SessionId": "1" is no credential
    }
    switch (decision.action) {
      case MaskAction::kKeep:
        break;
      case MaskAction::kScan:
        if (f.value.empty()) {
          break;
        }
        if (Detect(batch, f.value, /*remember=*/true, &buf)) {
          f.value = batch.Copy(buf);
          ++stats.fields_rewritten;
        }
        scanned.push_back(k);
        break;
      case MaskAction::kMask:
        if (!f.value.empty()) {
          Remember(f.value, mask_text, /*secret=*/true);
          f.value = mask_text;
          ++stats.fields_masked;
        }
        break;
      case MaskAction::kHash:
        if (!f.value.empty()) {
          // "Bearer <token>" → "Bearer hmac:…": the scheme says what kind of credential.
          size_t scheme = internal::AuthSchemePrefix(f.value);
          piece.assign(f.value.substr(0, scheme));
          hmac.Append(f.value.substr(scheme), piece);
          std::string_view hashed = batch.Copy(piece);
          Remember(f.value.substr(scheme), hashed.substr(scheme), /*secret=*/false);
          f.value = hashed;
          ++stats.fields_hashed;
        }
        break;
      case MaskAction::kDrop:
        Remember(f.value, mask_text, /*secret=*/true);
        f.id = kDroppedField;
        f.value = {};
        ++stats.fields_dropped;
        break;
    }
  }
  if (!pairs.empty()) {
    // Longest first, so a secret containing another is replaced whole.
    std::sort(pairs.begin(), pairs.end(),
              [](const internal::Replacement& a, const internal::Replacement& b) {
                return a.original.size() > b.original.size();
              });
    rewriter.SetPairs(pairs);
    for (uint32_t k : scanned) {
      if (rewriter.Rewrite(fields[k].value, &buf)) {
        fields[k].value = batch.Copy(buf);
        ++stats.fields_rewritten;
      }
    }
  }
  std::string_view raw = e.raw;
  bool changed = false;
  if (!pairs.empty() && rewriter.Rewrite(raw, &raw_buf)) {
    raw = raw_buf;
    changed = true;
  }
  if (Detect(batch, raw, /*remember=*/false, &buf)) {
    raw = buf;
    changed = true;
  }
  if (changed) {
    e.raw = batch.Copy(raw);
    ++stats.raw_rewritten;
  }
}

Masker::Masker(std::shared_ptr<const MaskingPolicy> policy, const std::string& key)
    : impl_(std::make_unique<Impl>(policy ? std::move(policy) : DefaultMaskingPolicy(), key)) {}

Masker::~Masker() = default;
Masker::Masker(Masker&&) noexcept = default;
Masker& Masker::operator=(Masker&&) noexcept = default;

void Masker::Apply(EventBatch& batch) {
  if (batch.empty()) {
    return;
  }
  impl_->mask_text = batch.Copy(impl_->policy->mask_text);
  for (Event& e : batch.events()) {
    impl_->ApplyEvent(batch, e);
  }
}

const MaskerStats& Masker::stats() const {
  return impl_->stats;
}
const MaskingPolicy& Masker::policy() const {
  return *impl_->policy;
}

}  // namespace rampart::enrich
