// The completion token every coroutine in Tern uses: errors come back as values (a tuple),
// never as exceptions, so a network error is ordinary control flow. (Asio 1.22 keeps
// as_tuple under experimental/.)
#pragma once

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace tern::net {
inline constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);
}
