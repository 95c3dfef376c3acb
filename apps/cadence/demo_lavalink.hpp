// The Lavalink part of `cadence demo`: real tracks decoded locally, then through a NodePool a
// track, a playlist and a search loaded, players created and changed (filters, volume, seek,
// pause), and, when the demo owns its nodes, one node killed and its players moved to the other.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "cadence/lavalink/node_pool.hpp"
#include "demo_console.hpp"

namespace cadence::app::demo {

/// What to load: the simulator's catalogue names, or identifiers a real node resolves.
struct LavalinkScript {
  std::string track;
  std::string playlist;
  std::string search;
  std::size_t players = 4;
  /// Kills the named node (the demo's own simulator); empty when the nodes are not the demo's.
  std::function<void(const std::string&)> kill_node;
};

struct LavalinkResult {
  std::size_t decoded = 0;
  std::size_t loads = 0;
  std::size_t players = 0;
  std::size_t moved = 0;
  /// From the kill to the last player settled on another node; zero when nothing was killed.
  std::chrono::milliseconds failover{0};
  /// Players whose volume, pause or filters differed after the move.
  std::size_t state_lost = 0;
};

/// Decodes the embedded real tracks with TrackCodec and prints them; returns how many.
std::size_t decode_real_tracks(Console& console);

/// Runs the script on `pool` (started, nodes added). Throws what the pool's calls throw.
boost::asio::awaitable<LavalinkResult> run_lavalink(lavalink::NodePool& pool, Console& console,
                                                    LavalinkScript script);

}  // namespace cadence::app::demo
