#include "discord/route_table.hpp"

#include <array>

namespace cadence::discord::detail {
namespace {

// Discord API v10 route templates. Parameters named *_id must be snowflakes; "@me" and
// "@original" positions are literals of their own entries so that ids stay strictly numeric.
constexpr std::array kPatterns = {
    // Channels and messages
    "/channels/{channel_id}",
    "/channels/{channel_id}/messages",
    "/channels/{channel_id}/messages/bulk-delete",
    "/channels/{channel_id}/messages/pins",
    "/channels/{channel_id}/messages/pins/{message_id}",
    "/channels/{channel_id}/messages/{message_id}",
    "/channels/{channel_id}/messages/{message_id}/crosspost",
    "/channels/{channel_id}/messages/{message_id}/threads",
    "/channels/{channel_id}/messages/{message_id}/reactions",
    "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}",
    "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
    "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}",
    "/channels/{channel_id}/pins",
    "/channels/{channel_id}/pins/{message_id}",
    "/channels/{channel_id}/permissions/{overwrite_id}",
    "/channels/{channel_id}/invites",
    "/channels/{channel_id}/followers",
    "/channels/{channel_id}/typing",
    "/channels/{channel_id}/recipients/{user_id}",
    "/channels/{channel_id}/webhooks",
    "/channels/{channel_id}/polls/{message_id}/answers/{answer_id}",
    "/channels/{channel_id}/polls/{message_id}/expire",
    "/channels/{channel_id}/send-soundboard-sound",
    "/channels/{channel_id}/voice-status",
    // Threads
    "/channels/{channel_id}/threads",
    "/channels/{channel_id}/threads/archived/public",
    "/channels/{channel_id}/threads/archived/private",
    "/channels/{channel_id}/users/@me/threads/archived/private",
    "/channels/{channel_id}/thread-members",
    "/channels/{channel_id}/thread-members/@me",
    "/channels/{channel_id}/thread-members/{user_id}",
    // Guilds
    "/guilds",
    "/guilds/templates/{template_code}",
    "/guilds/{guild_id}",
    "/guilds/{guild_id}/preview",
    "/guilds/{guild_id}/channels",
    "/guilds/{guild_id}/threads/active",
    "/guilds/{guild_id}/members",
    "/guilds/{guild_id}/members/search",
    "/guilds/{guild_id}/members/@me",
    "/guilds/{guild_id}/members/@me/nick",
    "/guilds/{guild_id}/members/{user_id}",
    "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
    "/guilds/{guild_id}/bans",
    "/guilds/{guild_id}/bans/{user_id}",
    "/guilds/{guild_id}/bulk-ban",
    "/guilds/{guild_id}/roles",
    "/guilds/{guild_id}/roles/member-counts",
    "/guilds/{guild_id}/roles/{role_id}",
    "/guilds/{guild_id}/mfa",
    "/guilds/{guild_id}/prune",
    "/guilds/{guild_id}/regions",
    "/guilds/{guild_id}/invites",
    "/guilds/{guild_id}/integrations",
    "/guilds/{guild_id}/integrations/{integration_id}",
    "/guilds/{guild_id}/widget",
    "/guilds/{guild_id}/widget.json",
    "/guilds/{guild_id}/widget.png",
    "/guilds/{guild_id}/vanity-url",
    "/guilds/{guild_id}/welcome-screen",
    "/guilds/{guild_id}/onboarding",
    "/guilds/{guild_id}/incident-actions",
    "/guilds/{guild_id}/voice-states/@me",
    "/guilds/{guild_id}/voice-states/{user_id}",
    "/guilds/{guild_id}/emojis",
    "/guilds/{guild_id}/emojis/{emoji_id}",
    "/guilds/{guild_id}/stickers",
    "/guilds/{guild_id}/stickers/{sticker_id}",
    "/guilds/{guild_id}/soundboard-sounds",
    "/guilds/{guild_id}/soundboard-sounds/{sound_id}",
    "/guilds/{guild_id}/audit-logs",
    "/guilds/{guild_id}/auto-moderation/rules",
    "/guilds/{guild_id}/auto-moderation/rules/{rule_id}",
    "/guilds/{guild_id}/scheduled-events",
    "/guilds/{guild_id}/scheduled-events/{event_id}",
    "/guilds/{guild_id}/scheduled-events/{event_id}/users",
    "/guilds/{guild_id}/webhooks",
    "/guilds/{guild_id}/templates",
    "/guilds/{guild_id}/templates/{template_code}",
    // Users
    "/users/@me",
    "/users/@me/guilds",
    "/users/@me/guilds/{guild_id}",
    "/users/@me/guilds/{guild_id}/member",
    "/users/@me/channels",
    "/users/@me/connections",
    "/users/@me/applications/{application_id}/role-connection",
    "/users/{user_id}",
    // Webhooks (the interaction followups live here too)
    "/webhooks/{webhook_id}",
    "/webhooks/{webhook_id}/{webhook_token}",
    "/webhooks/{webhook_id}/{webhook_token}/slack",
    "/webhooks/{webhook_id}/{webhook_token}/github",
    "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
    "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
    // Interactions
    "/interactions/{interaction_id}/{interaction_token}/callback",
    // Applications and commands
    "/applications/@me",
    "/applications/{application_id}/commands",
    "/applications/{application_id}/commands/{command_id}",
    "/applications/{application_id}/guilds/{guild_id}/commands",
    "/applications/{application_id}/guilds/{guild_id}/commands/permissions",
    "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
    "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}/permissions",
    "/applications/{application_id}/role-connections/metadata",
    "/applications/{application_id}/emojis",
    "/applications/{application_id}/emojis/{emoji_id}",
    "/applications/{application_id}/entitlements",
    "/applications/{application_id}/entitlements/{entitlement_id}",
    "/applications/{application_id}/entitlements/{entitlement_id}/consume",
    "/applications/{application_id}/skus",
    "/applications/{application_id}/activity-instances/{instance_id}",
    "/skus/{sku_id}/subscriptions",
    "/skus/{sku_id}/subscriptions/{subscription_id}",
    // Gateway, OAuth2 and the rest
    "/gateway",
    "/gateway/bot",
    "/oauth2/token",
    "/oauth2/token/revoke",
    "/oauth2/applications/@me",
    "/oauth2/@me",
    "/invites/{invite_code}",
    "/stage-instances",
    "/stage-instances/{channel_id}",
    "/stickers/{sticker_id}",
    "/sticker-packs",
    "/sticker-packs/{pack_id}",
    "/soundboard-default-sounds",
    "/voice/regions",
};

SegmentKind kind_of(std::string_view name) {
  if (name == "webhook_token" || name == "interaction_token") return SegmentKind::token;
  if (name.ends_with("_id")) return SegmentKind::snowflake;
  return SegmentKind::text;
}

std::vector<RouteTemplate> build() {
  std::vector<RouteTemplate> out;
  out.reserve(kPatterns.size());
  for (std::string_view pattern : kPatterns) {
    RouteTemplate t{pattern, {}};
    std::string_view rest = pattern.substr(1);
    while (!rest.empty()) {
      const auto slash = rest.find('/');
      const auto seg = rest.substr(0, slash);
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        const auto name = seg.substr(1, seg.size() - 2);
        t.segments.push_back({kind_of(name), name});
      } else {
        t.segments.push_back({SegmentKind::literal, seg});
      }
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

std::span<const RouteTemplate> route_templates() {
  static const std::vector<RouteTemplate> table = build();
  return table;
}

}  // namespace cadence::discord::detail
