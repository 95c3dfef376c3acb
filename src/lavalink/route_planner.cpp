#include "cadence/lavalink/route_planner.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {
namespace {

using namespace detail;

struct Common {
  IpBlock ip_block;
  std::vector<FailingAddress> failing_addresses;
};

Common read_common(const ObjectReader& d) {
  Common c;
  const Path block_path = d.path().field("ipBlock");
  const ObjectReader block(d.require("ipBlock"), block_path);
  c.ip_block = IpBlock{block.string("type"), block.string("size")};
  c.failing_addresses =
      d.array<FailingAddress>("failingAddresses", [](const json::value& v, const Path& p) {
        const ObjectReader a(v, p);
        return FailingAddress{a.string("failingAddress"), Timestamp(a.millis("failingTimestamp")),
                              a.string("failingTime")};
      });
  return c;
}

template <class T>
json::object write_common(const T& s) {
  json::array failing;
  for (const auto& a : s.failing_addresses) {
    failing.push_back(json::object{{"failingAddress", a.address},
                                   {"failingTimestamp", a.timestamp.time_since_epoch().count()},
                                   {"failingTime", a.time}});
  }
  return json::object{
      {"ipBlock", json::object{{"type", s.ip_block.type}, {"size", s.ip_block.size}}},
      {"failingAddresses", std::move(failing)}};
}

}  // namespace

std::string_view class_name(const RoutePlannerStatus& status) noexcept {
  struct Name {
    std::string_view operator()(const RotatingIpRoutePlanner&) const {
      return "RotatingIpRoutePlanner";
    }
    std::string_view operator()(const NanoIpRoutePlanner&) const { return "NanoIpRoutePlanner"; }
    std::string_view operator()(const RotatingNanoIpRoutePlanner&) const {
      return "RotatingNanoIpRoutePlanner";
    }
    std::string_view operator()(const BalancingIpRoutePlanner&) const {
      return "BalancingIpRoutePlanner";
    }
    std::string_view operator()(const UnknownRoutePlanner& s) const { return s.class_name; }
  };
  return std::visit(Name{}, status);
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const RoutePlannerStatus& status) {
  struct Details {
    json::value operator()(const RotatingIpRoutePlanner& s) const {
      json::object d = write_common(s);
      d.emplace("rotateIndex", s.rotate_index);
      d.emplace("ipIndex", s.ip_index);
      d.emplace("currentAddress", s.current_address);
      return d;
    }
    json::value operator()(const NanoIpRoutePlanner& s) const {
      json::object d = write_common(s);
      d.emplace("currentAddressIndex", s.current_address_index);
      return d;
    }
    json::value operator()(const RotatingNanoIpRoutePlanner& s) const {
      json::object d = write_common(s);
      d.emplace("blockIndex", s.block_index);
      d.emplace("currentAddressIndex", s.current_address_index);
      return d;
    }
    json::value operator()(const BalancingIpRoutePlanner& s) const { return write_common(s); }
    json::value operator()(const UnknownRoutePlanner& s) const { return s.details; }
  };
  jv = json::object{{"class", class_name(status)}, {"details", std::visit(Details{}, status)}};
}

void tag_invoke(const boost::json::value_from_tag& tag, boost::json::value& jv,
                RoutePlannerStatus&& status) {
  tag_invoke(tag, jv, static_cast<const RoutePlannerStatus&>(status));
}

RoutePlannerStatus tag_invoke(const boost::json::value_to_tag<RoutePlannerStatus>&,
                              const boost::json::value& jv) {
  const Path root;
  const ObjectReader r(jv, root);
  const std::string cls = r.string("class");
  const bool known = cls == "RotatingIpRoutePlanner" || cls == "NanoIpRoutePlanner" ||
                     cls == "RotatingNanoIpRoutePlanner" || cls == "BalancingIpRoutePlanner";
  if (!known) {
    const json::value* details = r.find("details");
    return UnknownRoutePlanner{cls, details ? *details : json::value()};
  }
  const Path details_path = root.field("details");
  const ObjectReader d(r.require("details"), details_path);
  Common c = read_common(d);
  if (cls == "RotatingIpRoutePlanner") {
    return RotatingIpRoutePlanner{std::move(c.ip_block), std::move(c.failing_addresses),
                                  d.string("rotateIndex"), d.string("ipIndex"),
                                  d.string("currentAddress")};
  }
  if (cls == "NanoIpRoutePlanner") {
    return NanoIpRoutePlanner{std::move(c.ip_block), std::move(c.failing_addresses),
                              d.string("currentAddressIndex")};
  }
  if (cls == "RotatingNanoIpRoutePlanner") {
    return RotatingNanoIpRoutePlanner{std::move(c.ip_block), std::move(c.failing_addresses),
                                      d.string("blockIndex"), d.string("currentAddressIndex")};
  }
  return BalancingIpRoutePlanner{std::move(c.ip_block), std::move(c.failing_addresses)};
}

}  // namespace cadence::lavalink
