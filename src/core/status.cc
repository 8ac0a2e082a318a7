#include "core/status.h"

namespace rampart {

std::string Status::ToString() const {
  if (ok()) {
    return "OK";
  }
  const char* name = "error";
  switch (code()) {
    case StatusCode::kOk:
      name = "OK";
      break;
    case StatusCode::kInvalidArgument:
      name = "invalid argument";
      break;
    case StatusCode::kNotFound:
      name = "not found";
      break;
    case StatusCode::kAlreadyExists:
      name = "already exists";
      break;
    case StatusCode::kIoError:
      name = "I/O error";
      break;
    case StatusCode::kCorruption:
      name = "corruption";
      break;
    case StatusCode::kUnavailable:
      name = "unavailable";
      break;
    case StatusCode::kInternal:
      name = "internal error";
      break;
  }
  return std::string(name) + ": " + std::string(message());
}

}  // namespace rampart
