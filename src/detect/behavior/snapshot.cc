// Snapshots of the entity state engine (Engine::Save and Engine::Load, engine.h).

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/file.h"
#include "detect/behavior/engine.h"
#include "detect/behavior/internal/table.h"
#include "detect/behavior/sketch.h"

namespace rampart::detect::behavior {
using namespace internal;  // NOLINT(google-build-using-namespace): this stage's own internals

// ---- snapshots --------------------------------------------------------------------------
//
// "RBHV2\n", the caller's extra bytes (length + bytes), the tenant count, then per tenant
// (sorted by name): name, watermark, table count and per table: scenario id, signature, slot
// size, capacity, used, evicted, the slot bytes, the number of top entries and each (key,
// per field: total, n, (value, count, error)...); at the end a Hash64 checksum of everything
// before it. Numbers are 64-bit little-endian; strings are length + bytes.

namespace {

constexpr std::string_view kMagic = "RBHV2\n";

class Writer {
 public:
  void Bytes(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  void U64(uint64_t v) { Bytes(&v, sizeof v); }
  void Text(std::string_view s) {
    U64(s.size());
    Bytes(s.data(), s.size());
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Bytes(void* p, size_t n) {
    if (in_.size() - pos_ < n) {
      return false;
    }
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool U64(uint64_t* v) { return Bytes(v, sizeof *v); }
  bool Text(std::string* s, size_t limit) {
    uint64_t n = 0;
    if (!U64(&n) || n > limit || in_.size() - pos_ < n) {
      return false;
    }
    s->assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  size_t remaining() const { return in_.size() - pos_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

Status Engine::Save(const std::string& path, std::string_view extra) const {
  Writer w;
  w.Bytes(kMagic.data(), kMagic.size());
  w.Text(extra);
  std::vector<const Tenant*> tenants;
  for (const auto& t : tenants_) {
    tenants.push_back(t.get());
  }
  std::sort(tenants.begin(), tenants.end(),
            [](const Tenant* a, const Tenant* b) { return a->name < b->name; });
  w.U64(tenants.size());
  for (const Tenant* tenant : tenants) {
    w.Text(tenant->name);
    w.U64(tenant->watermark);
    size_t made = 0;
    for (const auto& t : tenant->tables) {
      made += t ? 1 : 0;
    }
    w.U64(made);
    for (const auto& t : tenant->tables) {
      if (!t) {
        continue;
      }
      w.Text(t->scenario->id);
      w.U64(t->signature);
      w.U64(t->layout.size);
      w.U64(t->capacity);
      w.U64(t->used);
      w.U64(t->evicted);
      w.Bytes(t->storage.data(), t->storage.size() * sizeof(uint64_t));
      w.U64(t->top.size());
      std::vector<uint64_t> keys;
      for (const auto& [key, state] : t->top) {
        keys.push_back(key);
      }
      std::sort(keys.begin(), keys.end());  // the same state gives the same bytes
      for (uint64_t key : keys) {
        const TopState& state = t->top.at(key);
        w.U64(key);
        for (const TopField& f : state.fields) {
          w.U64(f.total);
          w.U64(f.entries.size());
          for (const TopEntry& e : f.entries) {
            w.Text(e.value);
            w.U64(e.count);
            w.U64(e.error);
          }
        }
      }
    }
  }
  w.U64(Hash64(w.out()));
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  const bool written = f != nullptr &&
                       std::fwrite(w.out().data(), 1, w.out().size(), f) == w.out().size() &&
                       std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  if (f != nullptr && std::fclose(f) != 0) {
    return IoError(tmp + ": cannot write the behaviour snapshot");
  }
  if (!written) {
    return IoError(tmp + ": cannot write the behaviour snapshot");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return IoError(path + ": cannot replace the behaviour snapshot");
  }
  return Status::Ok();
}

Status Engine::Load(const std::string& path, std::string* extra) {
  RAMPART_ASSIGN_OR_RETURN(std::string data, ReadWholeFile(path, "behaviour snapshot"));
  auto corrupt = [&path](const std::string& why) {
    return InvalidArgument(path + ": corrupt behaviour snapshot (" + why + ")");
  };
  if (data.size() < kMagic.size() + 16 ||
      std::string_view(data).substr(0, kMagic.size()) != kMagic) {
    return corrupt("not a snapshot");
  }
  uint64_t sum = 0;
  std::memcpy(&sum, data.data() + data.size() - 8, 8);
  const std::string_view body = std::string_view(data).substr(0, data.size() - 8);
  if (Hash64(body) != sum) {
    return corrupt("checksum mismatch");
  }
  Reader r(body.substr(kMagic.size()));
  std::string extra_bytes;
  if (!r.Text(&extra_bytes, body.size())) {
    return corrupt("extra bytes");
  }
  std::map<std::string, size_t> by_id;
  for (size_t i = 0; i < scenarios_->size(); ++i) {
    by_id[scenarios_->scenario(i).id] = i;
  }
  uint64_t tenant_count = 0;
  if (!r.U64(&tenant_count) || tenant_count > r.remaining()) {
    return corrupt("tenant count");
  }
  std::vector<std::unique_ptr<Tenant>> tenants;
  for (uint64_t n = 0; n < tenant_count; ++n) {
    auto tenant = std::make_unique<Tenant>();
    uint64_t watermark = 0, tables = 0;
    if (!r.Text(&tenant->name, 4096) || !r.U64(&watermark) || watermark > UINT32_MAX ||
        !r.U64(&tables) || tables > 100000) {
      return corrupt("tenant header");
    }
    tenant->watermark = static_cast<uint32_t>(watermark);
    tenant->tables.resize(scenarios_->size());
    for (uint64_t k = 0; k < tables; ++k) {
      std::string id;
      uint64_t signature = 0, size = 0, capacity = 0, used = 0, evicted = 0;
      if (!r.Text(&id, 4096) || !r.U64(&signature) || !r.U64(&size) || !r.U64(&capacity) ||
          !r.U64(&used) || !r.U64(&evicted) || size == 0 || size % 8 != 0 ||
          capacity > r.remaining() / size || used > capacity ||
          (capacity != 0 && used == capacity)) {
        return corrupt("table header");
      }
      std::vector<uint64_t> storage(capacity * size / 8);
      if (!r.Bytes(storage.data(), storage.size() * 8)) {
        return corrupt("table bytes");
      }
      uint64_t tops = 0;
      if (!r.U64(&tops) || tops > r.remaining()) {
        return corrupt("top count");
      }
      std::unordered_map<uint64_t, TopState> top;
      for (uint64_t j = 0; j < tops; ++j) {
        uint64_t key = 0;
        if (!r.U64(&key)) {
          return corrupt("top key");
        }
        TopState& state = top[key];
        for (TopField& f : state.fields) {
          uint64_t entries = 0;
          if (!r.U64(&f.total) || !r.U64(&entries) || entries > kTopEntries) {
            return corrupt("top field");
          }
          f.entries.resize(entries);
          for (TopEntry& e : f.entries) {
            if (!r.Text(&e.value, 1 << 16) || !r.U64(&e.count) || !r.U64(&e.error) ||
                e.error > e.count) {
              return corrupt("top entry");
            }
          }
        }
      }
      auto it = by_id.find(id);
      if (it == by_id.end()) {
        continue;  // a scenario that is gone
      }
      std::unique_ptr<Table> t = MakeTable(static_cast<uint32_t>(it->second));
      if (t->signature != signature || t->layout.size != size) {
        continue;  // changed since: its state means something else now
      }
      t->storage = std::move(storage);
      t->capacity = capacity;
      t->used = used;
      t->evicted = evicted;
      t->top = std::move(top);
      tenant->tables[it->second] = std::move(t);
    }
    tenants.push_back(std::move(tenant));
  }
  if (r.remaining() != 0) {
    return corrupt("trailing bytes");
  }
  tenants_ = std::move(tenants);
  tenant_index_.clear();
  for (size_t i = 0; i < tenants_.size(); ++i) {
    tenant_index_[tenants_[i]->name] = i;
  }
  last_tenant_ = 0;
  if (extra != nullptr) {
    *extra = std::move(extra_bytes);
  }
  return Status::Ok();
}

}  // namespace rampart::detect::behavior
