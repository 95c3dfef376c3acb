#include "cadence/http/multipart.hpp"

#include <gtest/gtest.h>

namespace {

using cadence::http::Multipart;

TEST(Multipart, QuotesABoundaryThatIsNotAToken) {
  EXPECT_EQ(Multipart("a'+_-.z").content_type(), "multipart/form-data; boundary=a'+_-.z");
  EXPECT_EQ(Multipart("a(b):c=d?").content_type(), "multipart/form-data; boundary=\"a(b):c=d?\"");
}

TEST(Multipart, BuildsJsonAndFileParts) {
  Multipart form("b0und");
  form.add_json("payload_json", R"({"content":"hi"})");
  form.add_file("files[0]", "a.png", "image/png", std::string("\x89PNG\0x", 6));
  EXPECT_EQ(form.content_type(), "multipart/form-data; boundary=b0und");
  const auto body = std::move(form).finish();
  const std::string expected =
      "--b0und\r\n"
      "Content-Disposition: form-data; name=\"payload_json\"\r\n"
      "Content-Type: application/json\r\n\r\n"
      "{\"content\":\"hi\"}\r\n"
      "--b0und\r\n"
      "Content-Disposition: form-data; name=\"files[0]\"; filename=\"a.png\"\r\n"
      "Content-Type: image/png\r\n\r\n" +
      std::string("\x89PNG\0x", 6) +
      "\r\n"
      "--b0und--\r\n";
  EXPECT_EQ(body, expected);
}

TEST(Multipart, RandomBoundariesDiffer) {
  EXPECT_NE(Multipart().boundary(), Multipart().boundary());
}

TEST(Multipart, RefusesHeaderInjectionThroughNamesAndFileNames) {
  Multipart form;
  EXPECT_THROW(form.add_file("f", "a\r\nX-Evil: 1", "", "x"), std::invalid_argument);
  EXPECT_THROW(form.add_file("f", "a\".png", "", "x"), std::invalid_argument);
  EXPECT_THROW(form.add_field("n\n", "v"), std::invalid_argument);
  EXPECT_THROW(form.add_file("f", "", "", "x"), std::invalid_argument);
  EXPECT_THROW(Multipart("bad boundary"), std::invalid_argument);
}

TEST(Multipart, DefaultsFileContentTypeToOctetStream) {
  Multipart form("b");
  form.add_file("f", "blob", "", "x");
  EXPECT_NE(std::move(form).finish().find("Content-Type: application/octet-stream"),
            std::string::npos);
}

TEST(Multipart, GuessesContentTypesFromExtensions) {
  EXPECT_EQ(cadence::http::content_type_for("x.PNG"), "image/png");
  EXPECT_EQ(cadence::http::content_type_for("song.mp3"), "audio/mpeg");
  EXPECT_EQ(cadence::http::content_type_for("noext"), "application/octet-stream");
}

}  // namespace
