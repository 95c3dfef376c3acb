#include "cadence/discord/audit_log_reason.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace cadence::discord {
namespace {

TEST(AuditLogReason, EncodesLikeEncodeUriComponent) {
  EXPECT_EQ(encode_audit_log_reason("spam / ads"), "spam%20%2F%20ads");
  EXPECT_EQ(encode_audit_log_reason("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(encode_audit_log_reason("100% sure?"), "100%25%20sure%3F");
}

TEST(AuditLogReason, EncodesUtf8Bytes) { EXPECT_EQ(encode_audit_log_reason("é"), "%C3%A9"); }

TEST(AuditLogReason, AcceptsExactly512Characters) {
  EXPECT_NO_THROW((void)encode_audit_log_reason(std::string(512, 'a')));
}

TEST(AuditLogReason, CountsCharactersNotBytes) {
  std::string reason;
  for (int i = 0; i < 512; ++i) reason += "é";  // 1024 bytes, 512 characters
  EXPECT_NO_THROW((void)encode_audit_log_reason(reason));
  reason += "é";
  EXPECT_THROW((void)encode_audit_log_reason(reason), std::invalid_argument);
}

TEST(AuditLogReason, RejectsTooLong) {
  try {
    (void)encode_audit_log_reason(std::string(513, 'a'));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("513"), std::string::npos);
  }
}

TEST(AuditLogReason, RejectsEmpty) {
  EXPECT_THROW((void)encode_audit_log_reason(""), std::invalid_argument);
}

TEST(AuditLogReason, RejectsControlCharacters) {
  EXPECT_THROW((void)encode_audit_log_reason("a\r\nb"), std::invalid_argument);
  EXPECT_THROW((void)encode_audit_log_reason(std::string("a\0b", 3)), std::invalid_argument);
}

TEST(AuditLogReason, RejectsInvalidUtf8) {
  EXPECT_THROW((void)encode_audit_log_reason("\xC3"), std::invalid_argument);
  EXPECT_THROW((void)encode_audit_log_reason("\xC0\xAF"), std::invalid_argument);      // overlong
  EXPECT_THROW((void)encode_audit_log_reason("\xED\xA0\x80"), std::invalid_argument);  // surrogate
}

}  // namespace
}  // namespace cadence::discord
