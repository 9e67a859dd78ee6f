// Message content storage and checks: see message_sink.hpp.
#include "smtp/message_sink.hpp"

#include <cstring>

#include "core/address.hpp"

namespace tern::smtp {

void MessageSink::reset(const ContentLimits& limits) {
    limits_ = limits;
    data_.clear();
    data_.shrink_to_fit();
    octets_ = 0;
    pending_cr_ = false;
    bare_cr_lf_ = false;
    long_line_ = false;
    line_length_ = 0;
    in_headers_ = true;
    received_ = 0;
    prefix_length_ = 0;
}

void MessageSink::append(std::string_view content) {
    if (content.empty()) return;
    octets_ += content.size();
    if (octets_ > limits_.message_size) {
        if (!data_.empty()) {
            data_.clear();
            data_.shrink_to_fit();
        }
    } else {
        data_.append(content);
    }
    const char* p = content.data();
    const char* const end = p + content.size();
    const char* next_cr = nullptr;  // the next CR at or after p (end: none); found once per CR
    while (p < end) {
        if (!in_headers_ && !pending_cr_) {
            // Body fast path: up to the next CR or LF nothing but the line length changes.
            // Each byte is scanned at most twice (once for CR, once for LF), whatever the
            // mix of line endings, so crafted input cannot make this quadratic.
            if (!next_cr || next_cr < p) {
                next_cr = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(end - p)));
                if (!next_cr) next_cr = end;
            }
            const char* stop = next_cr;
            if (auto* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(stop - p))))
                stop = lf;
            line_length_ += static_cast<std::size_t>(stop - p);
            if (line_length_ + 2 > limits_.text_line) long_line_ = true;
            p = stop;
            if (p == end) break;
        }
        const char ch = *p++;
        if (pending_cr_) {
            pending_cr_ = false;
            if (ch == '\n') {
                end_line();
                continue;
            }
            bare_cr_lf_ = true;  // CR followed by something else
            ++line_length_;
        }
        if (ch == '\r') {
            pending_cr_ = true;
            continue;
        }
        if (ch == '\n') bare_cr_lf_ = true;  // LF without CR
        if (in_headers_ && prefix_length_ < prefix_.size() && line_length_ == prefix_length_) {
            prefix_[prefix_length_++] = ch;
        }
        ++line_length_;
        if (line_length_ + 2 > limits_.text_line) long_line_ = true;
    }
}

void MessageSink::end_line() {
    if (in_headers_) {
        std::string_view p(prefix_.data(), prefix_length_);
        if (line_length_ == 0) {
            in_headers_ = false;  // the empty line ending the header section (RFC 5322 2.1)
        } else if (p.size() >= 9 && iequals(p.substr(0, 8), "received")) {
            std::size_t i = 8;
            while (i < p.size() && (p[i] == ' ' || p[i] == '\t')) ++i;  // obs-optional WSP
            if (i < p.size() && p[i] == ':') ++received_;
        }
    }
    line_length_ = 0;
    prefix_length_ = 0;
}

std::optional<Reply> MessageSink::finish() {
    if (pending_cr_) {
        bare_cr_lf_ = true;  // content ended on a CR (only possible with BDAT)
        pending_cr_ = false;
    }
    if (oversize()) {
        return Reply(552, "5.3.4",
                     "Message size exceeds fixed maximum message size of " +
                         std::to_string(limits_.message_size) + " octets");
    }
    if (bare_cr_lf_) {
        return Reply(550, "5.6.0", "Message contains bare CR or LF; lines must end with CRLF");
    }
    if (long_line_) {
        return Reply(550, "5.6.0",
                     "Message has a line longer than " + std::to_string(limits_.text_line) +
                         " octets (RFC 5321 4.5.3.1.6)");
    }
    if (received_ >= limits_.received_headers) {
        return Reply(554, "5.4.6", "Too many Received headers: mail loop detected");
    }
    return std::nullopt;
}

}  // namespace tern::smtp
