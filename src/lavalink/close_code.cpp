#include "cadence/lavalink/close_code.hpp"

namespace cadence::lavalink {

namespace {

struct CodeInfo {
  int code;
  std::string_view meaning;
  VoiceCloseAction action;
};

// Discord's voice close event codes (Opcodes and Status Codes, "Voice Close Event Codes"), and
// the WebSocket codes a voice connection also ends with.
constexpr CodeInfo codes[] = {
    {1000, "Normal closure", VoiceCloseAction::none},
    {1001, "Going away", VoiceCloseAction::rejoin},
    {1006, "Abnormal closure", VoiceCloseAction::rejoin},
    {4001, "Unknown opcode", VoiceCloseAction::report},
    {4002, "Failed to decode payload", VoiceCloseAction::report},
    {4003, "Not authenticated", VoiceCloseAction::report},
    {4004, "Authentication failed", VoiceCloseAction::report},
    {4005, "Already authenticated", VoiceCloseAction::report},
    {4006, "Session no longer valid", VoiceCloseAction::rejoin},
    {4009, "Session timeout", VoiceCloseAction::rejoin},
    {4011, "Server not found", VoiceCloseAction::rejoin},
    {4012, "Unknown protocol", VoiceCloseAction::report},
    {4014, "Disconnected", VoiceCloseAction::disconnected},
    {4015, "Voice server crashed", VoiceCloseAction::wait},
    {4016, "Unknown encryption mode", VoiceCloseAction::change_node},
    {4017, "E2EE/DAVE protocol required", VoiceCloseAction::change_node},
    {4020, "Bad request", VoiceCloseAction::report},
    {4021, "Rate limited", VoiceCloseAction::back_off},
    {4022, "Call terminated", VoiceCloseAction::disconnected},
};

const CodeInfo* find(int code) noexcept {
  for (const auto& info : codes)
    if (info.code == code) return &info;
  return nullptr;
}

}  // namespace

VoiceCloseAction recommended_action(std::optional<int> code) noexcept {
  if (!code) return VoiceCloseAction::rejoin;
  const auto* info = find(*code);
  return info ? info->action : VoiceCloseAction::rejoin;
}

std::string_view close_code_meaning(int code) noexcept {
  const auto* info = find(code);
  return info ? info->meaning : std::string_view();
}

std::string_view to_string(VoiceCloseAction action) noexcept {
  switch (action) {
    case VoiceCloseAction::none:
      return "none";
    case VoiceCloseAction::wait:
      return "wait";
    case VoiceCloseAction::rejoin:
      return "rejoin";
    case VoiceCloseAction::disconnected:
      return "disconnected";
    case VoiceCloseAction::back_off:
      return "back_off";
    case VoiceCloseAction::change_node:
      return "change_node";
    case VoiceCloseAction::report:
      return "report";
  }
  return "unknown";
}

}  // namespace cadence::lavalink
