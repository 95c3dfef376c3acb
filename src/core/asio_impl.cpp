// Asio, Asio's SSL support and Beast are compiled here once (separate compilation), instead of
// in every translation unit that includes them; this keeps the full build within budget.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
