#include "commands.hpp"

namespace cadence::app {

void register_track(CLI::App&, Commands&);
void register_sim(CLI::App&, Commands&);
void register_lavalink(CLI::App&, Commands&);
void register_discord(CLI::App&, Commands&);
void register_proxy(CLI::App&, Commands&);
void register_demo(CLI::App&, Commands&);
void register_completion(CLI::App&, Commands&);

// Each group adds its registration function here (declared next to its use to keep
// commands.hpp free of group names).
const std::vector<GroupRegistration>& command_groups() {
  static const std::vector<GroupRegistration> groups = {
      register_demo,  register_discord, register_proxy,     register_lavalink,
      register_track, register_sim,     register_completion};
  return groups;
}

}  // namespace cadence::app
