#include "cadence/discord/permit.hpp"

#include <boost/json/parse.hpp>
#include <utility>

#include "discord/limiter_core.hpp"

namespace cadence::discord {

std::optional<int> Outcome::parse_error_code(std::string_view body) noexcept {
  try {
    boost::system::error_code ec;
    const auto v = boost::json::parse(body, ec);
    if (ec) return std::nullopt;
    const auto* obj = v.if_object();
    if (!obj) return std::nullopt;
    const auto* code = obj->if_contains("code");
    if (!code) return std::nullopt;
    if (code->is_int64() && code->get_int64() >= 0 && code->get_int64() <= INT32_MAX) {
      return static_cast<int>(code->get_int64());
    }
    if (code->is_uint64() && code->get_uint64() <= INT32_MAX) {
      return static_cast<int>(code->get_uint64());
    }
    return std::nullopt;
  } catch (...) {
    return std::nullopt;
  }
}

Permit::Permit(std::weak_ptr<detail::LimiterCore> core, std::uint64_t id, std::uint64_t ticket,
               std::shared_ptr<const detail::RouteEntry> route) noexcept
    : core_(std::move(core)), id_(id), ticket_(ticket), route_(std::move(route)) {}

Permit::Permit(Permit&& other) noexcept
    : core_(std::move(other.core_)),
      id_(std::exchange(other.id_, 0)),
      ticket_(other.ticket_),
      route_(std::move(other.route_)) {}

Permit& Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release(nullptr);
    core_ = std::move(other.core_);
    id_ = std::exchange(other.id_, 0);
    ticket_ = other.ticket_;
    route_ = std::move(other.route_);
  }
  return *this;
}

Permit::~Permit() { release(nullptr); }

Verdict Permit::complete(const Outcome& outcome) {
  if (!valid()) return {};
  Verdict verdict = detail::verdict_for(*route_, outcome);
  release(&outcome);
  return verdict;
}

void Permit::cancel() noexcept { release(nullptr); }

void Permit::sent() noexcept {
  if (id_ == 0) return;
  if (auto core = core_.lock()) core->mark_sent(id_);
}

std::string_view Permit::key() const noexcept {
  return route_ ? std::string_view(route_->key) : std::string_view{};
}

void Permit::release(const Outcome* outcome) noexcept {
  if (id_ == 0) return;
  const auto id = std::exchange(id_, 0);
  if (auto core = core_.lock()) core->release(id, outcome);
  core_.reset();
}

}  // namespace cadence::discord
