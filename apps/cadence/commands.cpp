#include "commands.hpp"

namespace cadence::app {

// Each group adds its registration function here (declared next to its use to keep
// commands.hpp free of group names).
const std::vector<GroupRegistration>& command_groups() {
  static const std::vector<GroupRegistration> groups = {};
  return groups;
}

}  // namespace cadence::app
