// `cadence lavalink watch --node URL [--node URL...]`: holds a WebSocket session on each node
// and reports what happens, until SIGINT or SIGTERM (exit 0).
//
// Output, one JSON object per line, each with "node" (the URL as given) and "op":
//   ready         {"sessionId", "resumed"}: always a node's first line once it connects
//   stats         the node's stats, as Lavalink sends them
//   playerUpdate / event   the node's messages (events with "type"); unknown ones as sent
//   disconnected  {"error", "attempt", "reconnectInMs"|null}: the node went away; watching
//                 goes on and it reconnects (a refused password is final: reconnectInMs null)
// When stdout is a terminal (and --json is not given), one status line per node is redrawn in
// place instead: URL, state, session, players, CPU, the last event. A watch session has no
// players of its own; what it shows of players comes from the node's stats.
#include "lavalink_watch.hpp"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cadence/core/error.hpp"
#include "cadence/lavalink/node.hpp"

namespace cadence::app {
namespace {

namespace json = boost::json;
namespace lavalink = cadence::lavalink;

struct Options {
  std::vector<std::string> nodes;
  std::string user_id = "1";
  bool json_lines = false;
};

std::string message_of(const std::exception_ptr& error) {
  if (!error) return "";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

json::object track_json(const lavalink::Track& track) {
  if (track.encoded.empty()) return {};  // the server named no track (NodeLink's `track: {}`)
  return json::value_from(track).as_object();
}

// The message as one JSON object (op and fields as Lavalink names them).
json::object to_json(const lavalink::NodeEvent& event) {
  return std::visit(
      [](const auto& e) -> json::object {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, lavalink::ReadyEvent>) {
          return {{"op", "ready"}, {"sessionId", e.session_id}, {"resumed", e.resumed}};
        } else if constexpr (std::is_same_v<T, lavalink::StatsEvent>) {
          auto o = json::value_from(e.stats).as_object();
          o["op"] = "stats";
          return o;
        } else if constexpr (std::is_same_v<T, lavalink::PlayerUpdateEvent>) {
          return {{"op", "playerUpdate"},
                  {"guildId", e.guild_id.to_string()},
                  {"state", json::value_from(e.state)}};
        } else if constexpr (std::is_same_v<T, lavalink::TrackStartEvent>) {
          return {{"op", "event"},
                  {"type", "TrackStartEvent"},
                  {"guildId", e.guild_id.to_string()},
                  {"track", track_json(e.track)}};
        } else if constexpr (std::is_same_v<T, lavalink::TrackEndEvent>) {
          return {{"op", "event"},
                  {"type", "TrackEndEvent"},
                  {"guildId", e.guild_id.to_string()},
                  {"track", track_json(e.track)},
                  {"reason", e.raw_reason}};
        } else if constexpr (std::is_same_v<T, lavalink::TrackExceptionEvent>) {
          return {{"op", "event"},
                  {"type", "TrackExceptionEvent"},
                  {"guildId", e.guild_id.to_string()},
                  {"track", track_json(e.track)},
                  {"exception", json::value_from(e.exception)}};
        } else if constexpr (std::is_same_v<T, lavalink::TrackStuckEvent>) {
          return {{"op", "event"},
                  {"type", "TrackStuckEvent"},
                  {"guildId", e.guild_id.to_string()},
                  {"track", track_json(e.track)},
                  {"thresholdMs", e.threshold.count()}};
        } else if constexpr (std::is_same_v<T, lavalink::WebSocketClosedEvent>) {
          json::object o{{"op", "event"},
                         {"type", "WebSocketClosedEvent"},
                         {"guildId", e.guild_id.to_string()},
                         {"byRemote", e.by_remote}};
          if (e.code) o["code"] = *e.code;
          if (e.reason) o["reason"] = *e.reason;
          return o;
        } else if constexpr (std::is_same_v<T, lavalink::UnknownMessage>) {
          json::object o = e.raw.is_object() ? e.raw.as_object() : json::object{{"raw", e.raw}};
          if (!o.contains("op")) o["op"] = e.op;
          if (e.error) o["parseError"] = message_of(e.error);
          return o;
        } else {
          static_assert(std::is_same_v<T, lavalink::DisconnectedEvent>);
          json::object o{
              {"op", "disconnected"}, {"error", message_of(e.error)}, {"attempt", e.attempt}};
          o["reconnectInMs"] =
              e.reconnect_in ? json::value(e.reconnect_in->count()) : json::value(nullptr);
          return o;
        }
      },
      event);
}

// One status line per node, redrawn in place (for a terminal).
class StatusBoard {
 public:
  explicit StatusBoard(std::size_t nodes) : lines_(nodes) {}
  void set(std::size_t index, std::string line) {
    lines_[index] = std::move(line);
    if (drawn_) std::printf("\x1b[%zuA", lines_.size());  // back to the first line
    for (const auto& l : lines_) std::printf("\x1b[2K%s\n", l.c_str());
    std::fflush(stdout);
    drawn_ = true;
  }

 private:
  std::vector<std::string> lines_;
  bool drawn_ = false;
};

struct Watched {
  std::string url;
  std::unique_ptr<lavalink::Node> node;
  std::string state = "connecting";
  std::string last;
};

std::string status_line(const Watched& w) {
  std::string line = w.url + "  " + w.state;
  if (w.node && !w.node->session_id().empty()) line += "  session " + w.node->session_id();
  if (w.node && w.node->stats()) {
    const auto& s = *w.node->stats();
    char load[64];
    std::snprintf(load, sizeof load, "  players %d/%d  cpu %.0f%%", s.playing_players, s.players,
                  s.cpu.system_load * 100);
    line += load;
  }
  if (!w.last.empty()) line += "  last: " + w.last;
  return line;
}

int watch(const Options& options, const std::string& password) {
  boost::asio::io_context io;
  const bool board_mode = !options.json_lines && ::isatty(STDOUT_FILENO) == 1;
  StatusBoard board(options.nodes.size());
  const auto user = Snowflake::parse(options.user_id);
  if (!user || user->value() == 0) {
    std::cerr << "cadence lavalink watch: --user-id must be a non-zero Discord id\n";
    return 2;
  }
  std::vector<std::unique_ptr<Watched>> watched;
  for (const auto& url : options.nodes) {
    auto w = std::make_unique<Watched>();
    w->url = url;
    lavalink::NodeOptions o;
    o.name = url;
    o.url = url;
    o.password = password;
    o.user_id = *user;
    try {
      w->node = std::make_unique<lavalink::Node>(io.get_executor(), std::move(o));
    } catch (const std::invalid_argument& e) {
      std::cerr << "cadence lavalink watch: --node " << url << ": " << e.what() << "\n";
      return 2;
    }
    watched.push_back(std::move(w));
  }
  int failed = 0;
  for (std::size_t i = 0; i < watched.size(); ++i) {
    auto* w = watched[i].get();
    w->node->set_event_handler([&, w, i](const lavalink::NodeEvent& event) {
      auto line = to_json(event);
      const std::string op(line.at("op").as_string());
      if (const auto* d = std::get_if<lavalink::DisconnectedEvent>(&event)) {
        w->state = d->reconnect_in ? "disconnected (reconnecting)" : "failed";
        w->last = message_of(d->error);
        if (!d->reconnect_in && ++failed == static_cast<int>(watched.size())) io.stop();
      } else if (std::holds_alternative<lavalink::ReadyEvent>(event)) {
        w->state = "connected";
      } else if (op == "event") {
        w->last = std::string(line.at("type").as_string());
      }
      if (board_mode) {
        board.set(i, status_line(*w));
        return;
      }
      json::object out{{"node", w->url}};
      for (auto& [key, value] : line) out[key] = std::move(value);
      std::cout << json::serialize(out) << std::endl;  // flushed: a watcher reads live
    });
    if (board_mode) board.set(i, status_line(*w));
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    // Destroying the nodes closes their sockets; nothing else keeps run() going.
    for (auto& w : watched) w->node.reset();
    io.stop();
  });
  for (auto& w : watched) w->node->start();
  io.run();
  const bool all_failed = failed == static_cast<int>(watched.size());
  watched.clear();
  return all_failed ? 1 : 0;
}

}  // namespace

void add_lavalink_watch(CLI::App& group, Commands& commands, std::function<std::string()> password,
                        std::function<std::string()> default_node) {
  auto options = std::make_shared<Options>();
  auto* sub = group.add_subcommand(
      "watch", "Hold a session on each node and print its events and stats until SIGINT/SIGTERM");
  sub->add_option("--node", options->nodes, "a node's base URL (repeat for several)");
  sub->add_option("--user-id", options->user_id,
                  "the User-Id to connect with (default 1; a watch plays nothing)");
  sub->add_flag("--json", options->json_lines,
                "JSON lines even when stdout is a terminal (instead of status lines)");
  sub->footer(
      "Prints one JSON line per message: {\"node\", \"op\", ...}; a node's first line is its "
      "ready with the session id; a node that goes away is reported (op disconnected) and "
      "reconnected. Exits 0 on SIGINT/SIGTERM, 1 when every node refused the connection for "
      "good (a wrong password), 2 on usage errors.\nExample:\n  LAVALINK_PASSWORD=youshallnotpass "
      "cadence lavalink watch --node http://127.0.0.1:2333");
  sub->callback([&commands, options, password, default_node] {
    commands.run = [options, password, default_node] {
      Options o = *options;
      if (o.nodes.empty()) o.nodes.push_back(default_node());
      std::string pw;
      try {
        pw = password();
      } catch (const std::exception& e) {
        std::cerr << "cadence lavalink watch: " << e.what() << "\n";
        return 2;
      }
      return watch(o, pw);
    };
  });
}

}  // namespace cadence::app
