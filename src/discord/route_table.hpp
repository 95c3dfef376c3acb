// The built-in table of Discord's route templates, split into segments once at start-up.
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace cadence::discord::detail {

enum class SegmentKind {
  literal,    ///< must equal the text
  snowflake,  ///< {..._id}: decimal snowflake
  token,      ///< {webhook_token}, {interaction_token}: opaque secret
  text,       ///< {emoji}, {invite_code}, {template_code}: any non-empty text
};

struct TemplateSegment {
  SegmentKind kind = SegmentKind::literal;
  std::string_view text;  ///< the literal, or the parameter name without braces
};

struct RouteTemplate {
  std::string_view pattern;
  std::vector<TemplateSegment> segments;
};

/// Every template in the table (stable storage for the program's lifetime).
[[nodiscard]] std::span<const RouteTemplate> route_templates();

}  // namespace cadence::discord::detail
