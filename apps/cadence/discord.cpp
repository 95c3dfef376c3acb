// `cadence discord request|batch`: Discord's REST API from the command line, through one
// discord::Rest, so that everything a run sends shares one set of rate limits.
//
// The token comes from DISCORD_TOKEN or --token-file, never from an argument (arguments show up
// in `ps` and shell history). `batch` reads every line before sending, so that its clock
// measures Discord, not the producer of its input.
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "batch_progress.hpp"
#include "cadence/core/clock.hpp"
#include "cadence/core/error.hpp"
#include "cadence/discord/error.hpp"
#include "cadence/discord/rate_limit_observer.hpp"
#include "cadence/discord/rest.hpp"
#include "commands.hpp"
#include "json_output.hpp"
#include "shared_limits_args.hpp"

namespace cadence::app {
namespace {

namespace json = boost::json;
using discord::Method;

constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

/// A mistake in how the tool was called: exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CommonArgs {
  std::string base_url;
  std::string token_file;
  unsigned api_version = 10;
  bool pretty = false;
  double timeout_s = 15;
  /// --deadline: seconds for a whole request (rate-limit waits, every attempt); 0 = none.
  double deadline_s = 0;
};

/// RequestParams::deadline for a request starting now, or none.
std::optional<Clock::time_point> deadline_from_now(const CommonArgs& args) {
  if (args.deadline_s <= 0) return std::nullopt;
  return std::chrono::steady_clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(args.deadline_s));
}

struct RequestArgs {
  std::string method;
  std::string route;
  std::string json;
  std::vector<std::string> form;
  std::vector<std::string> query;
  std::vector<std::string> headers;
  std::string reason;
  /// Whether --reason was given: an empty reason is refused (1-512 characters), not dropped.
  CLI::Option* reason_opt = nullptr;
  std::vector<std::string> files;
  bool no_auth = false;
};

struct BatchArgs {
  std::size_t concurrency = 1000;
  unsigned global_limit = 50;
  bool progress = false;
  SharedLimitsArgs shared;
};

std::string read_whole_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(std::string("cannot read ") + what + " " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

/// DISCORD_TOKEN, or the first line of --token-file; empty when neither is given.
std::string load_token(const CommonArgs& args) {
  if (!args.token_file.empty()) return trim(read_whole_file(args.token_file, "token file"));
  const char* env = std::getenv("DISCORD_TOKEN");
  return env != nullptr ? trim(env) : std::string();
}

discord::RestOptions rest_options(const CommonArgs& args, bool need_token) {
  discord::RestOptions options;
  options.base_url = args.base_url;
  if (options.base_url.empty()) {
    const char* env = std::getenv("DISCORD_API_BASE");
    options.base_url = env != nullptr && *env != '\0' ? env : "https://discord.com/api";
  }
  options.api_version = args.api_version;
  options.token = load_token(args);
  if (need_token && options.token.empty()) {
    throw UsageError("no token: set DISCORD_TOKEN or pass --token-file (or use --no-auth)");
  }
  options.attempt_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(args.timeout_s * 1000));
  return options;
}

Method parse_method_arg(const std::string& text) {
  std::string upper;
  for (const char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto method = http::parse_method(upper);
  if (!method || *method == Method::head || *method == Method::options) {
    throw UsageError("method must be GET, POST, PUT, PATCH or DELETE, not '" + text + "'");
  }
  return *method;
}

std::pair<std::string, std::string> split_pair(const std::string& text, char separator,
                                               const char* flag) {
  const auto at = text.find(separator);
  if (at == std::string::npos || at == 0) {
    throw UsageError(std::string(flag) + " expects KEY" + separator + "VALUE, got '" + text + "'");
  }
  return {text.substr(0, at), text.substr(at + 1)};
}

/// --json BODY: the JSON itself, @PATH for a file, or - for stdin.
json::value parse_json_arg(const std::string& text) {
  std::string source = text;
  if (text == "-") {
    source.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else if (!text.empty() && text.front() == '@') {
    source = read_whole_file(text.substr(1), "JSON file");
  }
  std::error_code ec;
  json::value value = json::parse(source, ec);
  if (ec) throw UsageError("--json is not valid JSON: " + ec.message());
  return value;
}

discord::RequestParams request_params(const RequestArgs& args) {
  discord::RequestParams params;
  if (!args.json.empty()) params.json = parse_json_arg(args.json);
  for (const auto& q : args.query) params.query.push_back(split_pair(q, '=', "--query"));
  for (const auto& f : args.form) params.form.push_back(split_pair(f, '=', "--form"));
  for (const auto& h : args.headers) {
    auto [name, value] = split_pair(h, ':', "--header");
    params.headers.set(name, trim(value));
  }
  if (args.reason_opt != nullptr && args.reason_opt->count() > 0) params.reason = args.reason;
  for (const auto& path : args.files) params.files.push_back(discord::FileUpload::from_path(path));
  params.auth = !args.no_auth;
  return params;
}

/// The batch output's error type: which family of failure, for scripts to branch on.
std::string error_type(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const discord::ApiError&) {
    return "api";
  } catch (const discord::RateLimitedError&) {
    return "rate_limited";
  } catch (const TimeoutError&) {
    return "timeout";
  } catch (const TlsError&) {
    return "tls";
  } catch (const NetworkError&) {
    return "network";
  } catch (const ResponseTooLargeError&) {
    return "too_large";
  } catch (const discord::ResponseFormatError&) {
    return "format";
  } catch (const std::invalid_argument&) {
    return "invalid_argument";
  } catch (const boost::system::system_error& e) {
    return e.code() == boost::asio::error::operation_aborted ? "aborted" : "error";
  } catch (...) {
    return "error";
  }
}

int run_request(const CommonArgs& common, const RequestArgs& args) {
  const Method method = parse_method_arg(args.method);
  discord::RequestParams params = request_params(args);
  boost::asio::io_context io;
  discord::Rest rest(io.get_executor(), rest_options(common, params.auth));

  std::exception_ptr failure;
  json::value answer;
  params.deadline = deadline_from_now(common);
  rest.request(method, args.route, std::move(params),
               [&](std::exception_ptr error, json::value value) {
                 failure = std::move(error);
                 answer = std::move(value);
                 // The Rest keeps timers (bucket sweeping) that would keep run() going.
                 io.stop();
               });
  io.run();
  if (failure) {
    print_error("discord", one_line_message(failure));
    // A route or reason the library refused is the caller's mistake, like a bad flag.
    return error_type(failure) == "invalid_argument" ? exit_usage : exit_failed;
  }
  // 204 (and an empty 2xx body) has nothing to print.
  if (!answer.is_null()) print_json(answer, common.pretty);
  return 0;
}

// ---- batch ----

/// Counts the 429s Discord sent, whatever their scope.
class RateLimitCounter final : public discord::RateLimitObserver {
 public:
  void on_rate_limited(std::string_view, discord::RateLimitScope,
                       std::chrono::milliseconds) override {
    ++count;
  }
  std::uint64_t count = 0;
};

struct BatchJob {
  std::size_t index = 0;
  Method method = Method::get;
  std::string route;
  discord::RequestParams params;
  std::string invalid;  ///< why the line cannot be sent; empty when it can
};

std::string scalar_text(const json::value& value) {
  if (const auto* s = value.if_string()) return std::string(*s);
  return json::serialize(value);
}

BatchJob parse_batch_line(std::size_t index, std::string_view line) {
  BatchJob job;
  job.index = index;
  std::error_code ec;
  const json::value parsed = json::parse(line, ec);
  if (ec || !parsed.is_object()) {
    job.invalid = "line " + std::to_string(index + 1) + " is not a JSON object";
    return job;
  }
  const auto& object = parsed.get_object();
  const auto* method = object.if_contains("method");
  const auto* route = object.if_contains("route");
  if (method == nullptr || !method->is_string() || route == nullptr || !route->is_string()) {
    job.invalid = "line " + std::to_string(index + 1) + " needs string fields method and route";
    return job;
  }
  try {
    job.method = parse_method_arg(std::string(method->get_string()));
  } catch (const UsageError& e) {
    job.invalid = e.what();
    return job;
  }
  job.route = std::string(route->get_string());
  if (const auto* body = object.if_contains("body"); body != nullptr && !body->is_null()) {
    job.params.json = *body;
  }
  if (const auto* query = object.if_contains("query"); query != nullptr) {
    if (const auto* fields = query->if_object()) {
      for (const auto& [key, value] : *fields) {
        job.params.query.emplace_back(std::string(key), scalar_text(value));
      }
    } else if (!query->is_null()) {
      job.invalid = "line " + std::to_string(index + 1) + ": query must be an object";
      return job;
    }
  }
  if (const auto* reason = object.if_contains("reason"); reason != nullptr && reason->is_string()) {
    job.params.reason = std::string(reason->get_string());
  }
  if (const auto* auth = object.if_contains("auth"); auth != nullptr && auth->is_bool()) {
    job.params.auth = auth->get_bool();
  }
  return job;
}

class Batch {
 public:
  Batch(discord::Rest& rest, std::vector<BatchJob> jobs, std::size_t concurrency,
        const CommonArgs& common, std::function<void()> finished)
      : rest_(rest),
        jobs_(std::move(jobs)),
        concurrency_(concurrency == 0 ? 1 : concurrency),
        common_(common),
        finished_(std::move(finished)) {}

  void start() {
    while (in_flight_ < concurrency_ && next_ < jobs_.size()) launch(jobs_[next_++]);
    if (in_flight_ == 0 && next_ == jobs_.size() && finished_) std::exchange(finished_, nullptr)();
  }

  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  [[nodiscard]] std::size_t in_flight() const noexcept { return in_flight_; }

 private:
  void launch(BatchJob& job) {
    if (!job.invalid.empty()) {
      ++failed;
      write_error(job.index, 0, "invalid_input", job.invalid);
      return;
    }
    ++in_flight_;
    const std::size_t index = job.index;
    // Counted from when the line is handed to the rate limiter, not from when it was read: a
    // line held back by --concurrency has not started yet.
    job.params.deadline = deadline_from_now(common_);
    rest_.request_raw(job.method, std::move(job.route), std::move(job.params),
                      [this, index](std::exception_ptr error, http::Response response) {
                        --in_flight_;
                        finish(index, error, response);
                        start();
                      });
  }

  void finish(std::size_t index, const std::exception_ptr& error, const http::Response& response) {
    if (error) {
      ++failed;
      unsigned status = 0;
      try {
        std::rethrow_exception(error);
      } catch (const discord::ApiError& e) {
        status = e.status();
      } catch (...) {
      }
      write_error(index, status, error_type(error), one_line_message(error));
      return;
    }
    if (response.status < 200 || response.status > 299) {
      ++failed;
      const auto api = discord::ApiError::from_response(response.status, response.body);
      write_error(index, response.status, "api", one_line_message(std::make_exception_ptr(api)));
      return;
    }
    std::error_code ec;
    json::value body =
        response.body.empty() ? json::value(nullptr) : json::parse(response.body, ec);
    const auto type = response.headers.get("Content-Type");
    if (ec && type && type->find("json") != std::string_view::npos) {
      // A JSON answer that does not parse was cut or corrupted: a failure, not a string.
      ++failed;
      write_error(index, response.status, "format",
                  one_line_message(std::make_exception_ptr(
                      discord::ResponseFormatError(response.status, *type, response.body))));
      return;
    }
    ++ok;
    json::object line;
    line["index"] = index;
    line["status"] = response.status;
    line["body"] = ec ? json::value(response.body) : std::move(body);
    emit(line);
  }

  // Each answer leaves as soon as it is known, flushed, so that a reader of a pipe sees it at
  // once and a batch killed midway has printed every answer it got.
  static void emit(const json::object& line) {
    print_json(line, false);
    std::fflush(stdout);
  }

  static void write_error(std::size_t index, unsigned status, const std::string& type,
                          const std::string& message) {
    json::object line;
    line["index"] = index;
    line["status"] = status;
    line["error"] = {{"type", type}, {"message", message}};
    emit(line);
  }

  discord::Rest& rest_;
  std::vector<BatchJob> jobs_;
  std::size_t concurrency_;
  const CommonArgs& common_;
  std::size_t next_ = 0;
  std::size_t in_flight_ = 0;
  std::function<void()> finished_;
};

int run_batch(const CommonArgs& common, const BatchArgs& args) {
  std::vector<BatchJob> jobs;
  bool any_auth = false;
  std::size_t index = 0;
  for (std::string line; std::getline(std::cin, line);) {
    if (trim(line).empty()) continue;
    jobs.push_back(parse_batch_line(index++, line));
    any_auth = any_auth || (jobs.back().invalid.empty() && jobs.back().params.auth);
  }

  auto counter = std::make_shared<RateLimitCounter>();
  discord::RestOptions options = rest_options(common, any_auth);
  options.limiter.observer = counter;
  options.limiter.global_limit = args.global_limit;
  boost::asio::io_context io;
  std::shared_ptr<shared_limits::RedisLimitStore> store;
  try {
    if (auto shared = shared_limits_options(args.shared, args.global_limit)) {
      if (options.token.empty())
        throw UsageError("--redis needs the token (DISCORD_TOKEN or --token-file)");
      store = start_store(io.get_executor(), std::move(*shared), options.token);
    }
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  options.limiter.store = store;
  auto rest = std::make_unique<discord::Rest>(io.get_executor(), std::move(options));

  const std::size_t requests = jobs.size();
  const auto started = std::chrono::steady_clock::now();
  // The Rest keeps timers (bucket sweeping) and the store a connection that would keep run()
  // going; the store first hears how the last requests ended, or their slots stay held.
  Batch batch(*rest, std::move(jobs), args.concurrency, common, [&io, store] {
    if (!store) {
      io.stop();
      return;
    }
    store->drain(std::chrono::seconds(2), [&io] { io.stop(); });
  });
  std::optional<BatchProgress> progress;
  if (args.progress) {
    progress.emplace(io.get_executor(), stderr, ::isatty(STDERR_FILENO) == 1, [&] {
      return BatchCounts{requests, batch.ok, batch.failed, batch.in_flight(), counter->count};
    });
    progress->start();
  }
  batch.start();
  io.run();
  if (progress) progress->stop();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  std::fflush(stdout);

  json::object summary;
  summary["requests"] = requests;
  summary["ok"] = batch.ok;
  summary["failed"] = batch.failed;
  summary["rate_limited_429"] = counter->count;
  summary["elapsed_s"] = elapsed.count();
  if (store) {
    const auto s = store->stats();
    summary["shared_limits"] = {{"admitted", s.admitted},
                                {"admitted_locally", s.admitted_local},
                                {"waits", s.waits},
                                {"refused", s.refused},
                                {"redis_commands", s.redis_commands},
                                {"admit_p50_us", s.admit_p50_us},
                                {"admit_p99_us", s.admit_p99_us}};
  }
  std::fprintf(stderr, "%s\n", json::serialize(summary).c_str());
  // The Rest and the store close their connections on the io_context: let them finish before
  // it goes.
  rest.reset();
  store.reset();
  io.restart();
  for (int round = 0; round < 1000 && io.poll() > 0; ++round) {
  }
  return batch.failed == 0 ? 0 : exit_failed;
}

/// Runs `body`, turning a usage mistake into exit code 2 and anything else into exit code 1,
/// each with one line on stderr.
template <class Body>
int guarded(Body body) {
  try {
    return body();
  } catch (const UsageError& e) {
    print_error("discord", e.what());
    return exit_usage;
  } catch (const std::invalid_argument& e) {
    print_error("discord", e.what());
    return exit_usage;
  }
}

void add_common(CLI::App& command, CommonArgs& args) {
  command.add_option("--base-url", args.base_url,
                     "API base including /api (default $DISCORD_API_BASE or "
                     "https://discord.com/api)");
  command
      .add_option("--token-file", args.token_file,
                  "read the bot token from this file instead of $DISCORD_TOKEN")
      ->check(CLI::ExistingFile);
  command.add_option("--api-version", args.api_version, "Discord API version")
      ->capture_default_str();
  command.add_option("--timeout", args.timeout_s, "seconds per attempt (fractions allowed)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      .add_option("--deadline", args.deadline_s,
                  "seconds for a whole request, rate-limit waits and resends included (default: "
                  "none); a known wait past it fails at once")
      ->check(CLI::PositiveNumber);
  command.add_flag("--pretty", args.pretty, "indent the JSON output");
}

}  // namespace

void register_discord(CLI::App& app, Commands& commands) {
  auto* discord = app.add_subcommand("discord", "Send requests to Discord's REST API");
  discord->require_subcommand(1);
  auto common = std::make_shared<CommonArgs>();

  auto request_args = std::make_shared<RequestArgs>();
  auto* request = discord->add_subcommand("request", "Send one request and print the answer");
  request->add_option("method", request_args->method, "GET, POST, PUT, PATCH or DELETE")
      ->required();
  request->add_option("route", request_args->route, "e.g. /channels/123/messages")->required();
  request->add_option("--json", request_args->json, "JSON body; @FILE reads a file, - stdin");
  request->add_option("--form", request_args->form, "form field KEY=VALUE (repeatable)");
  request->add_option("--query", request_args->query, "query parameter KEY=VALUE (repeatable)");
  request->add_option("--header", request_args->headers, "extra header NAME:VALUE (repeatable)");
  request_args->reason_opt =
      request->add_option("--reason", request_args->reason, "audit-log reason (1-512 characters)");
  request->add_option("--file", request_args->files, "upload a file (repeatable)")
      ->check(CLI::ExistingFile);
  request->add_flag("--no-auth", request_args->no_auth,
                    "send without the token (webhooks executed by token)");
  add_common(*request, *common);
  request->footer(
      "Prints the answer as JSON (nothing for 204). Exit 1 with one line on stderr "
      "when Discord answers an error.\nExample:\n  DISCORD_TOKEN=... cadence discord request POST "
      "/channels/123/messages --json '{\"content\":\"hi\"}' --timeout 2.5 --deadline 10");
  request->callback([&commands, common, request_args] {
    commands.run = [common, request_args] {
      return guarded([&] { return run_request(*common, *request_args); });
    };
  });

  auto batch_args = std::make_shared<BatchArgs>();
  auto* batch = discord->add_subcommand(
      "batch", "Send JSON lines from stdin through one rate limiter, answers as JSON lines");
  batch
      ->add_option("--concurrency", batch_args->concurrency,
                   "requests handed to the rate limiter at once")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  batch
      ->add_option("--global-limit", batch_args->global_limit,
                   "the bot's global requests per second")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  batch->add_flag("--progress", batch_args->progress,
                  "show done / in flight / 429s on stderr while it runs (one line redrawn on a "
                  "terminal, a line a second otherwise)");
  add_shared_limits_options(*batch, batch_args->shared);
  add_common(*batch, *common);
  batch->footer(
      "Input lines: {\"method\",\"route\",\"body\"?,\"query\"?,\"reason\"?,\"auth\"?}. Output, "
      "in completion order: {\"index\",\"status\",\"body\"} or {\"index\",\"status\","
      "\"error\":{\"type\",\"message\"}} (status 0: no HTTP answer). Summary on stderr: "
      "{\"requests\",\"ok\",\"failed\",\"rate_limited_429\",\"elapsed_s\"}. --deadline counts "
      "from when a line is handed to the rate limiter.\nExample:\n  "
      "DISCORD_TOKEN=... cadence discord batch --deadline 30 < requests.jsonl > answers.jsonl");
  batch->callback([&commands, common, batch_args] {
    commands.run = [common, batch_args] {
      return guarded([&] { return run_batch(*common, *batch_args); });
    };
  });
  // After the subcommands, so that they keep their own footers.
  discord->footer(
      "The token comes from DISCORD_TOKEN or --token-file, never from an argument.\nExample:\n  "
      "DISCORD_TOKEN=... cadence discord request GET /users/@me");
}

}  // namespace cadence::app
