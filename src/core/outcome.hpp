// The three outcomes every step on a mail path ends in, with the RFC 3463 enhanced status
// code that goes with them. One place (smtp/reply) maps them to SMTP reply codes.
#pragma once

#include <string>

namespace tern {

enum class OutcomeKind { Ok, Temporary, Permanent };

struct Outcome {
    OutcomeKind kind = OutcomeKind::Ok;
    int code = 250;            // basic SMTP reply code (2xx/4xx/5xx)
    std::string enhanced;      // RFC 3463 "class.subject.detail", e.g. "5.1.1"
    std::string text;          // human-readable, never containing CR or LF

    static Outcome ok(std::string text = "OK", std::string enhanced = "2.0.0", int code = 250);
    static Outcome temporary(std::string enhanced, std::string text, int code = 451);
    static Outcome permanent(std::string enhanced, std::string text, int code = 550);

    bool is_ok() const { return kind == OutcomeKind::Ok; }
    bool is_temporary() const { return kind == OutcomeKind::Temporary; }
    bool is_permanent() const { return kind == OutcomeKind::Permanent; }
    // "451 4.3.0 text" — single line form, for logs and DSN diagnostic text.
    std::string str() const;
};

}  // namespace tern
