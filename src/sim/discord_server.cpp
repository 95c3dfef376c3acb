#include "cadence/sim/discord_server.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sim/discord_responses.hpp"
#include "sim/discord_server_impl.hpp"

namespace cadence::sim {
namespace {

std::string_view reason_phrase(unsigned status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

// "/api/v10/channels/1" -> "/channels/1"; also "/api/channels/1" (Discord routes a missing
// version to its default). Empty when the path is not an API path.
std::string_view api_path(std::string_view path) {
  constexpr std::string_view prefix = "/api";
  if (path.substr(0, prefix.size()) != prefix) return {};
  path.remove_prefix(prefix.size());
  if (path.size() > 2 && path.substr(0, 2) == "/v" && path[2] >= '0' && path[2] <= '9') {
    std::size_t i = 2;
    while (i < path.size() && path[i] >= '0' && path[i] <= '9') ++i;
    if (i == path.size() || path[i] == '/') path.remove_prefix(i);
  }
  if (path.size() < 2 || path.front() != '/') return {};
  return path;
}

HttpServerOptions http_options(const DiscordServerOptions& options) {
  HttpServerOptions http;
  http.address = options.address;
  http.port = options.port;
  return http;
}

}  // namespace

DiscordServer::Impl::Impl(const boost::asio::any_io_executor& executor, DiscordServerOptions opts)
    : options(std::move(opts)),
      limits(options.routes ? *options.routes : RouteTable::builtin(), options.limits),
      rng(options.seed),
      executor(executor),
      server(executor, http_options(options),
             HttpServer::AsyncHandler([this](HttpRequest request, Responder responder) {
               handle_async(std::move(request), std::move(responder));
             })) {
  options.routes.reset();
}

void DiscordServer::Impl::handle_async(HttpRequest request, Responder responder) {
  std::chrono::milliseconds delay{0};
  if (!request.path.starts_with("/__sim/")) {
    std::lock_guard lock(mutex);
    if (options.accounting_jitter.count() > 0) {
      std::uniform_int_distribution<std::int64_t> pick(0, options.accounting_jitter.count());
      delay = std::chrono::milliseconds(pick(rng));
      if (delay.count() > 0) ++stats.awaiting_accounting;
    }
  }
  if (delay.count() == 0) {
    responder.send(handle(request));
    return;
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(executor, delay);
  std::lock_guard life_lock(lifeline->mutex);
  if (!lifeline->alive) return;
  lifeline->timers.push_back(timer);
  timer->async_wait([this, timer, life = lifeline, request = std::move(request),
                     responder = std::move(responder)](const boost::system::error_code&) mutable {
    std::lock_guard lock(life->mutex);
    std::erase(life->timers, timer);
    if (!life->alive) return;  // stopped: the connection is closed, nothing to answer
    {
      std::lock_guard stats_lock(mutex);
      --stats.awaiting_accounting;
    }
    responder.send(handle(request));
  });
}

void DiscordServer::Impl::stop() {
  {
    std::lock_guard lock(lifeline->mutex);
    lifeline->alive = false;
    // Cancelled on the executor (timers are not thread-safe objects); their handlers see a
    // dead lifeline and touch nothing else.
    boost::asio::post(executor, [timers = std::move(lifeline->timers)] {
      for (const auto& t : timers) t->cancel();
    });
    lifeline->timers.clear();
  }
  server.stop();
}

HttpResponse DiscordServer::Impl::handle(const HttpRequest& request) {
  std::lock_guard lock(mutex);
  if (request.path.starts_with("/__sim/")) return handle_control(request);
  const auto path = api_path(request.path);
  ++stats.requests;
  ++stats.in_flight;
  stats.in_flight_peak = std::max(stats.in_flight_peak, stats.in_flight);
  HttpResponse response =
      path.empty() ? detail::discord_error(404, "404: Not Found", 0) : handle_api(request, path);
  if (path.empty()) ++stats.not_found;
  finish(response);
  response.on_done = [this] {
    std::lock_guard done_lock(mutex);
    --stats.in_flight;
  };
  return response;
}

void DiscordServer::Impl::finish(HttpResponse& response) {
  if (response.action != HttpAction::respond) return;
  if (response.status >= 200 && response.status < 300) ++stats.responses_2xx;
  if (response.status >= 400 && response.status < 500) ++stats.responses_4xx;
  if (response.status >= 500) ++stats.responses_5xx;
}

std::optional<DiscordFault> DiscordServer::Impl::random_fault() {
  if (options.random_fault_rate <= 0) return std::nullopt;
  if (std::uniform_real_distribution<double>(0, 1)(rng) >= options.random_fault_rate) {
    return std::nullopt;
  }
  DiscordFault f;
  switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 0:
      f.kind = DiscordFault::Kind::reset;
      break;
    case 1: {
      static constexpr unsigned statuses[] = {500, 502, 503};
      f.kind = DiscordFault::Kind::status;
      f.status = statuses[std::uniform_int_distribution<int>(0, 2)(rng)];
      break;
    }
    case 2:
      f.kind = DiscordFault::Kind::drop;
      break;
    default:
      f.kind = DiscordFault::Kind::drop;
      f.status = truncate_marker;
      break;
  }
  return f;
}

std::optional<DiscordFault> DiscordServer::Impl::take_fault(std::string_view path) {
  for (auto it = faults.begin(); it != faults.end(); ++it) {
    if (!it->path.empty() && path.find(it->path) == std::string_view::npos) continue;
    DiscordFault fault = *it;
    if (--it->count == 0) faults.erase(it);
    return fault;
  }
  return std::nullopt;
}

HttpResponse DiscordServer::Impl::handle_api(const HttpRequest& request, std::string_view path) {
  const auto now = std::chrono::steady_clock::now();
  auto fault = take_fault(path);
  if (!fault) fault = random_fault();
  if (fault) {
    ++stats.faults;
    switch (fault->kind) {
      case DiscordFault::Kind::status: {
        const auto status = fault->status;
        if (status == 401 || status == 403 || status == 429)
          limits.record_invalid(request.remote_address, now);
        auto response = detail::discord_error(
            status, std::to_string(status) + ": " + std::string(reason_phrase(status)), 0);
        response.delay = options.latency + fault->delay;
        return response;
      }
      case DiscordFault::Kind::close:
      case DiscordFault::Kind::reset:
        return HttpResponse::drop(options.latency + fault->delay,
                                  fault->kind == DiscordFault::Kind::reset);
      case DiscordFault::Kind::drop:
      case DiscordFault::Kind::delay:
        break;
    }
  }

  LimitRequest in;
  in.method = request.method;
  in.path = path;
  const auto authorization = request.header("Authorization");
  in.has_authorization = authorization.has_value();
  in.authorization = authorization.value_or("");
  in.body = request.body;
  in.client = request.remote_address;
  const auto decision = limits.decide(in, now);

  HttpResponse response;
  using Outcome = LimitDecision::Outcome;
  switch (decision.outcome) {
    case Outcome::banned:
      ++stats.banned_responses;
      response = detail::banned();
      break;
    case Outcome::not_found:
      ++stats.not_found;
      response = detail::discord_error(404, "404: Not Found", 0);
      break;
    case Outcome::method_not_allowed:
      response = detail::discord_error(405, "405: Method Not Allowed", 0);
      break;
    case Outcome::unauthorized:
      ++stats.unauthorized;
      response = detail::discord_error(401, "401: Unauthorized", 0);
      break;
    case Outcome::rate_limited:
      switch (decision.scope) {
        case LimitScope::user:
          ++stats.rate_limited_user;
          if (decision.sublimit) ++stats.rate_limited_sublimit;
          break;
        case LimitScope::global:
          ++stats.rate_limited_global;
          break;
        case LimitScope::shared:
          ++stats.rate_limited_shared;
          break;
      }
      response = detail::rate_limited(decision);
      break;
    case Outcome::ok: {
      const auto made = objects.make(decision.match, request);
      if (made.invalid_body) {
        response = detail::discord_error(400, "The request body contains invalid JSON.", 50109);
      } else if (made.json.empty()) {
        response = HttpResponse::empty(made.status == 200 ? 204 : made.status);
        detail::add_discord_headers(response);
      } else {
        response = HttpResponse::json(made.status, made.json);
        detail::add_discord_headers(response);
      }
      if (made.created) ++stats.messages_created;
      if (made.repeated) ++stats.nonce_repeats;
      detail::add_bucket_headers(response, decision);
      break;
    }
  }
  if (decision.match.route) {
    ++stats.routes[decision.match.route->method + " " + decision.match.route->path];
    auto& bucket = stats.buckets[decision.bucket_key];
    ++bucket.requests;
    if (decision.outcome == Outcome::ok) ++bucket.ok;
    if (decision.outcome == Outcome::rate_limited) ++bucket.rate_limited;
  }
  response.delay = options.latency;
  if (fault && fault->kind == DiscordFault::Kind::delay) response.delay += fault->delay;
  if (fault && fault->kind == DiscordFault::Kind::drop) {
    response.delay += fault->delay;
    if (fault->status == truncate_marker && !response.body.empty()) {
      // truncate_after counts the head too, so as many bytes as the body holds always stop
      // short of the end: inside the body for long answers, inside the head for short ones.
      response.action = HttpAction::truncate;
      response.truncate_after = response.body.size();
    } else {
      response.action = HttpAction::close;
    }
  }
  return response;
}

DiscordServerStats DiscordServer::Impl::snapshot() const {
  DiscordServerStats s = stats;
  const auto now = std::chrono::steady_clock::now();
  s.invalid_requests = limits.invalid_requests_total(now);
  s.banned = limits.any_banned(now);
  return s;
}

void DiscordServer::Impl::reset(bool keep_state) {
  const auto in_flight = stats.in_flight;
  const auto awaiting = stats.awaiting_accounting;
  stats = DiscordServerStats{};
  stats.in_flight = in_flight;
  stats.awaiting_accounting = awaiting;
  stats.in_flight_peak = in_flight;
  if (keep_state) return;
  limits.reset();
  objects.reset();
  faults.clear();
}

void DiscordServer::Impl::configure(LimitsConfig config) { limits.configure(std::move(config)); }

DiscordServer::DiscordServer(boost::asio::io_context& io, DiscordServerOptions options)
    : DiscordServer(boost::asio::any_io_executor(io.get_executor()), std::move(options)) {}

DiscordServer::DiscordServer(const boost::asio::any_io_executor& executor,
                             DiscordServerOptions options)
    : impl_(std::make_unique<Impl>(executor, std::move(options))) {}

DiscordServer::~DiscordServer() { stop(); }

std::uint16_t DiscordServer::port() const noexcept { return impl_->server.port(); }

std::string DiscordServer::base_url() const {
  const auto& address = impl_->server.address();
  const bool v6 = address.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port()) + "/api";
}

void DiscordServer::stop() { impl_->stop(); }

DiscordServerStats DiscordServer::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->snapshot();
}

void DiscordServer::reset(bool keep_state) {
  std::lock_guard lock(impl_->mutex);
  impl_->reset(keep_state);
}

void DiscordServer::mark_busy(std::string resource, std::chrono::milliseconds duration,
                              std::string bucket_hash) {
  std::lock_guard lock(impl_->mutex);
  impl_->limits.mark_busy(std::move(resource), std::chrono::steady_clock::now() + duration,
                          std::move(bucket_hash));
}

void DiscordServer::inject_fault(DiscordFault fault) {
  if (fault.count == 0) return;
  std::lock_guard lock(impl_->mutex);
  impl_->faults.push_back(std::move(fault));
}

void DiscordServer::clear_faults() {
  std::lock_guard lock(impl_->mutex);
  impl_->faults.clear();
}

LimitsConfig DiscordServer::limits() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->limits.config();
}

void DiscordServer::configure(LimitsConfig limits) {
  std::lock_guard lock(impl_->mutex);
  impl_->configure(std::move(limits));
}

void DiscordServer::set_latency(std::chrono::milliseconds latency) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.latency = latency;
}

void DiscordServer::set_accounting_jitter(std::chrono::milliseconds jitter) {
  std::lock_guard lock(impl_->mutex);
  impl_->options.accounting_jitter = jitter;
}

}  // namespace cadence::sim
