#include "cadence/lavalink/capabilities.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace cadence::lavalink {

namespace {

using Rule = std::pair<std::string_view, std::string_view>;

// Search prefixes of Lavalink and of LavaSrc (the plugin most nodes run for these sources).
constexpr std::array<Rule, 16> prefixes{{{"ytsearch:", "youtube"},
                                         {"ytmsearch:", "youtube"},
                                         {"scsearch:", "soundcloud"},
                                         {"spsearch:", "spotify"},
                                         {"sprec:", "spotify"},
                                         {"amsearch:", "applemusic"},
                                         {"dzsearch:", "deezer"},
                                         {"dzisrc:", "deezer"},
                                         {"dzrec:", "deezer"},
                                         {"ymsearch:", "yandexmusic"},
                                         {"ymrec:", "yandexmusic"},
                                         {"vksearch:", "vkmusic"},
                                         {"vkrec:", "vkmusic"},
                                         {"tdsearch:", "tidal"},
                                         {"qbsearch:", "qobuz"},
                                         {"jssearch:", "jiosaavn"}}};

// Hosts whose URLs only their source manager loads (the http source would fetch a web page).
constexpr std::array<Rule, 9> hosts{{{"youtube.com", "youtube"},
                                     {"youtu.be", "youtube"},
                                     {"soundcloud.com", "soundcloud"},
                                     {"open.spotify.com", "spotify"},
                                     {"music.apple.com", "applemusic"},
                                     {"deezer.com", "deezer"},
                                     {"deezer.page.link", "deezer"},
                                     {"music.yandex.ru", "yandexmusic"},
                                     {"tidal.com", "tidal"}}};

// The host of an http(s) URL (links to these sites are written in lower case).
std::string_view url_host(std::string_view url) noexcept {
  for (const std::string_view scheme : {"https://", "http://"}) {
    if (!url.starts_with(scheme)) continue;
    url.remove_prefix(scheme.size());
    const auto end = url.find_first_of("/?#:");
    return url.substr(0, end);
  }
  return {};
}

bool host_matches(std::string_view host, std::string_view domain) noexcept {
  if (host == domain) return true;
  // www.youtube.com, m.soundcloud.com, music.youtube.com ...
  return host.size() > domain.size() && host.ends_with(domain) &&
         host[host.size() - domain.size() - 1] == '.';
}

}  // namespace

std::optional<std::string_view> required_source_manager(std::string_view identifier) noexcept {
  for (const auto& [prefix, source] : prefixes)
    if (identifier.starts_with(prefix)) return source;
  if (const auto host = url_host(identifier); !host.empty())
    for (const auto& [domain, source] : hosts)
      if (host_matches(host, domain)) return source;
  return std::nullopt;
}

bool has_source_manager(const Info& info, std::string_view name) noexcept {
  return std::find(info.source_managers.begin(), info.source_managers.end(), name) !=
         info.source_managers.end();
}

std::vector<std::string> filter_names(const Filters& f) {
  std::vector<std::string> out;
  const auto add = [&](bool set, const char* name) {
    if (set) out.emplace_back(name);
  };
  add(f.volume.has_value(), "volume");
  add(f.equalizer.has_value(), "equalizer");
  add(f.karaoke.has_value(), "karaoke");
  add(f.timescale.has_value(), "timescale");
  add(f.tremolo.has_value(), "tremolo");
  add(f.vibrato.has_value(), "vibrato");
  add(f.rotation.has_value(), "rotation");
  add(f.distortion.has_value(), "distortion");
  add(f.channel_mix.has_value(), "channelMix");
  add(f.low_pass.has_value(), "lowPass");
  return out;
}

std::vector<std::string> unsupported_filters(const Info& info, const Filters& filters) {
  auto names = filter_names(filters);
  std::erase_if(names, [&](const std::string& name) {
    return std::find(info.filters.begin(), info.filters.end(), name) != info.filters.end();
  });
  return names;
}

}  // namespace cadence::lavalink
