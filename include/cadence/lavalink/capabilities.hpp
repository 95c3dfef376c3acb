// What a request needs from a node, checked against the node's GET /v4/info before the request
// is sent: the source manager a load needs and the filters an update sets. NodePool uses these
// to send a load to a node that can serve it and to refuse a filter the node lacks up front.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/lavalink/filters.hpp"
#include "cadence/lavalink/info.hpp"

namespace cadence::lavalink {

/// The source manager (as /v4/info's `sourceManagers` names it) that loading `identifier`
/// needs: "youtube" for ytsearch:, ytmsearch: and YouTube URLs, "soundcloud" for scsearch: and
/// SoundCloud URLs, and LavaSrc's "spotify" (spsearch:, sprec:, open.spotify.com),
/// "applemusic" (amsearch:, music.apple.com), "deezer" (dzsearch:, dzisrc:, dzrec:,
/// deezer.com), "yandexmusic" (ymsearch:, ymrec:), "vkmusic" (vksearch:), "tidal" (tdsearch:),
/// "qobuz" (qbsearch:), "jiosaavn" (jssearch:). std::nullopt when the identifier does not say
/// (another URL, a local file, a prefix this list does not know): any node may try it.
[[nodiscard]] std::optional<std::string_view> required_source_manager(
    std::string_view identifier) noexcept;

/// Whether `info` lists the source manager `name`.
[[nodiscard]] bool has_source_manager(const Info& info, std::string_view name) noexcept;

/// The names (as /v4/info's `filters` lists them: "volume", "equalizer", ..., "channelMix",
/// "lowPass") of the built-in filters that `filters` sets. Plugin filters are not listed:
/// /v4/info does not name them reliably.
[[nodiscard]] std::vector<std::string> filter_names(const Filters& filters);

/// The filters set in `filters` that `info` does not list (disabled in the node's config, or
/// unknown to the server); empty when the node can apply all of them.
[[nodiscard]] std::vector<std::string> unsupported_filters(const Info& info,
                                                           const Filters& filters);

}  // namespace cadence::lavalink
