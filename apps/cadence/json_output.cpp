#include "json_output.hpp"

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <stdexcept>

namespace cadence::app {
namespace {

void indent(std::string& out, int depth) {
  out += '\n';
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
}

// Boost.JSON only writes compact text; scalars still go through its serializer so that string
// escaping and number formatting stay exactly Boost's.
void write_pretty(std::string& out, const boost::json::value& value, int depth) {
  if (const auto* object = value.if_object(); object != nullptr && !object->empty()) {
    out += '{';
    bool first = true;
    for (const auto& [key, member] : *object) {
      if (!first) out += ',';
      first = false;
      indent(out, depth + 1);
      out += boost::json::serialize(boost::json::string_view(key));
      out += ": ";
      write_pretty(out, member, depth + 1);
    }
    indent(out, depth);
    out += '}';
  } else if (const auto* array = value.if_array(); array != nullptr && !array->empty()) {
    out += '[';
    bool first = true;
    for (const auto& element : *array) {
      if (!first) out += ',';
      first = false;
      indent(out, depth + 1);
      write_pretty(out, element, depth + 1);
    }
    indent(out, depth);
    out += ']';
  } else {
    out += boost::json::serialize(value);
  }
}

}  // namespace

std::string format_json(const boost::json::value& value, bool pretty) {
  if (!pretty) return boost::json::serialize(value);
  std::string out;
  write_pretty(out, value, 0);
  return out;
}

void print_json(const boost::json::value& value, bool pretty) {
  std::string text = format_json(value, pretty);
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stdout);
}

std::string one_line_message(const std::exception_ptr& error) {
  std::string message;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
    message = "unknown error";
  }
  std::string out;
  out.reserve(message.size());
  for (const char c : message) {
    if (c == '\n') {
      out += "; ";
    } else if (c != '\r') {
      out += c;
    }
  }
  if (out.empty()) out = "unknown error";
  return out;
}

void print_error(const std::string& context, const std::string& message) {
  std::fprintf(stderr, "cadence: %s: %s\n", context.c_str(), message.c_str());
}

}  // namespace cadence::app
