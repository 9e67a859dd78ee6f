// Tests for net/stream over real loopback sockets: plain and TLS round trips, timeouts on both,
// handshake failures and stalls, TLS version floor, SNI, STARTTLS upgrade, cancel, shutdown.
#include "net/stream.hpp"

#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>
#include <gtest/gtest.h>

#include "net/awaitable.hpp"
#include "net/self_signed.hpp"
#include "net/tls_context.hpp"
#include "tls_support.hpp"

namespace tern::net {
namespace {

using namespace std::chrono_literals;
using test::Loopback;
using test::rethrow;
using test::TempDir;
using tcp = asio::ip::tcp;

// A store with the self-signed certificate for "localhost" in a temp dir.
struct TlsFixture : ::testing::Test {
    TempDir tmp;
    TlsContextStore store;
    Loopback net;

    void SetUp() override {
        auto r = store.load({{}, "localhost", tmp.path()});
        ASSERT_TRUE(r.ok()) << r.error;
    }
    std::filesystem::path cert_file() const { return tmp / "tls/selfsigned.crt"; }
};

// Reads from a client-side stream until `n` bytes arrived (or error/eof).
template <class S>
asio::awaitable<std::string> client_read(S& s, std::size_t n) {
    std::string out(n, '\0');
    auto [ec, got] = co_await asio::async_read(s, asio::buffer(out), use_tuple);
    out.resize(got);
    co_return out;
}

template <class S>
asio::awaitable<std::error_code> client_write(S& s, std::string_view data) {
    auto [ec, n] = co_await asio::async_write(s, asio::buffer(data), use_tuple);
    co_return ec;
}

// Server side: reads into `buf` until `want` bytes arrived.
asio::awaitable<std::string> server_read(Stream& s, std::size_t want, std::error_code& ec) {
    std::string got;
    char buf[256];
    while (got.size() < want) {
        auto n = co_await s.read_some(asio::buffer(buf), 5s, ec);
        if (ec) break;
        got.append(buf, n);
    }
    co_return got;
}

TEST(Stream, PlainRoundTripAndReadTimeout) {
    Loopback net;
    auto [server_sock, client] = net.connect();
    Stream s(std::move(server_sock));
    EXPECT_FALSE(s.is_tls());
    EXPECT_FALSE(s.tls_info());
    std::string received;
    std::error_code read_ec, timeout_ec, write_ec;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        received = co_await server_read(s, 5, read_ec);
        co_await s.write_all(asio::buffer(std::string_view("world")), 5s, write_ec);
        char buf[16];
        co_await s.read_some(asio::buffer(buf), 200ms, timeout_ec);  // the client says nothing more
        s.close();
    }, rethrow);
    std::string reply;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await client_write(client, "hello");
        reply = co_await client_read(client, 5);
    }, rethrow);
    net.run();
    EXPECT_FALSE(read_ec);
    EXPECT_EQ(received, "hello");
    EXPECT_FALSE(write_ec);
    EXPECT_EQ(reply, "world");
    EXPECT_EQ(timeout_ec, asio::error::timed_out);
    EXPECT_FALSE(s.is_open());
}

TEST(Stream, MoveKeepsTheSocketAddress) {
    Loopback net;
    auto [server_sock, client] = net.connect();
    Stream a(std::move(server_sock));
    auto* socket = &a.socket();
    Stream b(std::move(a));
    EXPECT_EQ(&b.socket(), socket);
    EXPECT_TRUE(b.is_open());
}

TEST_F(TlsFixture, ImplicitTlsRoundTripWithVerifiedCertificate) {
    auto [server_sock, client_sock] = net.connect();
    Stream s(std::move(server_sock));
    std::error_code hs_ec, read_ec, write_ec;
    std::string received;
    std::optional<TlsInfo> info;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.handshake(store.context(), 5s, hs_ec);
        info = s.tls_info();
        received = co_await server_read(s, 11, read_ec);
        co_await s.write_all(asio::buffer(std::string_view("250 ok\r\n")), 5s, write_ec);
        co_await s.shutdown(1s);
    }, rethrow);

    // The client trusts exactly the generated certificate and checks the name.
    asio::ssl::context cctx(asio::ssl::context::tls_client);
    cctx.load_verify_file(cert_file().string());
    cctx.set_verify_mode(asio::ssl::verify_peer);
    cctx.set_verify_callback(asio::ssl::host_name_verification("localhost"));
    asio::ssl::stream<tcp::socket> client(std::move(client_sock), cctx);
    SSL_set_tlsext_host_name(client.native_handle(), "localhost");
    std::error_code client_hs;
    std::string reply;
    std::error_code after_close;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        auto [ec] = co_await client.async_handshake(asio::ssl::stream_base::client, use_tuple);
        client_hs = ec;
        if (ec) co_return;
        co_await client_write(client, "EHLO there\n");
        reply = co_await client_read(client, 8);
        char c;
        auto [ec2, n] = co_await client.async_read_some(asio::buffer(&c, 1), use_tuple);
        after_close = ec2;
    }, rethrow);
    net.run();
    EXPECT_FALSE(client_hs) << client_hs.message();
    EXPECT_FALSE(hs_ec) << hs_ec.message();
    EXPECT_EQ(received, "EHLO there\n");
    EXPECT_EQ(reply, "250 ok\r\n");
    EXPECT_EQ(after_close, asio::error::eof) << after_close.message();  // a clean close_notify
    ASSERT_TRUE(info);
    EXPECT_EQ(info->version, "TLSv1.3");
    EXPECT_FALSE(info->cipher.empty());
    EXPECT_EQ(info->server_name, "localhost");
    EXPECT_FALSE(s.is_open());
}

TEST_F(TlsFixture, Tls12GetsAnEcdheAeadCipher) {
    auto [server_sock, client_sock] = net.connect();
    Stream s(std::move(server_sock));
    std::error_code hs_ec;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.handshake(store.context(), 5s, hs_ec);
    }, rethrow);
    auto cctx = test::client_context();
    SSL_CTX_set_max_proto_version(cctx.native_handle(), TLS1_2_VERSION);
    asio::ssl::stream<tcp::socket> client(std::move(client_sock), cctx);
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await client.async_handshake(asio::ssl::stream_base::client, use_tuple);
    }, rethrow);
    net.run();
    ASSERT_FALSE(hs_ec) << hs_ec.message();
    auto info = s.tls_info();
    ASSERT_TRUE(info);
    EXPECT_EQ(info->version, "TLSv1.2");
    EXPECT_EQ(info->cipher.rfind("ECDHE-ECDSA-", 0), 0u) << info->cipher;
    EXPECT_TRUE(info->cipher.find("GCM") != std::string::npos ||
                info->cipher.find("CHACHA20") != std::string::npos) << info->cipher;
    EXPECT_EQ(info->server_name, "");  // the client sent no SNI
}

TEST_F(TlsFixture, Tls11ClientIsRefused) {
    auto [server_sock, client_sock] = net.connect();
    Stream s(std::move(server_sock));
    std::error_code hs_ec, client_ec;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.handshake(store.context(), 5s, hs_ec);
        s.close();
    }, rethrow);
    // A client that really offers TLS 1.1 (OpenSSL 3's default security level would not).
    auto cctx = test::client_context();
    SSL_CTX_set_security_level(cctx.native_handle(), 0);
    SSL_CTX_set_cipher_list(cctx.native_handle(), "DEFAULT:@SECLEVEL=0");
    SSL_CTX_set_min_proto_version(cctx.native_handle(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(cctx.native_handle(), TLS1_1_VERSION);
    asio::ssl::stream<tcp::socket> client(std::move(client_sock), cctx);
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        auto [ec] = co_await client.async_handshake(asio::ssl::stream_base::client, use_tuple);
        client_ec = ec;
    }, rethrow);
    net.run();
    EXPECT_TRUE(hs_ec);
    EXPECT_NE(hs_ec, asio::error::timed_out);
    EXPECT_NE(hs_ec.message().find("unsupported protocol"), std::string::npos) << hs_ec.message();
    EXPECT_TRUE(client_ec);
    EXPECT_FALSE(s.is_tls());
}

TEST_F(TlsFixture, SilentClientMakesTheHandshakeTimeOut) {
    auto [server_sock, client] = net.connect();  // connects, then never says a word
    Stream s(std::move(server_sock));
    std::error_code hs_ec, read_ec, again_ec;
    bool done = false;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.handshake(store.context(), 200ms, hs_ec);
        char buf[8];
        co_await s.read_some(asio::buffer(buf), 1s, read_ec);  // unusable now
        co_await s.handshake(store.context(), 1s, again_ec);
        s.close();
        done = true;
    }, rethrow);
    auto took = net.run();
    EXPECT_TRUE(done);
    EXPECT_EQ(hs_ec, asio::error::timed_out);
    EXPECT_EQ(read_ec, asio::error::not_connected);
    EXPECT_EQ(again_ec, asio::error::not_connected);
    EXPECT_LT(took, 5s);
    EXPECT_FALSE(s.is_tls());
    EXPECT_FALSE(s.is_open());
}

TEST_F(TlsFixture, PlaintextClientFailsTheHandshakeAtOnce) {
    auto [server_sock, client] = net.connect();
    Stream s(std::move(server_sock));
    std::error_code hs_ec;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.handshake(store.context(), 10s, hs_ec);
        s.close();
    }, rethrow);
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await client_write(client, "EHLO client.test\r\n");
    }, rethrow);
    auto took = net.run();
    EXPECT_TRUE(hs_ec);
    EXPECT_NE(hs_ec, asio::error::timed_out) << hs_ec.message();
    EXPECT_LT(took, 5s);
}

TEST_F(TlsFixture, NoContextIsAnError) {
    auto [server_sock, client] = net.connect();
    Stream s(std::move(server_sock));
    std::error_code ec;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.handshake(nullptr, 1s, ec);
    }, rethrow);
    net.run();
    EXPECT_EQ(ec, asio::error::invalid_argument);
}

// Per-operation cancellation through asio::ssl::stream: the read times out, and the TLS
// session is still fine for the "421 timeout" that follows.
TEST_F(TlsFixture, ReadTimeoutOnTlsThenWriteStillWorks) {
    auto [server_sock, client_sock] = net.connect();
    Stream s(std::move(server_sock));
    std::error_code hs_ec, read_ec, write_ec, read2_ec;
    std::string second;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.handshake(store.context(), 5s, hs_ec);
        char buf[64];
        co_await s.read_some(asio::buffer(buf), 200ms, read_ec);
        co_await s.write_all(asio::buffer(std::string_view("421 timeout\r\n")), 5s, write_ec);
        second = co_await server_read(s, 4, read2_ec);  // and reading still works too
        s.close();
    }, rethrow);
    auto cctx = test::client_context();
    asio::ssl::stream<tcp::socket> client(std::move(client_sock), cctx);
    std::string reply;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await client.async_handshake(asio::ssl::stream_base::client, use_tuple);
        reply = co_await client_read(client, 13);
        co_await client_write(client, "QUIT");
    }, rethrow);
    auto took = net.run();
    ASSERT_FALSE(hs_ec) << hs_ec.message();
    EXPECT_EQ(read_ec, asio::error::timed_out);
    EXPECT_FALSE(write_ec);
    EXPECT_EQ(reply, "421 timeout\r\n");
    EXPECT_FALSE(read2_ec);
    EXPECT_EQ(second, "QUIT");
    EXPECT_LT(took, 5s);
}

TEST_F(TlsFixture, WriteTimeoutOnTlsWhenThePeerDoesNotRead) {
    auto [server_sock, client_sock] = net.connect();
    Stream s(std::move(server_sock));
    std::error_code hs_ec, write_ec;
    std::size_t written = 0;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.handshake(store.context(), 5s, hs_ec);
        std::string chunk(1 << 20, 'x');
        // Loopback buffers take a few MiB; 256 MiB is far beyond them.
        for (int i = 0; i < 256 && !write_ec; ++i) {
            co_await s.write_all(asio::buffer(chunk), 200ms, write_ec);
            if (!write_ec) written += chunk.size();
        }
        s.close();
    }, rethrow);
    auto cctx = test::client_context();
    asio::ssl::stream<tcp::socket> client(std::move(client_sock), cctx);
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await client.async_handshake(asio::ssl::stream_base::client, use_tuple);
        // ... and then never reads.
    }, rethrow);
    net.run();
    ASSERT_FALSE(hs_ec) << hs_ec.message();
    EXPECT_EQ(write_ec, asio::error::timed_out);
    EXPECT_LT(written, std::size_t{256} << 20);
}

// What the server does at SIGTERM: cancel the socket from the connection's strand.
TEST_F(TlsFixture, CancelWakesAPendingTlsRead) {
    auto [server_sock, client_sock] = net.connect();
    Stream s(std::move(server_sock));
    std::error_code hs_ec, read_ec, read2_ec, write_ec;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.handshake(store.context(), 5s, hs_ec);
        char buf[64];
        co_await s.read_some(asio::buffer(buf), 60s, read_ec);  // woken by cancel()
        co_await s.read_some(asio::buffer(buf), 60s, read2_ec);  // woken by socket().cancel()
        co_await s.write_all(asio::buffer(std::string_view("421 bye\r\n")), 5s, write_ec);
        s.close();
    }, rethrow);
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor, 100ms);
        co_await t.async_wait(use_tuple);
        s.cancel();
        t.expires_after(100ms);
        co_await t.async_wait(use_tuple);
        asio::error_code ec;
        s.socket().cancel(ec);  // how the connection registry reaches it
    }, rethrow);
    auto cctx = test::client_context();
    asio::ssl::stream<tcp::socket> client(std::move(client_sock), cctx);
    std::string reply;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await client.async_handshake(asio::ssl::stream_base::client, use_tuple);
        reply = co_await client_read(client, 9);
    }, rethrow);
    auto took = net.run();
    ASSERT_FALSE(hs_ec) << hs_ec.message();
    EXPECT_EQ(read_ec, asio::error::operation_aborted);
    EXPECT_EQ(read2_ec, asio::error::operation_aborted);
    EXPECT_FALSE(write_ec);
    EXPECT_EQ(reply, "421 bye\r\n");
    EXPECT_LT(took, 10s);
}

// close() from another coroutine on the strand while a TLS read is pending: the read
// completes with an error and the TLS state is freed only after it returned (ASan checks).
TEST_F(TlsFixture, CloseWhileATlsReadIsPending) {
    auto [server_sock, client_sock] = net.connect();
    Stream s(std::move(server_sock));
    std::error_code hs_ec, read_ec;
    bool done = false;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.handshake(store.context(), 5s, hs_ec);
        char buf[64];
        co_await s.read_some(asio::buffer(buf), 60s, read_ec);
        done = true;
    }, rethrow);
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor, 100ms);
        co_await t.async_wait(use_tuple);
        s.close();
    }, rethrow);
    auto cctx = test::client_context();
    asio::ssl::stream<tcp::socket> client(std::move(client_sock), cctx);
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await client.async_handshake(asio::ssl::stream_base::client, use_tuple);
    }, rethrow);
    auto took = net.run();
    ASSERT_FALSE(hs_ec) << hs_ec.message();
    EXPECT_TRUE(done);
    EXPECT_TRUE(read_ec);
    EXPECT_FALSE(s.is_open());
    EXPECT_FALSE(s.is_tls());
    EXPECT_FALSE(s.tls_info());
    EXPECT_LT(took, 10s);
}

TEST_F(TlsFixture, CancelWakesAPendingHandshake) {
    auto [server_sock, client] = net.connect();  // a client that never sends its ClientHello
    Stream s(std::move(server_sock));
    std::error_code hs_ec;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.handshake(store.context(), 60s, hs_ec);
        s.close();
    }, rethrow);
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor, 50ms);
        co_await t.async_wait(use_tuple);
        s.cancel();
    }, rethrow);
    auto took = net.run();
    EXPECT_EQ(hs_ec, asio::error::operation_aborted);
    EXPECT_FALSE(s.is_tls());
    EXPECT_LT(took, 10s);
}

TEST_F(TlsFixture, ShutdownDoesNotWaitForAnUnresponsivePeer) {
    auto [server_sock, client_sock] = net.connect();
    Stream s(std::move(server_sock));
    std::error_code hs_ec;
    bool done = false;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.handshake(store.context(), 5s, hs_ec);
        co_await s.shutdown(10s);  // must not take 10 s: our close_notify is all it sends
        done = true;
    }, rethrow);
    auto cctx = test::client_context();
    asio::ssl::stream<tcp::socket> client(std::move(client_sock), cctx);
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await client.async_handshake(asio::ssl::stream_base::client, use_tuple);
        // never reads, never answers close_notify
    }, rethrow);
    auto took = net.run();
    ASSERT_FALSE(hs_ec) << hs_ec.message();
    EXPECT_TRUE(done);
    EXPECT_LT(took, 5s);
    EXPECT_FALSE(s.is_open());
}

// RFC 3207: plaintext exchange, "220 Ready to start TLS", handshake on the same socket.
TEST_F(TlsFixture, StartTlsUpgradeOnTheSameSocket) {
    auto [server_sock, client_sock] = net.connect();
    Stream s(std::move(server_sock));
    std::error_code ec1, ec2, hs_ec, ec3;
    std::string command, after;
    bool tls_before = true;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await s.write_all(asio::buffer(std::string_view("220 hi\r\n")), 5s, ec1);
        command = co_await server_read(s, 10, ec2);
        tls_before = s.is_tls();
        co_await s.write_all(asio::buffer(std::string_view("220 go\r\n")), 5s, ec1);
        co_await s.handshake(store.context(), 5s, hs_ec);
        after = co_await server_read(s, 8, ec3);
        co_await s.write_all(asio::buffer(std::string_view("250 tls\r\n")), 5s, ec1);
        co_await s.shutdown(1s);
    }, rethrow);
    auto cctx = test::client_context();
    std::string greeting, go, reply;
    std::error_code client_hs;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        greeting = co_await client_read(client_sock, 8);
        co_await client_write(client_sock, "STARTTLS\r\n");
        go = co_await client_read(client_sock, 8);
        asio::ssl::stream<tcp::socket&> tls(client_sock, cctx);
        auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
        client_hs = ec;
        co_await client_write(tls, "EHLO x\r\n");
        reply = co_await client_read(tls, 9);
    }, rethrow);
    net.run();
    EXPECT_EQ(greeting, "220 hi\r\n");
    EXPECT_EQ(command, "STARTTLS\r\n");
    EXPECT_FALSE(tls_before);
    EXPECT_EQ(go, "220 go\r\n");
    EXPECT_FALSE(hs_ec) << hs_ec.message();
    EXPECT_FALSE(client_hs) << client_hs.message();
    EXPECT_EQ(after, "EHLO x\r\n");
    EXPECT_EQ(reply, "250 tls\r\n");
    EXPECT_FALSE(ec1);
}

// STARTTLS command injection: plaintext sent after "220 go" and before the ClientHello reaches
// the handshake (the Stream keeps no read-ahead), which refuses it.
TEST_F(TlsFixture, PlaintextInjectedBeforeTheClientHelloFailsTheHandshake) {
    auto [server_sock, client_sock] = net.connect();
    Stream s(std::move(server_sock));
    std::error_code ec, hs_ec;
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await server_read(s, 10, ec);
        co_await s.write_all(asio::buffer(std::string_view("220 go\r\n")), 5s, ec);
        co_await s.handshake(store.context(), 5s, hs_ec);
        s.close();
    }, rethrow);
    auto cctx = test::client_context();
    asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
        co_await client_write(client_sock, "STARTTLS\r\n");
        co_await client_read(client_sock, 8);
        co_await client_write(client_sock, "RSET\r\n");
        asio::ssl::stream<tcp::socket&> tls(client_sock, cctx);
        co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
    }, rethrow);
    net.run();
    EXPECT_TRUE(hs_ec);
    EXPECT_NE(hs_ec, asio::error::timed_out);
    EXPECT_FALSE(s.is_tls());
}

struct SniCase {
    const char* sni;  // nullptr: the client sends none
    const char* expected_name;
};

TEST(TlsSni, PicksTheCertificateByServerName) {
    TempDir tmp;
    auto pair = [&](const std::string& host, const std::string& file) {
        config::Tls::Pair p{(tmp / (file + ".crt")).string(), (tmp / (file + ".key")).string()};
        std::string err;
        EXPECT_TRUE(write_self_signed(host, p.certificate, p.private_key, kSelfSignedValidity, err)) << err;
        return p;
    };
    auto a = pair("a.test", "a");
    TlsSettings settings;
    settings.tls.certificate = a.certificate;
    settings.tls.private_key = a.private_key;
    settings.tls.certificates = {pair("*.w.test", "wild"), pair("b.test", "b"), pair("x.w.test", "xw")};
    TlsContextStore store;
    auto r = store.load(settings);
    ASSERT_TRUE(r.ok()) << r.error;

    for (SniCase c : {SniCase{"b.test", "b.test"}, SniCase{"B.Test", "b.test"},
                      SniCase{"y.w.test", "*.w.test"}, SniCase{"x.w.test", "x.w.test"},
                      SniCase{"a.test", "a.test"}, SniCase{"other.test", "a.test"},
                      SniCase{"deep.y.w.test", "a.test"}, SniCase{nullptr, "a.test"}}) {
        SCOPED_TRACE(c.sni ? c.sni : "(no SNI)");
        Loopback net;
        auto [server_sock, client_sock] = net.connect();
        Stream s(std::move(server_sock));
        std::error_code hs_ec;
        asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
            co_await s.handshake(store.context(), 5s, hs_ec);
        }, rethrow);
        auto cctx = test::client_context();
        asio::ssl::stream<tcp::socket> client(std::move(client_sock), cctx);
        if (c.sni) SSL_set_tlsext_host_name(client.native_handle(), c.sni);
        asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
            co_await client.async_handshake(asio::ssl::stream_base::client, use_tuple);
        }, rethrow);
        net.run();
        ASSERT_FALSE(hs_ec) << hs_ec.message();
        EXPECT_EQ(test::peer_names(client.native_handle()), std::vector<std::string>{c.expected_name});
        ASSERT_TRUE(s.tls_info());
        EXPECT_EQ(s.tls_info()->server_name, c.sni ? c.sni : "");
    }
}

TEST(TlsReload, NewConnectionsGetTheNewCertificateOldOnesKeepTheirs) {
    TempDir tmp;
    auto pair = [&](const std::string& host) {
        config::Tls::Pair p{(tmp / (host + ".crt")).string(), (tmp / (host + ".key")).string()};
        std::string err;
        EXPECT_TRUE(write_self_signed(host, p.certificate, p.private_key, kSelfSignedValidity, err)) << err;
        return p;
    };
    auto settings_for = [](const config::Tls::Pair& p) {
        TlsSettings s;
        s.tls.certificate = p.certificate;
        s.tls.private_key = p.private_key;
        return s;
    };
    TlsContextStore store;
    ASSERT_TRUE(store.load(settings_for(pair("old.test"))).ok());
    auto before = store.context();  // a connection accepted before SIGHUP
    ASSERT_TRUE(store.reload(settings_for(pair("new.test"))).ok());

    auto handshake_names = [&](std::shared_ptr<asio::ssl::context> ctx) {
        Loopback net;
        auto [server_sock, client_sock] = net.connect();
        Stream s(std::move(server_sock));
        std::error_code hs_ec;
        asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
            co_await s.handshake(std::move(ctx), 5s, hs_ec);
        }, rethrow);
        auto cctx = test::client_context();
        asio::ssl::stream<tcp::socket> client(std::move(client_sock), cctx);
        asio::co_spawn(net.io, [&]() -> asio::awaitable<void> {
            co_await client.async_handshake(asio::ssl::stream_base::client, use_tuple);
        }, rethrow);
        net.run();
        EXPECT_FALSE(hs_ec) << hs_ec.message();
        return test::peer_names(client.native_handle());
    };
    EXPECT_EQ(handshake_names(store.context()), std::vector<std::string>{"new.test"});
    EXPECT_EQ(handshake_names(before), std::vector<std::string>{"old.test"});
}

}  // namespace
}  // namespace tern::net
