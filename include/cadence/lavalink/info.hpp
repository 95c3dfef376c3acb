// GET /v4/info: what the node runs and supports (use source_managers, filters and plugins to
// gate features).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cadence/lavalink/timestamp.hpp"

namespace cadence::lavalink {

struct Info {
  struct Version {
    std::string semver;
    int major = 0;
    int minor = 0;
    int patch = 0;
    std::optional<std::string> pre_release;
    std::optional<std::string> build;
    friend bool operator==(const Version&, const Version&) = default;
  };
  struct Git {
    std::string branch;
    std::string commit;
    Timestamp commit_time{};
    friend bool operator==(const Git&, const Git&) = default;
  };
  struct Plugin {
    std::string name;
    std::string version;
    friend bool operator==(const Plugin&, const Plugin&) = default;
  };

  Version version;
  Timestamp build_time{};
  Git git;
  std::string jvm;
  std::string lavaplayer;
  std::vector<std::string> source_managers;
  std::vector<std::string> filters;
  std::vector<Plugin> plugins;
  friend bool operator==(const Info&, const Info&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Info& info);
Info tag_invoke(const boost::json::value_to_tag<Info>&, const boost::json::value& jv);

}  // namespace cadence::lavalink
