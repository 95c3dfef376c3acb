// Where a new player goes: the usable node with the lowest penalty, counting the players this
// pool placed since the node's last stats message, plus its recent failures.
#include <algorithm>

#include "cadence/lavalink/penalty.hpp"
#include "lavalink/pool_state.hpp"

namespace cadence::lavalink::detail {

bool PoolState::usable(const PoolNode& n) {
  return n.node && !n.lost && n.node->status() == Node::Status::connected;
}

double PoolState::penalty_of(PoolNode& n) const {
  const auto now = PoolClock::now();
  while (!n.failures.empty() && now - n.failures.front().first > options.failure_window)
    n.failures.pop_front();
  PenaltyInputs in;
  if (const auto& stats = n.node->stats()) {
    in.playing_players = stats->playing_players;
    in.system_load = stats->cpu.system_load;
    in.frames = stats->frame_stats;
  }
  in.playing_players += n.assigned - n.assigned_at_stats;
  for (const auto& [when, kind] : n.failures) {
    switch (kind) {
      case PoolNode::Failure::stuck:
        ++in.tracks_stuck;
        break;
      case PoolNode::Failure::exception:
        ++in.track_exceptions;
        break;
      case PoolNode::Failure::load_failed:
        ++in.loads_failed;
        ++in.loads_attempted;
        break;
      case PoolNode::Failure::load_ok:
        ++in.loads_attempted;
        break;
    }
  }
  const double p = lavalink_penalty(in);
  return options.penalty_hook ? options.penalty_hook(*n.node, p) : p;
}

PoolNode* PoolState::best(const PoolNode* exclude,
                          const std::function<bool(const PoolNode&)>& eligible) const {
  PoolNode* chosen = nullptr;
  double lowest = 0;
  bool chosen_in_region = false;
  for (const auto& n : nodes) {
    if (n.get() == exclude || !usable(*n) || (eligible && !eligible(*n))) continue;
    const bool in_region =
        !options.preferred_region.empty() && n->node->options().region == options.preferred_region;
    const double p = penalty_of(*n);
    // A node of the preferred region beats any other; among equals, the lowest penalty.
    if (!chosen || (in_region && !chosen_in_region) ||
        (in_region == chosen_in_region && p < lowest)) {
      chosen = n.get();
      lowest = p;
      chosen_in_region = in_region;
    }
  }
  return chosen;
}

void PoolState::record_failure(PoolNode& n, PoolNode::Failure kind) {
  n.failures.emplace_back(PoolClock::now(), kind);
  // Bounded: beyond this, more of the same changes no decision.
  if (n.failures.size() > 10000) n.failures.pop_front();
}

void PoolState::assign(PlayerRecord& record, const std::string& node) {
  if (record.node == node) return;
  if (auto* old = find(record.node)) --old->assigned;
  record.node = node;
  if (auto* now = find(node)) ++now->assigned;
  dirty = true;
}

PoolNode* PoolState::find(const std::string& name) const {
  if (name.empty()) return nullptr;
  for (const auto& n : nodes)
    if (n->node && n->node->name() == name) return n.get();
  return nullptr;
}

}  // namespace cadence::lavalink::detail
