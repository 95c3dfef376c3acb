// Real encoded tracks embedded in the binary, so that `cadence demo` decodes tracks a real server
// made without a server or a file.
#pragma once

#include <string_view>
#include <vector>

namespace cadence::app::demo {

[[nodiscard]] const std::vector<std::string_view>& real_tracks();

}  // namespace cadence::app::demo
