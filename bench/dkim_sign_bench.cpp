// DKIM signing of a submitted message with both default keys (rsa-sha256 + ed25519-sha256):
// one canonicalization and body hash for both, against signing key by key (what each key alone
// costs). Run: build/bench/dkim_sign_bench.
#include <benchmark/benchmark.h>

#include <string>

#include "dkim/signer.hpp"

using namespace tern::dkim;

namespace {

std::string message(std::size_t size) {
    std::string m = "From: a@example.com\r\nTo: b@example.net\r\nSubject: x\r\nDate: Sun, 22 Nov 2026 12:00:00 +0000\r\n\r\n";
    while (m.size() < size) m += "a line of the body, with words   and spaces\r\n";
    return m;
}

struct Keys {
    PrivateKey rsa = PrivateKey::generate(Algorithm::RsaSha256);
    PrivateKey ed = PrivateKey::generate(Algorithm::Ed25519Sha256);
};
const Keys& keys() {
    static Keys k;
    return k;
}

void BM_SignBothTogether(benchmark::State& state) {
    std::string m = message(static_cast<std::size_t>(state.range(0)));
    SignOptions o;
    o.domain = "example.com";
    for (auto _ : state) benchmark::DoNotOptimize(sign(m, {{&keys().rsa, "r"}, {&keys().ed, "e"}}, o));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * m.size()));
}

void BM_SignKeyByKey(benchmark::State& state) {
    std::string m = message(static_cast<std::size_t>(state.range(0)));
    SignOptions o;
    o.domain = "example.com";
    for (auto _ : state) {
        o.selector = "r";
        benchmark::DoNotOptimize(sign(m, keys().rsa, o));
        o.selector = "e";
        benchmark::DoNotOptimize(sign(m, keys().ed, o));
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * m.size()));
}

}  // namespace

BENCHMARK(BM_SignBothTogether)->Arg(1024)->Arg(100 * 1024);
BENCHMARK(BM_SignKeyByKey)->Arg(1024)->Arg(100 * 1024);
BENCHMARK_MAIN();
