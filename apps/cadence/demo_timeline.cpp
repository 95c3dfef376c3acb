#include "demo_timeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <set>

namespace cadence::app::demo {
namespace {

constexpr double label_width = 300;
constexpr double plot_width = 900;
constexpr double lane_height = 20;
constexpr double top = 40;

std::string escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

double ms_since(Clock::time_point start, Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(t - start).count();
}

}  // namespace

std::vector<std::string> Timeline::buckets() const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& m : marks)
    if (seen.insert(m.bucket).second) out.push_back(m.bucket);
  return out;
}

std::string render_svg(const Timeline& timeline) {
  const double span = std::max(1.0, ms_since(timeline.start, timeline.end));
  const auto x_of = [&](double ms) {
    return label_width + std::clamp(ms, 0.0, span) / span * plot_width;
  };
  const auto lanes = timeline.buckets();
  const double height = top + lane_height * static_cast<double>(lanes.size()) + 50;
  const double width = label_width + plot_width + 20;

  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" "
      "viewBox=\"0 0 {:.0f} {:.0f}\" font-family=\"monospace\" font-size=\"11\" "
      "data-start-ms=\"0\" data-end-ms=\"{:.1f}\" data-plot-x=\"{:.0f}\" "
      "data-plot-width=\"{:.0f}\">\n"
      "<title>cadence demo: Discord requests per rate-limit bucket</title>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"8\" y=\"16\" font-size=\"13\">cadence demo: {} requests in {} buckets over "
      "{:.1f} s. Mark: request written; grey: waited for a permit; blue band: the bucket's "
      "window (from its headers)</text>\n",
      width, height, width, height, span, label_width, plot_width, timeline.marks.size(),
      lanes.size(), span / 1000.0);

  // One tick per second, so that windows can be read off.
  for (std::int64_t s = 0; static_cast<double>(s) * 1000 <= span; ++s) {
    const double x = x_of(static_cast<double>(s) * 1000);
    svg += fmt::format(
        "<line class=\"tick\" x1=\"{:.1f}\" y1=\"{:.0f}\" x2=\"{:.1f}\" y2=\"{:.0f}\" "
        "stroke=\"#ddd\"/><text x=\"{:.1f}\" y=\"{:.0f}\" text-anchor=\"middle\">{}s</text>\n",
        x, top - 8, x, height - 30, x, height - 16, s);
  }

  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const double y = top + lane_height * static_cast<double>(i);
    std::vector<const RequestMark*> in_lane;
    for (const auto& m : timeline.marks)
      if (m.bucket == lanes[i]) in_lane.push_back(&m);
    std::sort(in_lane.begin(), in_lane.end(),
              [](const RequestMark* a, const RequestMark* b) { return a->sent < b->sent; });
    svg += fmt::format(
        "<g class=\"lane\" data-bucket=\"{}\" data-requests=\"{}\">\n"
        "<rect x=\"0\" y=\"{:.0f}\" width=\"{:.0f}\" height=\"{:.0f}\" fill=\"{}\"/>\n"
        "<text x=\"6\" y=\"{:.0f}\">{} ({})</text>\n",
        escape(lanes[i]), in_lane.size(), y, width, lane_height, i % 2 ? "#fafafa" : "#f2f2f2",
        y + 14, escape(in_lane.front()->label), escape(lanes[i].substr(0, 8)));

    // Windows as the client learned them: one opens with the first request sent after the last
    // one closed, and closes when that request's answer said the bucket resets.
    Clock::time_point window_end{};
    for (const auto* m : in_lane) {
      if (m->reset_after.count() < 0 || m->sent < window_end) continue;
      window_end = m->answered + m->reset_after;
      svg += fmt::format(
          "<rect class=\"window\" x=\"{:.1f}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"{:.0f}\" "
          "fill=\"#cfe3ff\" stroke=\"#7aa7e0\"/>\n",
          x_of(ms_since(timeline.start, m->sent)), y + 3,
          std::max(1.0, x_of(ms_since(timeline.start, window_end)) -
                            x_of(ms_since(timeline.start, m->sent))),
          lane_height - 6);
    }
    for (const auto* m : in_lane) {
      const double issued = ms_since(timeline.start, m->issued);
      const double sent = ms_since(timeline.start, m->sent);
      if (sent - issued >= 1)
        svg += fmt::format(
            "<line class=\"wait\" x1=\"{:.1f}\" y1=\"{:.0f}\" x2=\"{:.1f}\" y2=\"{:.0f}\" "
            "stroke=\"#bbb\"/>\n",
            x_of(issued), y + lane_height / 2, x_of(sent), y + lane_height / 2);
      svg += fmt::format(
          "<line class=\"request\" data-bucket=\"{}\" data-t=\"{:.1f}\" data-status=\"{}\" "
          "x1=\"{:.1f}\" y1=\"{:.0f}\" x2=\"{:.1f}\" y2=\"{:.0f}\" stroke=\"{}\" "
          "stroke-width=\"1.5\"/>\n",
          escape(m->bucket), sent, m->status, x_of(sent), y + 2, x_of(sent), y + lane_height - 2,
          m->status == 429 ? "red" : (m->status < 300 ? "#1a7f37" : "#b35900"));
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace cadence::app::demo
