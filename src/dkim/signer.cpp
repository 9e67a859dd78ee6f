#include "dkim/signer.hpp"
#include "core/address.hpp"

#include <algorithm>

#include "core/base64.hpp"
#include "dkim/canonical.hpp"
#include "dkim/signature.hpp"

namespace tern::dkim {
namespace {

// Appends `piece` to the field, breaking the line first when it would pass 78 columns.
void append_folded(std::string& out, std::size_t& column, std::string_view piece, bool space = true) {
    if (column + piece.size() + 1 > 78 && column > 1) {
        out += "\r\n\t";
        column = 1;
    } else if (space) {
        out += ' ';
        ++column;
    }
    out += piece;
    column += piece.size();
}

}  // namespace

std::vector<std::string> SignOptions::default_headers() {
    return {"from", "reply-to", "subject", "date", "to", "cc", "resent-date", "resent-from", "resent-to",
            "resent-cc", "in-reply-to", "references", "message-id", "mime-version", "content-type",
            "content-transfer-encoding", "content-disposition", "list-id", "list-help", "list-unsubscribe",
            "list-unsubscribe-post", "list-subscribe", "list-post", "list-owner", "list-archive"};
}

std::vector<std::string> SignOptions::default_oversign() {
    return {"from", "reply-to", "subject", "date", "to", "cc", "message-id", "mime-version", "content-type",
            "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post"};
}

std::string sign(std::string_view message, const std::vector<SigningKey>& keys, const SignOptions& options) {
    if (keys.empty()) return {};
    // A message that already has CRLF line ends only (what SMTP DATA gives) is used as it is.
    std::string converted;
    std::string_view wire = message;
    if (!is_wire_form(message)) {
        converted = wire_form(message);
        wire = converted;
    }
    SplitMessage split = split_message(wire);

    // The h= list, the same for every key.
    std::vector<std::string> present;
    present.reserve(split.headers.size());
    for (const auto& h : split.headers) present.push_back(ascii_lower(h.name));
    std::vector<std::string> headers;
    for (const auto& name : options.headers) {
        std::string n = ascii_lower(name);
        std::size_t count = std::count(present.begin(), present.end(), n);
        if (std::find(options.oversign.begin(), options.oversign.end(), n) != options.oversign.end()) ++count;
        for (std::size_t i = 0; i < count; ++i) headers.push_back(n);
    }
    if (headers.empty() || headers.front() != "from") {
        // From must be signed (RFC 6376 5.4), whatever the options say.
        headers.insert(headers.begin(), "from");
    }
    const std::string bh = base64_encode(body_hash(split.body, true, std::nullopt));

    std::string out;
    for (const auto& k : keys) {
        Signature sig;
        sig.algorithm = k.key->algorithm();
        sig.header_relaxed = sig.body_relaxed = true;
        sig.domain = ascii_lower(options.domain);
        sig.selector = ascii_lower(k.selector);
        sig.headers = headers;

        std::string field = "DKIM-Signature:";
        std::size_t column = field.size();
        append_folded(field, column, "v=1;");
        append_folded(field, column, "a=" + std::string(algorithm_name(sig.algorithm)) + ";");
        append_folded(field, column, "c=relaxed/relaxed;");
        append_folded(field, column, "d=" + sig.domain + ";");
        append_folded(field, column, "s=" + sig.selector + ";");
        append_folded(field, column, "t=" + std::to_string(options.timestamp) + ";");
        if (options.expire_after)
            append_folded(field, column, "x=" + std::to_string(options.timestamp + *options.expire_after) + ";");
        for (std::size_t i = 0; i < sig.headers.size(); ++i) {
            std::string piece = sig.headers[i] + (i + 1 < sig.headers.size() ? ":" : ";");
            if (i == 0) piece = "h=" + piece;
            append_folded(field, column, piece, i == 0);
        }
        append_folded(field, column, "bh=" + bh + ";");
        append_folded(field, column, "b=");

        std::string input = header_hash_input(split, sig, field);
        std::string b = base64_encode(k.key->sign(input));
        // The b= value, folded: it was empty when hashed, and folding inside it is ignored.
        for (std::size_t i = 0; i < b.size();) {
            std::size_t room = column >= 76 ? 0 : 76 - column;
            if (room < 8) {
                field += "\r\n\t";
                column = 1;
                continue;
            }
            std::size_t n = std::min(room, b.size() - i);
            field.append(b, i, n);
            column += n;
            i += n;
        }
        out += field + "\r\n";
    }
    return out;
}

std::string sign(std::string_view message, const PrivateKey& key, const SignOptions& options) {
    return sign(message, std::vector<SigningKey>{{&key, options.selector}}, options);
}

}  // namespace tern::dkim
