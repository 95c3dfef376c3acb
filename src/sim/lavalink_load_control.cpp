// Steering the load that the simulated Lavalink reports, for the client's load-balancing tests:
// a node "under load" must be visible at once, not after the next stats interval.
#include <algorithm>

#include "sim/lavalink_server_impl.hpp"

namespace cadence::sim {

void LavalinkServer::set_reported_load(double system_load, double lavalink_load) {
  std::lock_guard lock(impl_->mutex);
  impl_->system_load = std::clamp(system_load, 0.0, 1.0);
  impl_->lavalink_load = std::clamp(lavalink_load, 0.0, 1.0);
  for (auto& [id, session] : impl_->sessions)
    if (session.socket) impl_->send_stats(session);
}

void LavalinkServer::send_stats_now() {
  std::lock_guard lock(impl_->mutex);
  for (auto& [id, session] : impl_->sessions)
    if (session.socket) impl_->send_stats(session);
}

}  // namespace cadence::sim
