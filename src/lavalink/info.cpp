#include "cadence/lavalink/info.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Info& info) {
  using detail::optional_string;
  boost::json::object version{{"semver", info.version.semver},
                              {"major", info.version.major},
                              {"minor", info.version.minor},
                              {"patch", info.version.patch},
                              {"preRelease", optional_string(info.version.pre_release)},
                              {"build", optional_string(info.version.build)}};
  boost::json::object git{{"branch", info.git.branch},
                          {"commit", info.git.commit},
                          {"commitTime", info.git.commit_time.time_since_epoch().count()}};
  boost::json::array plugins;
  for (const auto& p : info.plugins) {
    plugins.push_back(boost::json::object{{"name", p.name}, {"version", p.version}});
  }
  boost::json::object o;
  o.emplace("version", std::move(version));
  o.emplace("buildTime", info.build_time.time_since_epoch().count());
  o.emplace("git", std::move(git));
  o.emplace("jvm", info.jvm);
  o.emplace("lavaplayer", info.lavaplayer);
  o.emplace("sourceManagers", boost::json::value_from(info.source_managers));
  o.emplace("filters", boost::json::value_from(info.filters));
  o.emplace("plugins", std::move(plugins));
  jv = std::move(o);
}

Info tag_invoke(const boost::json::value_to_tag<Info>&, const boost::json::value& jv) {
  using namespace detail;
  const Path root;
  const ObjectReader r(jv, root);
  Info info;
  {
    const Path p = root.field("version");
    const ObjectReader v(r.require("version"), p);
    info.version.semver = v.string("semver");
    info.version.major = v.integer("major");
    info.version.minor = v.integer("minor");
    info.version.patch = v.integer("patch");
    info.version.pre_release = v.opt_string("preRelease");
    info.version.build = v.opt_string("build");
  }
  info.build_time = Timestamp(r.millis("buildTime"));
  {
    const Path p = root.field("git");
    const ObjectReader g(r.require("git"), p);
    info.git.branch = g.string("branch");
    info.git.commit = g.string("commit");
    info.git.commit_time = Timestamp(g.millis("commitTime"));
  }
  info.jvm = r.string("jvm");
  info.lavaplayer = r.string("lavaplayer");
  info.source_managers = r.strings("sourceManagers");
  info.filters = r.strings("filters");
  info.plugins = r.array<Info::Plugin>("plugins", [](const json::value& v, const Path& p) {
    const ObjectReader pr(v, p);
    return Info::Plugin{pr.string("name"), pr.string("version")};
  });
  return info;
}

}  // namespace cadence::lavalink
