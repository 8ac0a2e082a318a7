// Names of the model's enumerations and the Sigma string splitter (sigma.h).

#include <algorithm>
#include <string>

#include "detect/sigma/sigma.h"

namespace rampart::sigma {

std::string_view ModifierName(Modifier m) {
  switch (m) {
    case Modifier::kContains:
      return "contains";
    case Modifier::kStartsWith:
      return "startswith";
    case Modifier::kEndsWith:
      return "endswith";
    case Modifier::kAll:
      return "all";
    case Modifier::kBase64:
      return "base64";
    case Modifier::kBase64Offset:
      return "base64offset";
    case Modifier::kUtf16le:
      return "utf16le";
    case Modifier::kUtf16be:
      return "utf16be";
    case Modifier::kUtf16:
      return "utf16";
    case Modifier::kWindash:
      return "windash";
    case Modifier::kRe:
      return "re";
    case Modifier::kReIgnoreCase:
      return "i";
    case Modifier::kReMultiline:
      return "m";
    case Modifier::kReDotAll:
      return "s";
    case Modifier::kCidr:
      return "cidr";
    case Modifier::kLt:
      return "lt";
    case Modifier::kLte:
      return "lte";
    case Modifier::kGt:
      return "gt";
    case Modifier::kGte:
      return "gte";
    case Modifier::kExists:
      return "exists";
    case Modifier::kFieldRef:
      return "fieldref";
    case Modifier::kExpand:
      return "expand";
    case Modifier::kCased:
      return "cased";
    case Modifier::kNeq:
      return "neq";
    case Modifier::kMinute:
      return "minute";
    case Modifier::kHour:
      return "hour";
    case Modifier::kDay:
      return "day";
    case Modifier::kWeek:
      return "week";
    case Modifier::kMonth:
      return "month";
    case Modifier::kYear:
      return "year";
  }
  return "?";
}

bool FieldCondition::Has(Modifier m) const {
  return std::find(modifiers.begin(), modifiers.end(), m) != modifiers.end();
}

std::string_view RuleStatusName(RuleStatus s) {
  switch (s) {
    case RuleStatus::kUnset:
      return "";
    case RuleStatus::kStable:
      return "stable";
    case RuleStatus::kTest:
      return "test";
    case RuleStatus::kExperimental:
      return "experimental";
    case RuleStatus::kDeprecated:
      return "deprecated";
    case RuleStatus::kUnsupported:
      return "unsupported";
  }
  return "";
}

std::string_view RuleLevelName(RuleLevel l) {
  switch (l) {
    case RuleLevel::kUnset:
      return "";
    case RuleLevel::kInformational:
      return "informational";
    case RuleLevel::kLow:
      return "low";
    case RuleLevel::kMedium:
      return "medium";
    case RuleLevel::kHigh:
      return "high";
    case RuleLevel::kCritical:
      return "critical";
  }
  return "";
}

std::string_view CorrelationTypeName(CorrelationType t) {
  switch (t) {
    case CorrelationType::kEventCount:
      return "event_count";
    case CorrelationType::kValueCount:
      return "value_count";
    case CorrelationType::kTemporal:
      return "temporal";
    case CorrelationType::kTemporalOrdered:
      return "temporal_ordered";
    case CorrelationType::kValueSum:
      return "value_sum";
    case CorrelationType::kValueAvg:
      return "value_avg";
    case CorrelationType::kValuePercentile:
      return "value_percentile";
    case CorrelationType::kValueMedian:
      return "value_median";
  }
  return "?";
}

bool CorrelationNeedsField(CorrelationType t) {
  switch (t) {
    case CorrelationType::kEventCount:
    case CorrelationType::kTemporal:
    case CorrelationType::kTemporalOrdered:
      return false;
    case CorrelationType::kValueCount:
    case CorrelationType::kValueSum:
    case CorrelationType::kValueAvg:
    case CorrelationType::kValuePercentile:
    case CorrelationType::kValueMedian:
      return true;
  }
  return false;
}

std::string_view CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kGt:
      return "gt";
    case CompareOp::kGte:
      return "gte";
    case CompareOp::kLt:
      return "lt";
    case CompareOp::kLte:
      return "lte";
    case CompareOp::kEq:
      return "eq";
    case CompareOp::kNeq:
      return "neq";
  }
  return "?";
}

std::string_view RefusalReasonName(RefusalReason r) {
  switch (r) {
    case RefusalReason::kIoError:
      return "io-error";
    case RefusalReason::kYamlSyntax:
      return "yaml-syntax";
    case RefusalReason::kNotARule:
      return "not-a-rule";
    case RefusalReason::kMissingField:
      return "missing-field";
    case RefusalReason::kInvalidField:
      return "invalid-field";
    case RefusalReason::kV1Aggregation:
      return "v1-aggregation";
    case RefusalReason::kV1Collection:
      return "v1-collection";
    case RefusalReason::kConditionSyntax:
      return "condition-syntax";
    case RefusalReason::kConditionTooDeep:
      return "condition-too-deep";
    case RefusalReason::kUnknownSelection:
      return "unknown-selection";
    case RefusalReason::kInvalidDetection:
      return "invalid-detection";
    case RefusalReason::kUnknownModifier:
      return "unknown-modifier";
    case RefusalReason::kInvalidModifier:
      return "invalid-modifier";
    case RefusalReason::kInvalidValue:
      return "invalid-value";
    case RefusalReason::kUnsupportedFeature:
      return "unsupported-feature";
    case RefusalReason::kDeprecated:
      return "status-deprecated";
    case RefusalReason::kUnsupportedStatus:
      return "status-unsupported";
    case RefusalReason::kUnresolvedPlaceholder:
      return "unresolved-placeholder";
    case RefusalReason::kInvalidCorrelation:
      return "invalid-correlation";
    case RefusalReason::kUnresolvedReference:
      return "unresolved-reference";
    case RefusalReason::kDuplicateId:
      return "duplicate-id";
  }
  return "?";
}

std::string_view WarningCodeName(WarningCode w) {
  switch (w) {
    case WarningCode::kNonUuidId:
      return "non-uuid-id";
    case WarningCode::kUnknownAttackTag:
      return "unknown-attack-tag";
    case WarningCode::kNeedsPlaceholders:
      return "needs-placeholders";
    case WarningCode::kAllWithSingleValue:
      return "all-single-value";
    case WarningCode::kUnusedSelection:
      return "unused-selection";
    case WarningCode::kSelectionNameWithPipe:
      return "selection-name-with-pipe";
    case WarningCode::kCorrelationRange:
      return "correlation-range";
    case WarningCode::kIgnoredField:
      return "ignored-field";
    case WarningCode::kYaml11Scalar:
      return "yaml11-scalar";
    case WarningCode::kEmptyFile:
      return "empty-file";
    case WarningCode::kFilterUnmatched:
      return "filter-unmatched";
  }
  return "?";
}

namespace {

bool IsPlaceholderChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

void AppendLiteral(std::vector<StringPart>& parts, std::string_view text) {
  if (text.empty()) {
    return;
  }
  if (!parts.empty() && parts.back().kind == StringPart::Kind::kLiteral) {
    parts.back().text.append(text);
  } else {
    parts.push_back(StringPart{StringPart::Kind::kLiteral, std::string(text)});
  }
}

}  // namespace

std::vector<StringPart> SplitSigmaString(std::string_view text, bool placeholders) {
  std::vector<StringPart> parts;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\\') {
      if (i + 1 < text.size() && (text[i + 1] == '*' || text[i + 1] == '?' || text[i + 1] == '\\' ||
                                  (placeholders && text[i + 1] == '%'))) {
        AppendLiteral(parts, text.substr(i + 1, 1));
        i += 2;
      } else {
        AppendLiteral(parts, "\\");  // a lone backslash is literal
        ++i;
      }
    } else if (c == '*' || c == '?') {
      parts.push_back(StringPart{
          c == '*' ? StringPart::Kind::kAnyChars : StringPart::Kind::kOneChar, std::string()});
      ++i;
    } else if (c == '%' && placeholders) {
      size_t end = i + 1;
      while (end < text.size() && IsPlaceholderChar(text[end])) {
        ++end;
      }
      if (end < text.size() && text[end] == '%' && end > i + 1) {
        parts.push_back(StringPart{StringPart::Kind::kPlaceholder,
                                   std::string(text.substr(i + 1, end - i - 1))});
        i = end + 1;
      } else {
        AppendLiteral(parts, "%");
        ++i;
      }
    } else {
      size_t end = i;
      while (end < text.size() && text[end] != '\\' && text[end] != '*' && text[end] != '?' &&
             !(placeholders && text[end] == '%')) {
        ++end;
      }
      AppendLiteral(parts, text.substr(i, end - i));
      i = end;
    }
  }
  return parts;
}

}  // namespace rampart::sigma
