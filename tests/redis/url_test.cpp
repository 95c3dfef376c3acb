#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "cadence/redis/options.hpp"
#include "support/test_certs.hpp"

namespace cadence::redis {
namespace {

std::string refusal(std::string_view url) {
  try {
    (void)parse_url(url);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << url;
  return {};
}

TEST(RedisUrl, HostPortDbAndDefaults) {
  auto o = parse_url("redis://cache.internal:6380/3");
  EXPECT_EQ(o.host, "cache.internal");
  EXPECT_EQ(o.port, 6380);
  EXPECT_EQ(o.db, 3);
  EXPECT_FALSE(o.tls);
  o = parse_url("redis://127.0.0.1");
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 6379);
  EXPECT_EQ(o.db, 0);
  o = parse_url("redis://localhost/");
  EXPECT_EQ(o.db, 0);
}

TEST(RedisUrl, RedissMeansTlsWithVerification) {
  const auto o = parse_url("rediss://redis.example.com:6390/1");
  EXPECT_TRUE(o.tls);
  EXPECT_TRUE(o.tls_options.verify_peer);
  EXPECT_EQ(o.port, 6390);
  EXPECT_EQ(o.db, 1);
}

TEST(RedisUrl, Ipv6InBrackets) {
  const auto o = parse_url("redis://[::1]:7000/2");
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 7000);
  EXPECT_EQ(o.db, 2);
}

TEST(RedisUrl, PasswordsAreRefusedWithoutBeingRepeated) {
  for (const char* url : {"redis://:hunter2secret@host:6379", "redis://alice:hunter2secret@host",
                          "rediss://hunter2secret@host/0"}) {
    const auto message = refusal(url);
    EXPECT_EQ(message.find("hunter2secret"), std::string::npos) << message;
    EXPECT_NE(message.find("CADENCE_REDIS_PASSWORD"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

TEST(RedisUrl, BadSchemePortDbAreOneClearLine) {
  EXPECT_NE(refusal("http://host").find("redis://"), std::string::npos);
  EXPECT_NE(refusal("redis://host:0").find("port"), std::string::npos);
  EXPECT_NE(refusal("redis://host:65536").find("port"), std::string::npos);
  EXPECT_NE(refusal("redis://host:abc").find("port"), std::string::npos);
  EXPECT_NE(refusal("redis://host:").find("port"), std::string::npos);
  EXPECT_NE(refusal("redis://host/-1").find("db"), std::string::npos);
  EXPECT_NE(refusal("redis://host/x").find("db"), std::string::npos);
  EXPECT_NE(refusal("redis:///0").find("host"), std::string::npos);
  EXPECT_NE(refusal("redis://host?timeout=1").find("query"), std::string::npos);
  EXPECT_NE(refusal("redis://[::1").find("["), std::string::npos);
}

class PasswordEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("CADENCE_REDIS_PASSWORD");
    ::unsetenv("CADENCE_REDIS_PASSWORD_FILE");
  }
  void TearDown() override { SetUp(); }
};

TEST_F(PasswordEnv, NeitherSetIsNullopt) { EXPECT_FALSE(password_from_environment()); }

TEST_F(PasswordEnv, VariableWinsOverFile) {
  ::setenv("CADENCE_REDIS_PASSWORD", "from-env", 1);
  ::setenv("CADENCE_REDIS_PASSWORD_FILE", "/nonexistent/file", 1);
  EXPECT_EQ(password_from_environment(), "from-env");
}

TEST_F(PasswordEnv, FileLosesOneTrailingNewline) {
  ::setenv("CADENCE_REDIS_PASSWORD_FILE", test::write_temp_file("redis-pw", "s3cret\n").c_str(), 1);
  EXPECT_EQ(password_from_environment(), "s3cret");
  ::setenv("CADENCE_REDIS_PASSWORD_FILE", test::write_temp_file("redis-pw", "s3cret\r\n").c_str(),
           1);
  EXPECT_EQ(password_from_environment(), "s3cret");
  ::setenv("CADENCE_REDIS_PASSWORD_FILE", test::write_temp_file("redis-pw", "s3cret").c_str(), 1);
  EXPECT_EQ(password_from_environment(), "s3cret");
}

TEST_F(PasswordEnv, UnreadableFileNamesTheFileOnly) {
  ::setenv("CADENCE_REDIS_PASSWORD_FILE", "/nonexistent/redis-password", 1);
  try {
    (void)password_from_environment();
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/redis-password"), std::string::npos);
  }
  ::setenv("CADENCE_REDIS_PASSWORD_FILE", "/tmp", 1);  // a directory: opens, cannot be read
  EXPECT_THROW((void)password_from_environment(), std::runtime_error);
}

}  // namespace
}  // namespace cadence::redis
