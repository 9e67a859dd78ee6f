// net::Stream: plain TCP or TLS over the same socket, with timed operations.
#include "net/stream.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <exception>
#include <tuple>

#include "net/awaitable.hpp"

namespace tern::net {

struct Stream::Impl {
    enum class State { Plain, Handshaking, Tls, Failed };

    explicit Impl(asio::ip::tcp::socket s)
        : socket(std::move(s)), stop(socket.get_executor(), asio::steady_timer::time_point::max()) {}

    // Declaration order is destruction order reversed: the TLS stream goes first, then the
    // context generation it points into, then the socket it refers to.
    asio::ip::tcp::socket socket;
    // Never expires; every operation also waits on it, and cancel() cancels those waits. This
    // makes cancel() reliable where socket.cancel() is not: when it runs while an
    // asio::ssl::stream operation sits between two socket reads (its intermediate handler
    // queued on the strand), socket.cancel() finds nothing to cancel and the operation would
    // carry on; the per-operation cancellation emitted here is recorded and honoured.
    asio::steady_timer stop;
    std::shared_ptr<asio::ssl::context> context;
    std::optional<asio::ssl::stream<asio::ip::tcp::socket&>> tls;
    State state = State::Plain;
    // Operations in flight. close() from another coroutine on the strand may run while one is
    // pending: it closes the socket at once (waking the operation), but the TLS state the
    // operation still refers to is freed only when the last one has returned.
    int pending = 0;
    bool closed = false;
    std::string verify_error;  // kept after a failed verifying handshake frees the TLS state

    void drop_tls() {
        tls.reset();
        context.reset();
    }

    // Brackets every asynchronous operation (see `pending`).
    struct Op {
        explicit Op(Impl& i) : impl(i) { ++impl.pending; }
        ~Op() {
            if (--impl.pending == 0 && impl.closed) impl.drop_tls();
        }
        Op(const Op&) = delete;
        Op& operator=(const Op&) = delete;
        Impl& impl;
    };
};

Stream::Stream(asio::ip::tcp::socket socket) : impl_(std::make_unique<Impl>(std::move(socket))) {}
Stream::~Stream() = default;
Stream::Stream(Stream&&) noexcept = default;
Stream& Stream::operator=(Stream&&) noexcept = default;

asio::ip::tcp::socket& Stream::socket() { return impl_->socket; }
asio::any_io_executor Stream::get_executor() { return impl_->socket.get_executor(); }

namespace {

// Runs `op` (an awaitable of std::tuple<error_code, T...>) until it completes, `timeout`
// passes (ec = timed_out) or Stream::cancel() (ec = operation_aborted). The losers are
// cancelled per operation, which asio::ssl::stream's composed operations honour.
template <class Result>
asio::awaitable<Result> timed(asio::awaitable<Result> op, asio::steady_timer& stop,
                              Stream::Duration timeout, std::error_code& ec) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    auto r = co_await (std::move(op) || timer.async_wait(use_tuple) || stop.async_wait(use_tuple));
    switch (r.index()) {
        case 0: {
            Result result = std::get<0>(std::move(r));
            ec = std::get<0>(result);
            co_return result;
        }
        case 1:
            ec = asio::error::timed_out;
            co_return Result{};
        default:
            ec = asio::error::operation_aborted;
            co_return Result{};
    }
}

}  // namespace

asio::awaitable<std::size_t> Stream::read_some(asio::mutable_buffer buf, Duration timeout,
                                               std::error_code& ec) {
    ec.clear();
    if (!impl_) {
        ec = asio::error::bad_descriptor;
        co_return 0;
    }
    Impl& im = *impl_;
    Impl::Op op(im);
    using R = std::tuple<asio::error_code, std::size_t>;
    R r;
    switch (im.state) {
        case Impl::State::Plain:
            r = co_await timed(im.socket.async_read_some(buf, use_tuple), im.stop, timeout, ec);
            break;
        case Impl::State::Tls:
            r = co_await timed(im.tls->async_read_some(buf, use_tuple), im.stop, timeout, ec);
            break;
        default:
            ec = asio::error::not_connected;
            co_return 0;
    }
    co_return ec ? 0 : std::get<1>(r);
}

asio::awaitable<void> Stream::write_all(asio::const_buffer buf, Duration timeout,
                                        std::error_code& ec) {
    ec.clear();
    if (!impl_) {
        ec = asio::error::bad_descriptor;
        co_return;
    }
    Impl& im = *impl_;
    Impl::Op op(im);
    switch (im.state) {
        case Impl::State::Plain:
            co_await timed(asio::async_write(im.socket, buf, use_tuple), im.stop, timeout, ec);
            co_return;
        case Impl::State::Tls:
            co_await timed(asio::async_write(*im.tls, buf, use_tuple), im.stop, timeout, ec);
            co_return;
        default:
            ec = asio::error::not_connected;
            co_return;
    }
}

asio::awaitable<void> Stream::handshake(std::shared_ptr<asio::ssl::context> context,
                                        Duration timeout, std::error_code& ec) {
    co_await handshake_as(asio::ssl::stream_base::server, std::move(context), {}, false, timeout, ec);
}

asio::awaitable<void> Stream::handshake_client(std::shared_ptr<asio::ssl::context> context,
                                               std::string server_name, bool verify_name,
                                               Duration timeout, std::error_code& ec) {
    co_await handshake_as(asio::ssl::stream_base::client, std::move(context), std::move(server_name),
                          verify_name, timeout, ec);
}

std::string Stream::verify_error() const {
    if (!impl_ || !impl_->tls) return impl_ ? impl_->verify_error : std::string();
    long r = SSL_get_verify_result(impl_->tls->native_handle());
    return r == X509_V_OK ? std::string() : X509_verify_cert_error_string(r);
}

asio::awaitable<void> Stream::handshake_as(asio::ssl::stream_base::handshake_type role,
                                           std::shared_ptr<asio::ssl::context> context,
                                           std::string server_name, bool verify_name,
                                           Duration timeout, std::error_code& ec) {
    ec.clear();
    if (!impl_) {
        ec = asio::error::bad_descriptor;
        co_return;
    }
    Impl& im = *impl_;
    if (im.state != Impl::State::Plain || im.closed) {
        ec = im.state == Impl::State::Failed || im.closed ? asio::error::not_connected
                                                          : asio::error::already_connected;
        co_return;
    }
    if (!context) {
        ec = asio::error::invalid_argument;
        co_return;
    }
    try {
        im.context = std::move(context);
        im.tls.emplace(im.socket, *im.context);  // SSL_new may fail (memory)
    } catch (const std::system_error& e) {
        im.drop_tls();
        im.state = Impl::State::Failed;
        ec = e.code();
        co_return;
    }
    if (role == asio::ssl::stream_base::client) {
        SSL* ssl = im.tls->native_handle();
        // SNI carries host names only (RFC 6066 3), never IP literals.
        asio::error_code parse_ec;
        asio::ip::make_address(server_name, parse_ec);
        if (!server_name.empty() && parse_ec) SSL_set_tlsext_host_name(ssl, server_name.c_str());
        if (verify_name) {
            SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
            SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            if (SSL_set1_host(ssl, server_name.c_str()) != 1) {
                im.drop_tls();
                im.state = Impl::State::Failed;
                ec = asio::error::invalid_argument;
                co_return;
            }
        } else {
            SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
        }
    }
    im.state = Impl::State::Handshaking;
    {
        Impl::Op op(im);
        co_await timed(im.tls->async_handshake(role, use_tuple), im.stop, timeout, ec);
    }
    if (!ec && im.closed) ec = asio::error::not_connected;
    if (ec) {
        // Nothing sensible can follow a failed handshake (the peer is no longer speaking
        // plaintext): free the TLS state now (unless a write is still in flight); the caller
        // closes the socket.
        if (verify_name && im.tls) {
            long r = SSL_get_verify_result(im.tls->native_handle());
            if (r != X509_V_OK) im.verify_error = X509_verify_cert_error_string(r);
        }
        im.state = Impl::State::Failed;
        if (im.pending == 0) im.drop_tls();
        co_return;
    }
    im.state = Impl::State::Tls;
}

asio::awaitable<void> Stream::shutdown(Duration timeout) {
    if (!impl_) co_return;
    if (impl_->state == Impl::State::Tls && impl_->socket.is_open() && impl_->pending == 0) {
        Impl::Op op(*impl_);
        std::error_code ec;
        // Pretend the peer's close_notify has arrived, so SSL_shutdown only sends ours and
        // the operation completes once it is written: waiting for the peer's would let a
        // client that just drops the connection hold us until the timeout.
        SSL* ssl = impl_->tls->native_handle();
        SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
        co_await timed(impl_->tls->async_shutdown(use_tuple), impl_->stop, timeout, ec);
    }
    close();
}

void Stream::close() {
    if (!impl_) return;
    asio::error_code ec;
    impl_->socket.close(ec);
    impl_->closed = true;
    if (impl_->state != Impl::State::Plain) impl_->state = Impl::State::Failed;
    if (impl_->pending == 0) impl_->drop_tls();
}

void Stream::cancel() {
    if (!impl_) return;
    impl_->stop.cancel();
    asio::error_code ec;
    impl_->socket.cancel(ec);
}

bool Stream::is_open() const { return impl_ && impl_->socket.is_open(); }

bool Stream::is_tls() const { return impl_ && impl_->state == Impl::State::Tls; }

std::optional<TlsInfo> Stream::tls_info() const {
    if (!is_tls()) return std::nullopt;
    SSL* ssl = impl_->tls->native_handle();
    TlsInfo info;
    info.version = SSL_get_version(ssl);
    if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) info.cipher = SSL_CIPHER_get_name(c);
    if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) info.server_name = sni;
    return info;
}

}  // namespace tern::net
