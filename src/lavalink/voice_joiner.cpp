// VoiceJoiner's machinery: everything runs on one strand. feed_* parse on the caller's thread
// (so that a malformed event is the caller's std::invalid_argument) and post the parsed event;
// per guild, a queue of connect operations (only the front one is active and has a timer), the
// latest voice state and voice server with sequence numbers, and the sequence numbers of the
// pair last sent, so that "a pair completed" means "something changed since the last PATCH".
#include "cadence/lavalink/voice_joiner.hpp"

#include <atomic>
#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json.hpp>
#include <boost/system/system_error.hpp>
#include <deque>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "cadence/core/error.hpp"
#include "cadence/lavalink/rest.hpp"

namespace cadence::lavalink {

namespace asio = boost::asio;
namespace json = boost::json;

namespace detail {

namespace {

struct VoiceSession {
  std::string session_id;
  std::optional<Snowflake> channel;  // nullopt: the bot left
};

struct VoiceServer {
  std::string token;
  std::string endpoint;
};

struct ConnectOp {
  // Built in one go: Boost 1.81's any_completion_handler move assignment recurses until the
  // stack overflows (it wraps the source in a new handler), so the handler is never assigned.
  ConnectOp(Snowflake c, VoiceJoiner::Handler h, asio::any_completion_executor w)
      : channel(c), handler(std::move(h)), work(std::move(w)) {}

  std::uint64_t id = 0;
  Snowflake channel;
  VoiceJoiner::Handler handler;
  // Keeps the handler's executor from running out of work while the operation waits.
  asio::any_completion_executor work;
  std::optional<asio::steady_timer> timer;
};

struct GuildVoice {
  std::optional<VoiceSession> state;
  std::uint64_t state_seq = 0;
  std::optional<VoiceServer> server;
  std::uint64_t server_seq = 0;
  // The pair last sent (0: none), and what its PATCH left behind.
  std::uint64_t sent_state_seq = 0;
  std::uint64_t sent_server_seq = 0;
  std::optional<Snowflake> connected_channel;
  std::optional<Player> last_player;
  bool in_flight = false;
  // Bumped by forget(), so that an answer to a PATCH sent before does not count as current.
  std::uint64_t epoch = 0;
  std::deque<std::shared_ptr<ConnectOp>> ops;

  [[nodiscard]] bool fresh() const noexcept {
    return state_seq != sent_state_seq || server_seq != sent_server_seq;
  }
};

std::exception_ptr aborted() {
  return std::make_exception_ptr(boost::system::system_error(asio::error::operation_aborted));
}

std::string text_field(const json::object& o, std::string_view key, std::string_view event) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string())
    throw std::invalid_argument(std::string(event) + ": \"" + std::string(key) +
                                "\" must be a string");
  return std::string(v->get_string());
}

std::optional<Snowflake> id_field(const json::object& o, std::string_view key,
                                  std::string_view event) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  const auto id = v->is_string() ? Snowflake::parse(v->get_string()) : std::nullopt;
  if (!id)
    throw std::invalid_argument(std::string(event) + ": \"" + std::string(key) +
                                "\" must be a Discord id (a string of digits)");
  return id;
}

const json::object& data_object(const json::value& data, std::string_view event) {
  if (!data.is_object()) throw std::invalid_argument(std::string(event) + ": d must be an object");
  return data.get_object();
}

}  // namespace

struct VoiceJoinerState : std::enable_shared_from_this<VoiceJoinerState> {
  VoiceJoinerState(asio::any_io_executor ex, Snowflake user, VoiceJoiner::Sender s,
                   VoiceJoinerOptions o)
      : strand(asio::make_strand(std::move(ex))),
        user_id(user),
        send(std::move(s)),
        options(std::move(o)) {}

  asio::strand<asio::any_io_executor> strand;
  Snowflake user_id;
  VoiceJoiner::Sender send;
  VoiceJoinerOptions options;
  bool closed = false;
  std::uint64_t next_seq = 0;
  // Taken on the caller's thread by async_connect.
  std::atomic<std::uint64_t> next_op = 0;
  std::unordered_map<Snowflake, GuildVoice> guilds;

  // Everything below runs on the strand.

  void on_state(Snowflake guild, VoiceSession session) {
    if (closed) return;
    auto& g = guilds[guild];
    if (!session.channel) g.connected_channel.reset();
    g.state = std::move(session);
    g.state_seq = ++next_seq;
    try_send(guild, g);
  }

  void on_server(Snowflake guild, VoiceServer server) {
    if (closed) return;
    auto& g = guilds[guild];
    g.server = std::move(server);
    g.server_seq = ++next_seq;
    try_send(guild, g);
  }

  void forget(Snowflake guild) {
    if (closed) return;
    const auto it = guilds.find(guild);
    if (it == guilds.end()) return;
    auto& g = it->second;
    g.state.reset();
    g.server.reset();
    g.state_seq = g.server_seq = g.sent_state_seq = g.sent_server_seq = 0;
    g.connected_channel.reset();
    g.last_player.reset();
    ++g.epoch;
  }

  void connect(Snowflake guild, std::shared_ptr<ConnectOp> op) {
    if (closed) {
      finish(*op, aborted(), {});
      return;
    }
    auto& g = guilds[guild];
    g.ops.push_back(std::move(op));
    if (g.ops.size() == 1) activate(guild, g);
  }

  // The front operation starts: its timer runs from now, and it may be satisfied at once.
  void activate(Snowflake guild, GuildVoice& g) {
    if (g.ops.empty()) return;
    auto& op = *g.ops.front();
    op.timer.emplace(strand, options.timeout);
    op.timer->async_wait(
        [weak = weak_from_this(), guild, id = op.id](boost::system::error_code ec) {
          const auto self = weak.lock();
          if (!ec && self) self->time_out(guild, id);
        });
    const bool pending_for_channel = g.state && g.state->channel == op.channel && g.fresh();
    if (!g.in_flight && g.connected_channel == op.channel && !pending_for_channel &&
        g.last_player) {
      // An earlier PATCH (another join to the same channel) already connected the bot there.
      complete_front(guild, g, nullptr, *g.last_player);
      return;
    }
    try_send(guild, g);
  }

  void try_send(Snowflake guild, GuildVoice& g) {
    if (g.in_flight || !g.state || !g.state->channel || !g.server || !g.fresh()) return;
    const Snowflake channel = *g.state->channel;
    // While a join waits, only its channel is sent: a late event of an earlier join must not
    // move the player back. With nobody waiting, Discord's word is followed (a moderator moved
    // the bot, the call moved to another voice server, or the caller only feeds events).
    if (!g.ops.empty() && g.ops.front()->channel != channel) return;
    g.in_flight = true;
    const std::uint64_t state_seq = g.state_seq;
    const std::uint64_t server_seq = g.server_seq;
    VoiceState voice{g.server->token, g.server->endpoint, g.state->session_id, channel.to_string()};
    auto done = [weak = weak_from_this(), strand = strand, guild, epoch = g.epoch, state_seq,
                 server_seq, channel](std::exception_ptr error, Player player) {
      // Posted even when the sender answers inline, so the strand's state is never re-entered.
      asio::post(strand, [weak, guild, epoch, state_seq, server_seq, channel, error,
                          player = std::move(player)]() mutable {
        if (const auto self = weak.lock())
          self->on_sent(guild, epoch, state_seq, server_seq, channel, error, std::move(player));
      });
    };
    try {
      send(guild, std::move(voice),
           VoiceJoiner::Handler(asio::bind_executor(strand, std::move(done))));
    } catch (...) {
      // A sender that throws instead of completing: the same as a failed PATCH.
      const auto error = std::current_exception();
      asio::post(strand, [weak = weak_from_this(), guild, epoch = g.epoch, state_seq, server_seq,
                          channel, error] {
        if (const auto self = weak.lock())
          self->on_sent(guild, epoch, state_seq, server_seq, channel, error, Player{});
      });
    }
  }

  void on_sent(Snowflake guild, std::uint64_t epoch, std::uint64_t state_seq,
               std::uint64_t server_seq, Snowflake channel, std::exception_ptr error,
               Player player) {
    if (closed) return;
    auto& g = guilds[guild];
    g.in_flight = false;
    if (epoch == g.epoch) {
      // A failed pair is not sent again by itself; a new event or forget() starts over.
      g.sent_state_seq = state_seq;
      g.sent_server_seq = server_seq;
      if (error) {
        g.connected_channel.reset();
        g.last_player.reset();
      } else {
        g.connected_channel = channel;
        g.last_player = player;
      }
    }
    if (!g.ops.empty() && g.ops.front()->channel == channel) {
      complete_front(guild, g, error, std::move(player));
    } else if (error && options.on_error) {
      options.on_error(guild, error);
    }
    try_send(guild, g);
  }

  void time_out(Snowflake guild, std::uint64_t id) {
    if (closed) return;
    const auto it = guilds.find(guild);
    if (it == guilds.end()) return;
    auto& g = it->second;
    if (g.ops.empty() || g.ops.front()->id != id) return;
    const Snowflake channel = g.ops.front()->channel;
    std::string missing;
    if (!g.state || g.state->channel != channel) {
      missing = "no VOICE_STATE_UPDATE of the bot in that channel arrived";
    } else if (!g.server) {
      missing = "no VOICE_SERVER_UPDATE with an endpoint arrived";
    } else if (g.in_flight) {
      missing = "the node did not answer the voice PATCH";
    } else {
      missing = "the voice PATCH was not sent";
    }
    const std::string what = "voice connect of guild " + guild.to_string() + " to channel " +
                             channel.to_string() + " timed out after " +
                             std::to_string(options.timeout.count()) + " ms: " + missing;
    complete_front(guild, g, std::make_exception_ptr(TimeoutError(what, options.timeout)), {});
  }

  void cancel(Snowflake guild, std::uint64_t id) {
    if (closed) return;
    const auto it = guilds.find(guild);
    if (it == guilds.end()) return;
    auto& g = it->second;
    for (auto op = g.ops.begin(); op != g.ops.end(); ++op) {
      if ((*op)->id != id) continue;
      const bool was_front = op == g.ops.begin();
      auto gone = *op;
      g.ops.erase(op);
      finish(*gone, aborted(), {});
      if (!was_front) return;
      if (g.ops.empty()) {
        try_send(guild, g);
      } else {
        activate(guild, g);
      }
      return;
    }
  }

  void complete_front(Snowflake guild, GuildVoice& g, std::exception_ptr error, Player player) {
    auto op = g.ops.front();
    g.ops.pop_front();
    finish(*op, error, std::move(player));
    if (g.ops.empty()) {
      try_send(guild, g);  // a pair held back for the finished join's sake
    } else {
      activate(guild, g);
    }
  }

  void close() {
    if (closed) return;
    closed = true;
    const auto error = aborted();
    auto gone = std::move(guilds);
    guilds.clear();
    for (auto& [guild, g] : gone)
      for (auto& op : g.ops) finish(*op, error, {});
  }

  // Completes one operation through its handler's executor (never inside async_connect: every
  // path here runs from a post to the strand).
  static void finish(ConnectOp& op, std::exception_ptr error, Player player) {
    if (op.timer) op.timer->cancel();
    auto slot = asio::get_associated_cancellation_slot(op.handler);
    if (slot.is_connected()) slot.clear();
    auto handler = std::move(op.handler);
    const auto ex = asio::get_associated_executor(handler, op.work);
    asio::dispatch(ex, [handler = std::move(handler), error, player = std::move(player)]() mutable {
      std::move(handler)(error, std::move(player));
    });
    op.work = asio::any_completion_executor();
  }
};

}  // namespace detail

namespace {

VoiceJoiner::Sender rest_sender(Rest& rest, std::string session_id) {
  return [&rest, session_id = std::move(session_id)](Snowflake guild, VoiceState voice,
                                                     VoiceJoiner::Handler handler) {
    PlayerUpdate update;
    update.voice = std::move(voice);
    rest.update_player(session_id, guild, std::move(update), false, std::move(handler));
  };
}

}  // namespace

VoiceJoiner::VoiceJoiner(executor_type executor, Snowflake bot_user_id, Sender send,
                         VoiceJoinerOptions options) {
  if (!send) throw std::invalid_argument("VoiceJoiner: the sender is empty");
  if (options.timeout.count() <= 0)
    throw std::invalid_argument("VoiceJoinerOptions::timeout must be positive");
  state_ = std::make_shared<detail::VoiceJoinerState>(std::move(executor), bot_user_id,
                                                      std::move(send), std::move(options));
}

VoiceJoiner::VoiceJoiner(executor_type executor, Snowflake bot_user_id, Rest& rest,
                         std::string session_id, VoiceJoinerOptions options)
    : VoiceJoiner(std::move(executor), bot_user_id, rest_sender(rest, std::move(session_id)),
                  std::move(options)) {}

VoiceJoiner::~VoiceJoiner() {
  // The posted close keeps the state alive until it ran; later answers find it closed.
  asio::post(state_->strand, [state = state_] { state->close(); });
}

VoiceJoiner::executor_type VoiceJoiner::get_executor() const noexcept { return state_->strand; }

bool VoiceJoiner::feed(const json::value& dispatch) {
  if (!dispatch.is_object()) return false;
  const auto& o = dispatch.get_object();
  const json::value* type = o.if_contains("t");
  const json::value* data = o.if_contains("d");
  if (!type || !type->is_string() || !data) return false;
  if (type->get_string() == "VOICE_STATE_UPDATE") return feed_voice_state(*data);
  if (type->get_string() == "VOICE_SERVER_UPDATE") return feed_voice_server(*data);
  return false;
}

bool VoiceJoiner::feed(std::string_view dispatch_json) {
  boost::system::error_code ec;
  const auto value = json::parse(dispatch_json, ec);
  if (ec) throw std::invalid_argument("VoiceJoiner::feed: not JSON: " + ec.message());
  return feed(value);
}

bool VoiceJoiner::feed_voice_state(const json::value& data) {
  constexpr std::string_view event = "VOICE_STATE_UPDATE";
  const auto& d = detail::data_object(data, event);
  // Discord sends every member's voice state; only the bot's own concerns its player.
  if (detail::id_field(d, "user_id", event) != state_->user_id) return false;
  const auto guild = detail::id_field(d, "guild_id", event);
  if (!guild) return false;  // a call outside a guild
  detail::VoiceSession session{detail::text_field(d, "session_id", event),
                               detail::id_field(d, "channel_id", event)};
  asio::post(state_->strand, [state = state_, guild = *guild, s = std::move(session)]() mutable {
    state->on_state(guild, std::move(s));
  });
  return true;
}

bool VoiceJoiner::feed_voice_server(const json::value& data) {
  constexpr std::string_view event = "VOICE_SERVER_UPDATE";
  const auto& d = detail::data_object(data, event);
  const auto guild = detail::id_field(d, "guild_id", event);
  if (!guild) throw std::invalid_argument("VOICE_SERVER_UPDATE: \"guild_id\" is missing");
  // Null while Discord allocates a voice server; a real update follows.
  const json::value* endpoint = d.if_contains("endpoint");
  if (!endpoint || endpoint->is_null()) return false;
  detail::VoiceServer server{detail::text_field(d, "token", event),
                             detail::text_field(d, "endpoint", event)};
  asio::post(state_->strand, [state = state_, guild = *guild, s = std::move(server)]() mutable {
    state->on_server(guild, std::move(s));
  });
  return true;
}

void VoiceJoiner::forget(Snowflake guild) {
  asio::post(state_->strand, [state = state_, guild] { state->forget(guild); });
}

void VoiceJoiner::start_connect(Snowflake guild, Snowflake channel, Handler handler) {
  auto work = asio::prefer(
      asio::any_completion_executor(asio::get_associated_executor(handler, state_->strand)),
      asio::execution::outstanding_work.tracked);
  auto op = std::make_shared<detail::ConnectOp>(channel, std::move(handler), std::move(work));
  op->id = ++state_->next_op;
  const std::uint64_t id = op->id;
  // Assigned before the operation reaches the strand, so that its completion (which clears the
  // slot) cannot run first. A cancellation is posted after the operation, so the strand sees
  // them in that order.
  auto slot = asio::get_associated_cancellation_slot(op->handler);
  if (slot.is_connected()) {
    slot.assign([weak = std::weak_ptr(state_), strand = state_->strand, guild,
                 id](asio::cancellation_type type) {
      if ((type & asio::cancellation_type::terminal) == asio::cancellation_type::none) return;
      asio::post(strand, [weak, guild, id] {
        if (const auto self = weak.lock()) self->cancel(guild, id);
      });
    });
  }
  asio::post(state_->strand,
             [state = state_, guild, op = std::move(op)]() mutable { state->connect(guild, op); });
}

}  // namespace cadence::lavalink
