// How the CLI writes JSON and errors: compact one-line JSON by default (easy to pipe into jq or
// a script), indented with --pretty, and every failure as one line on stderr.
#pragma once

#include <boost/json/value.hpp>
#include <exception>
#include <string>

namespace cadence::app {

/// `value` as JSON: one line, or indented by two spaces when `pretty`.
[[nodiscard]] std::string format_json(const boost::json::value& value, bool pretty);

/// Writes format_json(value, pretty) and a newline to stdout.
void print_json(const boost::json::value& value, bool pretty);

/// The exception's message on one line (line breaks become "; "), never empty.
[[nodiscard]] std::string one_line_message(const std::exception_ptr& error);

/// Writes "cadence: <context>: <message>" to stderr as one line.
void print_error(const std::string& context, const std::string& message);

}  // namespace cadence::app
