// The compiled part of Beast's HTTP parser (Cadence's libraries build Beast with separate
// compilation, in src/core/asio_impl.cpp, which the fuzz build leaves out because it compiles
// all of Asio). Only what basic_parser needs: its scanning helpers, field names, methods and the
// parser's error category; no I/O. BOOST_BEAST_SOURCE instantiates basic_parser, as Beast's own
// src.hpp does.
#define BOOST_BEAST_SOURCE

#include <boost/beast/core/impl/string.ipp>
#include <boost/beast/http/detail/basic_parser.ipp>
#include <boost/beast/http/detail/rfc7230.ipp>
#include <boost/beast/http/impl/basic_parser.ipp>
#include <boost/beast/http/impl/error.ipp>
#include <boost/beast/http/impl/field.ipp>
#include <boost/beast/http/impl/rfc7230.ipp>
#include <boost/beast/http/impl/verb.ipp>
