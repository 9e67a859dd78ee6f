// SASL PLAIN, server side (RFC 4616): message = [authzid] NUL authcid NUL passwd, UTF-8.
//
// Without an initial response the server sends an empty challenge (RFC 4422 5 / RFC 4616 2).
// Refused as Malformed: not exactly two NULs, an empty or over-long authcid or password,
// invalid UTF-8, control characters in an identity. An authzid that differs from the
// authcid is Rejected (no proxy authorization). The password goes out in NeedPassword and
// is not kept.
#pragma once

#include "sasl/mechanism.hpp"

namespace tern::sasl {

class PlainMechanism final : public Mechanism {
public:
    std::string_view name() const override { return "PLAIN"; }
    Step start(std::optional<std::string_view> initial_response) override;
    Step step(std::string_view response) override;

private:
    Step parse(std::string_view message);
    bool waiting_ = false;  // the empty challenge was sent, the message is due
};

}  // namespace tern::sasl
