#include <gtest/gtest.h>

#include <string>

#include "cadence/redis/error.hpp"
#include "cadence/redis/reply.hpp"
#include "cadence/redis/script.hpp"
#include "redis/command_encoding.hpp"
#include "redis/reply_reader.hpp"

namespace cadence::redis {
namespace {

using detail::ReplyReader;

Reply read_one(std::string_view bytes) {
  ReplyReader reader;
  reader.feed(bytes.data(), bytes.size());
  auto r = reader.next();
  EXPECT_TRUE(r.has_value());
  EXPECT_FALSE(reader.next().has_value());
  return r.value_or(Reply());
}

TEST(RedisReply, AccessorsCheckTheType) {
  const auto n = Reply::make_integer(42);
  EXPECT_EQ(n.integer(), 42);
  EXPECT_THROW((void)n.string(), ReplyTypeError);
  EXPECT_THROW((void)n.array(), ReplyTypeError);
  const auto s = Reply::make_status("OK");
  EXPECT_EQ(s.string(), "OK");
  EXPECT_THROW((void)s.integer(), ReplyTypeError);
  const auto e = Reply::make_error("ERR nope");
  EXPECT_TRUE(e.is_error());
  EXPECT_EQ(e.string(), "ERR nope");
  EXPECT_THROW(e.throw_if_error(), ServerError);
  EXPECT_NO_THROW(s.throw_if_error());
  EXPECT_TRUE(Reply().is_nil());
  EXPECT_THROW((void)Reply().integer(), ReplyTypeError);
}

TEST(RedisReply, ReaderBuildsEveryType) {
  EXPECT_EQ(read_one(":-7\r\n"), Reply::make_integer(-7));
  EXPECT_EQ(read_one("+OK\r\n"), Reply::make_status("OK"));
  EXPECT_EQ(read_one("-ERR bad\r\n"), Reply::make_error("ERR bad"));
  EXPECT_EQ(read_one(std::string("$5\r\na\0b\r\n\r\n", 11)),
            Reply::make_string(std::string("a\0b\r\n", 5)));
  EXPECT_EQ(read_one("$-1\r\n"), Reply());
  EXPECT_EQ(read_one("*-1\r\n"), Reply());
  EXPECT_EQ(read_one("*0\r\n"), Reply::make_array({}));
  EXPECT_EQ(read_one("*3\r\n:1\r\n*2\r\n$1\r\nx\r\n$-1\r\n-E\r\n"),
            Reply::make_array({Reply::make_integer(1),
                               Reply::make_array({Reply::make_string("x"), Reply()}),
                               Reply::make_error("E")}));
}

TEST(RedisReply, ReaderWaitsForWholeRepliesAcrossFeeds) {
  const std::string bytes = "*2\r\n$3\r\nabc\r\n:12\r\n+PONG\r\n";
  ReplyReader reader;
  std::vector<Reply> got;
  for (char c : bytes) {
    reader.feed(&c, 1);
    while (auto r = reader.next()) got.push_back(std::move(*r));
  }
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0], Reply::make_array({Reply::make_string("abc"), Reply::make_integer(12)}));
  EXPECT_EQ(got[1], Reply::make_status("PONG"));
}

TEST(RedisReply, ReaderRefusesWhatIsNotResp) {
  ReplyReader a;
  a.feed("HTTP/1.1 200 OK\r\n", 17);
  EXPECT_THROW((void)a.next(), detail::ProtocolError);
  // An array length that does not fit an int: refused, never indexed past the slots.
  ReplyReader b;
  const std::string huge = "*4294967297\r\n:1\r\n:2\r\n";
  b.feed(huge.data(), huge.size());
  EXPECT_THROW((void)b.next(), detail::ProtocolError);
  ReplyReader c;
  c.feed("*-5\r\n", 5);
  EXPECT_THROW((void)c.next(), detail::ProtocolError);
}

TEST(RedisReply, CommandsAreArraysOfBulkStrings) {
  std::string out;
  detail::append_command(out, {"SET", "k", std::string("v\0\r\n", 4)});
  EXPECT_EQ(out, std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\nv\0\r\n\r\n", 30));
}

TEST(RedisScript, Sha1IsWhatRedisUses) {
  const Script s("return 1");
  EXPECT_EQ(s.sha1(), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
  EXPECT_EQ(s.text(), "return 1");
  const Script copy = s;
  EXPECT_EQ(&copy.text(), &s.text());  // copies share the text
}

}  // namespace
}  // namespace cadence::redis
