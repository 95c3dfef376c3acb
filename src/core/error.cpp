#include "cadence/core/error.hpp"

namespace cadence {

std::string_view to_string(NetworkError::Kind kind) noexcept {
  switch (kind) {
    case NetworkError::Kind::refused:
      return "refused";
    case NetworkError::Kind::reset:
      return "reset";
    case NetworkError::Kind::dns:
      return "dns";
    case NetworkError::Kind::eof:
      return "eof";
    case NetworkError::Kind::protocol:
      return "protocol";
  }
  return "unknown";
}

}  // namespace cadence
