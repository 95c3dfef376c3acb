#include "cadence/lavalink/load_result.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cadence/lavalink/error.hpp"

namespace lavalink = cadence::lavalink;
namespace json = boost::json;

namespace {

const char* const track_json = R"json({
  "encoded": "QAAA1QMAPFJpY2sgQXN0bGV5IC0gTmV2ZXIgR29ubmEgR2l2ZSBZb3UgVXAgKE9mZmljaWFsIE11c2ljIFZpZGVvKQALUmljayBBc3RsZXkAAAAAAANACAALZFF3NHc5V2dYY1EAAQAraHR0cHM6Ly93d3cueW91dHViZS5jb20vd2F0Y2g/dj1kUXc0dzlXZ1hjUQEANGh0dHBzOi8vaS55dGltZy5jb20vdmkvZFF3NHc5V2dYY1EvbWF4cmVzZGVmYXVsdC5qcGcAAAd5b3V0dWJlAAAAAAAAAAA=",
  "info": {"identifier": "dQw4w9WgXcQ", "isSeekable": true, "author": "Rick Astley",
           "length": 212000, "isStream": false, "position": 0,
           "title": "Rick Astley - Never Gonna Give You Up (Official Music Video)",
           "uri": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "sourceName": "youtube",
           "artworkUrl": "https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg", "isrc": null},
  "pluginInfo": {"plugin": {"x": 1}},
  "userData": {"requester": "42"}})json";

json::value with_data(const char* type, const std::string& data) {
  return json::parse(std::string(R"({"loadType":")") + type + R"(","data":)" + data + "}");
}

lavalink::BuildError build_error(const json::value& jv) {
  try {
    (void)json::value_to<lavalink::LoadResult>(jv);
  } catch (const lavalink::BuildError& e) {
    return e;
  }
  ADD_FAILURE() << "no BuildError";
  return lavalink::BuildError("", "");
}

}  // namespace

TEST(LoadResult, ParsesTrack) {
  const auto r = json::value_to<lavalink::LoadResult>(with_data("track", track_json));
  const auto* t = std::get_if<lavalink::Track>(&r);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->info.identifier, "dQw4w9WgXcQ");
  EXPECT_EQ(t->info.length, std::chrono::milliseconds(212000));
  EXPECT_FALSE(t->info.isrc);
  EXPECT_EQ(t->user_data.at("requester"), "42");
  EXPECT_EQ(lavalink::load_type(r), "track");
}

TEST(LoadResult, ParsesPlaylist) {
  const auto r = json::value_to<lavalink::LoadResult>(with_data(
      "playlist", std::string(R"({"info":{"name":"Mix","selectedTrack":1},"pluginInfo":{},)") +
                      R"("tracks":[)" + track_json + "," + track_json + "]}"));
  const auto* p = std::get_if<lavalink::Playlist>(&r);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->info.name, "Mix");
  EXPECT_EQ(p->info.selected_track, 1);
  EXPECT_EQ(p->tracks.size(), 2u);
}

TEST(LoadResult, ParsesSearch) {
  const auto r = json::value_to<lavalink::LoadResult>(
      with_data("search", std::string("[") + track_json + "]"));
  const auto* s = std::get_if<lavalink::SearchResult>(&r);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->tracks.size(), 1u);
}

TEST(LoadResult, ParsesEmpty) {
  const auto r = json::value_to<lavalink::LoadResult>(with_data("empty", "{}"));
  EXPECT_TRUE(std::holds_alternative<lavalink::EmptyResult>(r));
}

TEST(LoadResult, ParsesError) {
  const auto r = json::value_to<lavalink::LoadResult>(with_data(
      "error",
      R"({"message":"The uploader has not made this video available in your country.",)"
      R"("severity":"common","cause":"com.sedmelluq...FriendlyException","causeStackTrace":"at x"})"));
  const auto* e = std::get_if<lavalink::Exception>(&r);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->severity, lavalink::Severity::common);
  EXPECT_EQ(e->cause_stack_trace, "at x");
}

TEST(LoadResult, ErrorMessageMayBeNull) {
  const auto r = json::value_to<lavalink::LoadResult>(
      with_data("error", R"({"message":null,"severity":"fault","cause":"x"})"));
  EXPECT_FALSE(std::get<lavalink::Exception>(r).message);
}

TEST(LoadResult, KeepsUnknownLoadTypeRaw) {
  const auto jv = with_data("album", R"({"name":"NodeLink album","tracks":[]})");
  const auto r = json::value_to<lavalink::LoadResult>(jv);
  const auto* u = std::get_if<lavalink::UnknownLoadResult>(&r);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->load_type, "album");
  EXPECT_EQ(u->data.at("name"), "NodeLink album");
  EXPECT_EQ(json::value_from(r), jv);
}

TEST(LoadResult, RoundTripsEveryKnownType) {
  for (const auto& jv :
       {with_data("track", track_json),
        with_data("playlist", std::string(R"({"info":{"name":"P","selectedTrack":-1},)") +
                                  R"("pluginInfo":{"type":"album"},"tracks":[)" + track_json +
                                  "]}"),
        with_data("search", std::string("[") + track_json + "]"), with_data("empty", "{}"),
        with_data("error", R"({"message":"m","severity":"suspicious","cause":"c"})")}) {
    EXPECT_EQ(json::value_from(json::value_to<lavalink::LoadResult>(jv)), jv) << jv;
  }
}

TEST(LoadResult, IgnoresUnknownFields) {
  auto jv = with_data("track", track_json);
  jv.as_object()["extra"] = 1;
  jv.at("data").as_object()["info"].as_object()["newField"] = "x";
  EXPECT_NO_THROW((void)json::value_to<lavalink::LoadResult>(jv));
}

TEST(LoadResult, MissingLoadTypeIsBuildError) {
  EXPECT_EQ(build_error(json::parse(R"({"data":{}})")).path(), "loadType");
}

TEST(LoadResult, BuildErrorNamesNestedField) {
  auto jv = with_data("search", std::string("[") + track_json + "," + track_json + "]");
  jv.at("data").as_array()[1].as_object()["info"].as_object()["length"] = "long";
  const auto e = build_error(jv);
  EXPECT_EQ(e.path(), "data[1].info.length");
  EXPECT_NE(std::string(e.what()).find("got a string"), std::string::npos);
}

TEST(LoadResult, BuildErrorNamesMissingField) {
  auto jv = with_data("playlist", std::string(R"({"info":{"name":"P"},"tracks":[]})"));
  EXPECT_EQ(build_error(jv).path(), "data.info.selectedTrack");
}

TEST(LoadResult, BuildErrorForNonObjectBody) {
  EXPECT_EQ(build_error(json::parse("[]")).path(), "");
}

TEST(LoadResult, KeepsUnknownSeverityRaw) {
  const auto jv = with_data("error", R"({"message":"m","severity":"fatal","cause":"c"})");
  const auto r = json::value_to<lavalink::LoadResult>(jv);
  const auto& e = std::get<lavalink::Exception>(r);
  EXPECT_EQ(e.severity, lavalink::Severity::unknown);
  EXPECT_EQ(e.raw_severity, "fatal");
  EXPECT_EQ(json::value_from(r), jv);
}

TEST(LoadResult, KeepsAnEmptySeverityAsIs) {
  // Found by fuzz/lavalink_models: "" was read as unknown and written back as "unknown".
  const auto jv = with_data("error", R"({"message":"m","severity":"","cause":"c"})");
  const auto r = json::value_to<lavalink::LoadResult>(jv);
  EXPECT_EQ(std::get<lavalink::Exception>(r).severity, lavalink::Severity::unknown);
  EXPECT_EQ(json::value_from(r), jv);
  EXPECT_EQ(json::value_to<lavalink::LoadResult>(json::value_from(r)), r);
}

TEST(LoadResult, BuildErrorForNonStringSeverity) {
  EXPECT_EQ(build_error(with_data("error", R"({"severity":3,"cause":"c"})")).path(),
            "data.severity");
}

TEST(LoadResult, AcceptsUppercaseSeverity) {
  const auto r = json::value_to<lavalink::LoadResult>(
      with_data("error", R"({"message":"m","severity":"SUSPICIOUS","cause":"c"})"));
  EXPECT_EQ(std::get<lavalink::Exception>(r).severity, lavalink::Severity::suspicious);
}
