// A NodePool's state on disk, so that a restarted bot process resumes its Lavalink sessions and
// takes over the players that kept playing meanwhile (resuming must be on, and the restart must
// come within the resume timeout).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// Example:
//   pool.save_snapshot();                                    // or automatically, see options
//   ... the process restarts ...
//   auto snapshot = cadence::lavalink::Snapshot::load(path); // SnapshotError when unusable
//   pool.restore(std::move(snapshot));                        // before pool.start()
//
// The file is JSON, written to `<path>.tmp` and renamed over `path`, so a crash mid-write leaves
// the previous snapshot intact.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "cadence/core/error.hpp"
#include "cadence/core/snowflake.hpp"
#include "cadence/lavalink/player_record.hpp"
#include "cadence/lavalink/timestamp.hpp"

namespace cadence::lavalink {

/// The snapshot file is missing, unreadable, not a Cadence snapshot, of another version or
/// another bot, or has a broken field (the message names it).
class SnapshotError : public cadence::Error {
 public:
  using cadence::Error::Error;
};

struct Snapshot {
  static constexpr int format_version = 1;

  struct NodeSession {
    std::string node;  ///< NodeOptions::name
    std::string session_id;
  };
  struct Entry {
    PlayerRecord player;  ///< observed_at is not used; `observed` says when
    /// Wall-clock time of the record's position (steady clocks do not survive a restart).
    Timestamp observed{};
  };

  Snowflake user_id;
  Timestamp written{};
  std::vector<NodeSession> sessions;
  std::vector<Entry> players;

  /// Reads and checks a snapshot file; SnapshotError for anything unusable.
  [[nodiscard]] static Snapshot load(const std::string& path);
  /// Writes atomically (temporary file, then rename); SnapshotError on I/O failure.
  void save(const std::string& path) const;

  [[nodiscard]] std::string to_json() const;
  /// SnapshotError naming the broken field.
  [[nodiscard]] static Snapshot from_json(std::string_view text);
};

}  // namespace cadence::lavalink
