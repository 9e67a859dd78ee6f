// Helpers for the TLS tests: a temp directory, a loopback socket pair on 127.0.0.1 (port chosen
// by the OS), client TLS contexts, and a bounded run of the io_context.
#pragma once

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/host_name_verification.hpp>
#include <asio/ssl/stream.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "net/openssl_util.hpp"
#include "support/temp_dir.hpp"

namespace tern::net::test {

using tern::test::read_file;
using tern::test::TempDir;

// The completion handler for test coroutines: an exception fails loudly instead of vanishing.
inline void rethrow(std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
}

// An io_context plus a listening socket on 127.0.0.1:0.
struct Loopback {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};

    // {server side, client side} of a fresh connection.
    std::pair<asio::ip::tcp::socket, asio::ip::tcp::socket> connect() {
        asio::ip::tcp::socket client(io), server(io);
        client.connect(acceptor.local_endpoint());
        acceptor.accept(server);
        return {std::move(server), std::move(client)};
    }

    // Runs until every coroutine is done, at most `bound` (a hang fails the test, not CI).
    // Returns the time it took.
    std::chrono::steady_clock::duration run(std::chrono::seconds bound = std::chrono::seconds(20)) {
        auto start = std::chrono::steady_clock::now();
        io.run_for(bound);
        auto took = std::chrono::steady_clock::now() - start;
        EXPECT_LT(took, bound) << "the io_context still had work: something hung";
        return took;
    }
};

// A client context that does not verify (tests of the server side, not of PKI).
inline asio::ssl::context client_context() {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_none);
    return ctx;
}

// The DNS names of the certificate the server presented.
inline std::vector<std::string> peer_names(SSL* ssl) {
    ossl::X509Ptr cert(SSL_get1_peer_certificate(ssl));
    return cert ? ossl::certificate_names(cert.get()) : std::vector<std::string>{};
}

}  // namespace tern::net::test
