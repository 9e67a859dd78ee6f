// libFuzzer harness for the SMTP command parser and its helpers (src/smtp/command_parser,
// esmtp_params, reply, received_header). Invariants checked beyond "no crash / no UB":
//  - a parsed MAIL/RCPT path holds no control bytes and no angle brackets outside quotes;
//  - every formatted reply is CRLF-terminated lines of "ddd" + ' ' or '-', no bare CR/LF;
//  - xtext_decode(xtext_encode(x)) == x;
//  - a composed Received: header is only folded lines of printable ASCII.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "smtp/command_parser.hpp"
#include "smtp/esmtp_params.hpp"
#include "smtp/received_header.hpp"
#include "smtp/reply.hpp"

using namespace tern;
using namespace tern::smtp;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void check_reply(const Reply& r) {
    std::string s = r.format();
    check(s.size() >= 6 && s.substr(s.size() - 2) == "\r\n");
    std::size_t start = 0;
    while (start < s.size()) {
        auto end = s.find("\r\n", start);
        check(end != std::string::npos);
        std::string_view line(s.data() + start, end - start);
        check(line.size() >= 4 && (line[3] == ' ' || line[3] == '-'));
        for (char c : line) check(c != '\r' && c != '\n');
        start = end + 2;
    }
}

void check_header(const std::string& h) {
    check(h.size() > 2 && h.substr(h.size() - 2) == "\r\n");
    for (std::size_t i = 0; i < h.size(); ++i) {
        auto c = static_cast<unsigned char>(h[i]);
        if (c == '\r') {
            check(i + 1 < h.size() && h[i + 1] == '\n');
            check(i + 2 == h.size() || h[i + 2] == '\t');
        } else if (c == '\n') {
            check(i > 0 && h[i - 1] == '\r');
        } else {
            check(c == '\t' || (c >= 0x20 && c < 0x7F));
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    bool utf8 = size > 0 && (data[0] & 1);

    auto parsed = parse_command(in, utf8);
    if (auto* cmd = std::get_if<Command>(&parsed)) {
        for (char ch : cmd->path) check(static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7F);
        for (char ch : cmd->argument) check(static_cast<unsigned char>(ch) >= 0x20);
        check(cmd->mail.envid.size() <= kMaxEnvidLength);
        if (cmd->rcpt.notify & kNotifyNever) check(cmd->rcpt.notify == kNotifyNever);
    } else {
        check_reply(std::get<ParseError>(parsed).reply);
    }

    std::string s(in);
    check(xtext_decode(xtext_encode(s)) == s);
    if (auto d = xtext_decode(in)) check(d->size() <= in.size());
    (void)parse_mail_params(in);
    (void)parse_rcpt_params(in);

    // Arbitrary bytes as every client-controlled field of the Received header.
    auto third = size / 3;
    ReceivedFacts f;
    f.helo = in.substr(0, third);
    f.recipient = in.substr(third, third);
    f.peer_address = in.substr(2 * third);
    f.hostname = "mx.example.test";
    f.protocol = in.substr(0, 8);
    f.queue_id = in.substr(third / 2, 12);
    f.unix_time = static_cast<std::int64_t>(std::hash<std::string_view>{}(in));
    f.utc_offset_minutes = static_cast<int>(size % 3000) - 1500;
    check_header(compose_received(f));

    tern::Outcome o{static_cast<tern::OutcomeKind>(size % 3), static_cast<int>(size % 700), std::string(in.substr(0, 9)),
                    std::string(in)};
    check_reply(reply_from_outcome(o));
    return 0;
}
