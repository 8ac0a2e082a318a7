#pragma once
// Status and Result<T>: errors as values. An ok Status is a single null pointer, so the
// success path costs nothing; an error carries a code and a message.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rampart {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input: a record, a query, a config value
  kNotFound,
  kAlreadyExists,
  kIoError,
  kCorruption,
  kUnavailable,  // overloaded or not ready; retry later
  kInternal,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string_view message)
      : rep_(code == StatusCode::kOk ? nullptr
                                     : std::make_unique<Rep>(Rep{code, std::string(message)})) {}
  Status(const Status& other) : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}
  Status& operator=(const Status& other) {
    rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : ""; }
  std::string ToString() const;

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;
};

inline Status InvalidArgument(std::string_view m) {
  return {StatusCode::kInvalidArgument, m};
}
inline Status NotFound(std::string_view m) {
  return {StatusCode::kNotFound, m};
}
inline Status AlreadyExists(std::string_view m) {
  return {StatusCode::kAlreadyExists, m};
}
inline Status IoError(std::string_view m) {
  return {StatusCode::kIoError, m};
}
inline Status Corruption(std::string_view m) {
  return {StatusCode::kCorruption, m};
}
inline Status Unavailable(std::string_view m) {
  return {StatusCode::kUnavailable, m};
}
inline Status Internal(std::string_view m) {
  return {StatusCode::kInternal, m};
}

// Result<T> holds either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace rampart

#define RAMPART_INTERNAL_CONCAT_INNER(a, b) a##b
#define RAMPART_INTERNAL_CONCAT(a, b) RAMPART_INTERNAL_CONCAT_INNER(a, b)

#define RAMPART_RETURN_IF_ERROR(expr)                   \
  do {                                                  \
    ::rampart::Status rampart_internal_status = (expr); \
    if (!rampart_internal_status.ok()) {                \
      return rampart_internal_status;                   \
    }                                                   \
  } while (0)

#define RAMPART_INTERNAL_ASSIGN_OR_RETURN(tmp, lhs, expr) \
  auto tmp = (expr);                                      \
  if (!tmp.ok()) {                                        \
    return tmp.status();                                  \
  }                                                       \
  lhs = std::move(tmp).value()

#define RAMPART_ASSIGN_OR_RETURN(lhs, expr) \
  RAMPART_INTERNAL_ASSIGN_OR_RETURN(RAMPART_INTERNAL_CONCAT(rampart_result_, __LINE__), lhs, expr)
