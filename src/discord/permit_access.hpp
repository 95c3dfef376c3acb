// What the limiter's async shell reads from a Permit it hands out: the permit's id and route,
// for the shared store step (shared_admission.hpp).
#pragma once

#include <cstdint>
#include <memory>

#include "cadence/discord/permit.hpp"

namespace cadence::discord::detail {

struct PermitAccess {
  [[nodiscard]] static std::uint64_t id(const Permit& p) noexcept { return p.id_; }
  [[nodiscard]] static const std::shared_ptr<const RouteEntry>& route(const Permit& p) noexcept {
    return p.route_;
  }
};

}  // namespace cadence::discord::detail
