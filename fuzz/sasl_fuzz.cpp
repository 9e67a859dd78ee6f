// libFuzzer harness for the SASL server mechanisms (src/sasl) and strict base64
// (src/core/base64).
//
// Input: byte 0 picks the target (PLAIN, LOGIN, SCRAM-SHA-256, base64) and options; the rest
// is a list of client messages, each a 2-byte little-endian length (13 bits) and its bytes.
// The first message is the initial response when bit 2 of byte 0 is set. For SCRAM the user
// "user" has the RFC 7677 secret (password "pencil") and the server nonce is the RFC's, so
// seeds can reach Success. Invariants:
//  - NeedPassword/NeedScramCredentials/Success carry a valid identity (non-empty, <= 255
//    octets, UTF-8, no control characters); passwords are 1..1024 octets without NUL;
//  - SCRAM never succeeds for an unknown user (made-up credentials) nor without credentials;
//  - once an exchange is over, every further call fails;
//  - base64: what decodes re-encodes to the same text; encode/decode round-trips.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.hpp"
#include "core/base64.hpp"
#include "sasl/mechanism.hpp"

using namespace tern;
using namespace tern::sasl;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool valid_identity(std::string_view s) {
    if (s.empty() || s.size() > kMaxIdentity || !is_valid_utf8(s)) return false;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) return false;
    }
    return true;
}

ScramCredentials rfc_credentials() {
    ScramCredentials c;
    c.salt = *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    c.iterations = 4096;
    auto stored = *base64_decode("WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=");
    auto server = *base64_decode("wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=");
    std::copy(stored.begin(), stored.end(), c.stored_key.begin());
    std::copy(server.begin(), server.end(), c.server_key.begin());
    return c;
}

void fuzz_base64(std::string_view in) {
    if (auto d = base64_decode(in)) check(base64_encode(*d) == in);
    auto e = base64_encode(in);
    check(e.size() % 4 == 0);
    auto back = base64_decode(e);
    check(back && *back == in);
}

void fuzz_mechanism(std::uint8_t mode, const std::vector<std::string_view>& msgs) {
    static const ScramCredentials creds = rfc_credentials();
    Options o;
    o.nonce = [] { return std::string("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"); };
    o.fake_secret = "fuzz";
    o.fake_iterations = 4096;
    const char* names[] = {"PLAIN", "LOGIN", "SCRAM-SHA-256"};
    auto m = make_mechanism(names[mode & 3], o);
    check(m != nullptr);
    const bool initial = mode & 4;
    const bool withhold_credentials = mode & 8;  // answer nullopt even for "user"
    std::size_t next = 0;
    Step s = initial && !msgs.empty() ? m->start(msgs[next++]) : m->start(std::nullopt);
    bool real_credentials = false;
    while (true) {
        if (std::holds_alternative<Challenge>(s)) {
            if (next >= msgs.size()) return;
            s = m->step(msgs[next++]);
        } else if (auto* p = std::get_if<NeedPassword>(&s)) {
            check(valid_identity(p->authcid));
            check(!p->password.empty() && p->password.size() <= kMaxPassword &&
                  p->password.find('\0') == std::string::npos);
            break;
        } else if (auto* n = std::get_if<NeedScramCredentials>(&s)) {
            check(m->name() == "SCRAM-SHA-256");
            check(valid_identity(n->authcid));
            real_credentials = n->authcid == "user" && !withhold_credentials;
            s = m->provide_scram(real_credentials ? std::optional<ScramCredentials>(creds) : std::nullopt);
        } else if (auto* ok = std::get_if<Success>(&s)) {
            check(m->name() == "SCRAM-SHA-256" && real_credentials && ok->user == "user");
            check(ok->server_final.starts_with("v="));
            break;
        } else {
            break;  // Failure
        }
    }
    // The exchange is over: nothing more succeeds.
    for (; next < msgs.size(); ++next) check(std::holds_alternative<Failure>(m->step(msgs[next])));
    check(std::holds_alternative<Failure>(m->provide_scram(creds)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t mode = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    if ((mode & 3) == 3) {
        fuzz_base64(rest);
        return 0;
    }
    std::vector<std::string_view> msgs;
    while (rest.size() >= 2) {
        std::size_t len = (static_cast<std::uint8_t>(rest[0]) | static_cast<std::uint8_t>(rest[1]) << 8) & 0x1FFF;
        rest.remove_prefix(2);
        len = std::min(len, rest.size());
        msgs.push_back(rest.substr(0, len));
        rest.remove_prefix(len);
    }
    fuzz_mechanism(mode, msgs);
    return 0;
}
