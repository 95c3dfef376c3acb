#include "cadence/sim/web_socket_session.hpp"

#include "sim/web_socket_connection.hpp"

namespace cadence::sim {

void WebSocketSession::on_message(MessageHandler handler) const {
  impl_->set_message_handler(std::move(handler));
}

void WebSocketSession::on_close(CloseHandler handler) const {
  impl_->set_close_handler(std::move(handler));
}

void WebSocketSession::send(std::string text) const { impl_->send(std::move(text), false); }

void WebSocketSession::send_binary(std::string data) const { impl_->send(std::move(data), true); }

void WebSocketSession::close(std::uint16_t code, std::string reason) const {
  impl_->close_with(code, std::move(reason));
}

void WebSocketSession::drop() const { impl_->drop(); }

bool WebSocketSession::is_open() const { return impl_->is_open(); }

const HttpRequest& WebSocketSession::request() const { return impl_->request(); }

}  // namespace cadence::sim
