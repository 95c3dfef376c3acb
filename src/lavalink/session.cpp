#include "cadence/lavalink/session.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const SessionUpdate& update) {
  boost::json::object o;
  if (update.resuming) o.emplace("resuming", *update.resuming);
  if (update.timeout) o.emplace("timeout", update.timeout->count());
  jv = std::move(o);
}

SessionUpdate tag_invoke(const boost::json::value_to_tag<SessionUpdate>&,
                         const boost::json::value& jv) {
  const detail::Path root;
  const detail::ObjectReader r(jv, root);
  SessionUpdate u;
  u.resuming = r.opt_bool("resuming");
  if (const auto t = r.opt_int64("timeout")) u.timeout = std::chrono::seconds(*t);
  return u;
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const SessionState& state) {
  jv = boost::json::object{{"resuming", state.resuming}, {"timeout", state.timeout.count()}};
}

SessionState tag_invoke(const boost::json::value_to_tag<SessionState>&,
                        const boost::json::value& jv) {
  const detail::Path root;
  const detail::ObjectReader r(jv, root);
  return SessionState{r.boolean("resuming"), std::chrono::seconds(r.int64("timeout"))};
}

}  // namespace cadence::lavalink
