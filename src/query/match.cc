// In-memory filter evaluation (see match.h).

#include "query/match.h"

#include <algorithm>
#include <iterator>

#include "core/strings.h"
#include "query/internal/util.h"
#include "query/query.h"

namespace rampart::query {

namespace {

// The length of the UTF-8 sequence starting with `lead` (1 for stray bytes).
size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xF0) {
    return 4;
  }
  if (lead >= 0xE0) {
    return 3;
  }
  if (lead >= 0xC0) {
    return 2;
  }
  return 1;
}

}  // namespace

bool GlobMatchIgnoreCase(std::string_view pattern, std::string_view text) {
  // Classic backtracking over the last star: linear in practice, O(n*m) at worst.
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      const char c = pattern[p];
      if (c == '*') {
        star = ++p;
        mark = t;
        continue;
      }
      if (c == '?') {
        ++p;
        t += std::min(Utf8Length(static_cast<unsigned char>(text[t])), text.size() - t);
        continue;
      }
      size_t lit = p;
      if (c == '\\' && p + 1 < pattern.size()) {
        lit = p + 1;
      }
      if (AsciiLower(pattern[lit]) == AsciiLower(text[t])) {
        p = lit + 1;
        ++t;
        continue;
      }
    }
    if (star == std::string_view::npos) {
      return false;
    }
    p = star;
    t = ++mark;
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

Result<EventFilter> EventFilter::Compile(const Node& node) {
  EventFilter filter;
  filter.nodes_.assign(1, CompiledNode{});
  RAMPART_RETURN_IF_ERROR(Add(node, filter.nodes_, 0));
  return filter;
}

Result<EventFilter> EventFilter::Parse(std::string_view text) {
  RAMPART_ASSIGN_OR_RETURN(Query q, ParseQuery(text));
  if (!q.pipes.empty()) {
    return InvalidArgument("a filter takes no pipes ('|')");
  }
  return Compile(q.filter);
}

Status EventFilter::Add(const Node& node, std::vector<CompiledNode>& out, size_t at) {
  CompiledNode n;
  switch (node.kind) {
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot: {
      n.op = node.kind == NodeKind::kAnd  ? Op::kAnd
             : node.kind == NodeKind::kOr ? Op::kOr
                                          : Op::kNot;
      if (node.children.empty() || (node.kind == NodeKind::kNot && node.children.size() != 1)) {
        return InvalidArgument("malformed filter tree");
      }
      n.first_child = static_cast<uint32_t>(out.size());
      n.children = static_cast<uint32_t>(node.children.size());
      out[at] = n;
      out.resize(out.size() + node.children.size());
      for (size_t i = 0; i < node.children.size(); ++i) {
        RAMPART_RETURN_IF_ERROR(Add(node.children[i], out, out[at].first_child + i));
      }
      return Status::Ok();
    }
    case NodeKind::kLeaf:
      break;
  }
  const Predicate& p = node.leaf;
  if (p.op == MatchOp::kMatchAll) {
    out[at] = n;  // kTrue
    return Status::Ok();
  }
  n.op = Op::kLeaf;
  n.match = p.op;
  n.number = p.number;
  n.time_ns = p.time_ns;
  if (p.op == MatchOp::kFullText) {
    n.source = Source::kRaw;
    n.text = "*" + p.pattern + "*";
  } else if (p.field == kTimestampField) {
    n.source = Source::kTimestamp;
    if (p.op == MatchOp::kWildcard || p.op == MatchOp::kCidr || p.op == MatchOp::kExists) {
      if (p.op != MatchOp::kExists) {
        return InvalidArgument("@timestamp supports only comparisons, ranges and equality");
      }
    }
  } else if (p.field == kDatasetField) {
    n.source = Source::kDataset;
  } else if (p.field == kTenantField) {
    n.source = Source::kTenant;
  } else if (p.field == kRawField) {
    n.source = Source::kRaw;
  } else {
    n.field = FieldDict::Intern(p.field);
  }
  if (p.op == MatchOp::kEquals) {
    n.text = p.value;
  } else if (p.op == MatchOp::kWildcard) {
    n.text = p.pattern;
  } else if (p.op == MatchOp::kCidr) {
    internal::IpNet net;
    if (!internal::ParseCidr(p.value, &net)) {
      return InvalidArgument("'" + p.value + "' is not a CIDR network");
    }
    n.net = net.addr;
    n.prefix = net.prefix;
  }
  out[at] = std::move(n);
  return Status::Ok();
}

std::vector<FieldId> EventFilter::RequiredFields() const {
  std::vector<FieldId> out = Required(0);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<FieldId> EventFilter::Required(uint32_t index) const {
  const CompiledNode& n = nodes_[index];
  switch (n.op) {
    case Op::kTrue:
    case Op::kNot:
      return {};
    case Op::kLeaf:
      if (n.source == Source::kField) {
        return {n.field};
      }
      return {};
    case Op::kAnd: {
      std::vector<FieldId> out;
      for (uint32_t i = 0; i < n.children; ++i) {
        std::vector<FieldId> child = Required(n.first_child + i);
        out.insert(out.end(), child.begin(), child.end());
      }
      return out;
    }
    case Op::kOr: {
      std::vector<FieldId> out = Required(n.first_child);
      std::sort(out.begin(), out.end());
      for (uint32_t i = 1; i < n.children && !out.empty(); ++i) {
        std::vector<FieldId> child = Required(n.first_child + i);
        std::sort(child.begin(), child.end());
        std::vector<FieldId> both;
        std::set_intersection(out.begin(), out.end(), child.begin(), child.end(),
                              std::back_inserter(both));
        out = std::move(both);
      }
      return out;
    }
  }
  return {};
}

bool EventFilter::Matches(const EventBatch& batch, const Event& event) const {
  return Eval(0, batch, event);
}

bool EventFilter::Eval(uint32_t index, const EventBatch& batch, const Event& event) const {
  const CompiledNode& n = nodes_[index];
  switch (n.op) {
    case Op::kTrue:
      return true;
    case Op::kAnd:
      for (uint32_t i = 0; i < n.children; ++i) {
        if (!Eval(n.first_child + i, batch, event)) {
          return false;
        }
      }
      return true;
    case Op::kOr:
      for (uint32_t i = 0; i < n.children; ++i) {
        if (Eval(n.first_child + i, batch, event)) {
          return true;
        }
      }
      return false;
    case Op::kNot:
      return !Eval(n.first_child, batch, event);
    case Op::kLeaf:
      return Leaf(n, batch, event);
  }
  return false;
}

bool EventFilter::Leaf(const CompiledNode& n, const EventBatch& batch, const Event& event) const {
  switch (n.source) {
    case Source::kTimestamp: {
      const int64_t t = event.timestamp_ns;
      switch (n.match) {
        case MatchOp::kExists:
          return true;
        case MatchOp::kEquals:
          return t == n.time_ns;
        case MatchOp::kLess:
          return t < n.time_ns;
        case MatchOp::kLessEqual:
          return t <= n.time_ns;
        case MatchOp::kGreater:
          return t > n.time_ns;
        case MatchOp::kGreaterEqual:
          return t >= n.time_ns;
        default:
          return false;
      }
    }
    case Source::kDataset:
      return n.match == MatchOp::kExists ? !event.dataset.empty() : Test(n, event.dataset);
    case Source::kTenant:
      return n.match == MatchOp::kExists ? !event.tenant.empty() : Test(n, event.tenant);
    case Source::kRaw:
      return n.match == MatchOp::kExists ? !event.raw.empty() : Test(n, event.raw);
    case Source::kField:
      break;
  }
  for (const Field& f : batch.fields(event)) {
    if (f.id != n.field) {
      continue;
    }
    if (n.match == MatchOp::kExists || Test(n, f.value)) {
      return true;
    }
  }
  return false;
}

bool EventFilter::Test(const CompiledNode& n, std::string_view value) {
  switch (n.match) {
    case MatchOp::kMatchAll:
    case MatchOp::kExists:
      return true;
    case MatchOp::kEquals:
      return EqualsIgnoreCase(value, n.text);
    case MatchOp::kFullText:
    case MatchOp::kWildcard:
      return GlobMatchIgnoreCase(n.text, value);
    case MatchOp::kCidr: {
      internal::IpNet ip;
      if (!internal::ParseIpOrNet(value, &ip)) {
        return false;
      }
      internal::IpNet net;
      net.addr = n.net;
      net.prefix = n.prefix;
      return internal::NetContains(net, ip);
    }
    case MatchOp::kLess:
    case MatchOp::kLessEqual:
    case MatchOp::kGreater:
    case MatchOp::kGreaterEqual: {
      double v = 0;
      if (!internal::ParseNumber(value, &v)) {
        return false;
      }
      return n.match == MatchOp::kLess        ? v < n.number
             : n.match == MatchOp::kLessEqual ? v <= n.number
             : n.match == MatchOp::kGreater   ? v > n.number
                                              : v >= n.number;
    }
  }
  return false;
}

}  // namespace rampart::query
