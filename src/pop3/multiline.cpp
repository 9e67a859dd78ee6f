// POP3 multi-line message responses: see multiline.hpp.
//
// One walk over the content serves both the size computation and the copy (a template over
// the sink), so the two can never disagree. The walk is linear in the content whatever its
// line ends: the position of the next LF is remembered, not searched again for every line a
// bare CR ends.
#include "pop3/multiline.hpp"

#include <cstring>

namespace tern::pop3 {
namespace {

struct Counter {
    std::size_t n = 0;
    void put(char) { ++n; }
    void append(std::string_view s) { n += s.size(); }
};

struct Appender {
    std::string& out;
    void put(char c) { out.push_back(c); }
    void append(std::string_view s) { out.append(s); }
};

template <class Sink>
void convert(std::string_view in, std::optional<std::size_t> top, Sink& sink) {
    const std::size_t n = in.size();
    bool in_body = false;         // past the blank line that ends the header
    std::size_t body_lines = 0;
    std::size_t pos = 0;
    std::size_t lf = 0;           // the next LF at or after pos (n when none)
    bool lf_known = false;
    while (pos < n) {
        if (top && in_body && body_lines >= *top) break;
        if (!lf_known || lf < pos) {
            lf = in.find('\n', pos);
            if (lf == std::string_view::npos) lf = n;
            lf_known = true;
        }
        std::size_t end = lf;     // the line is [pos, end)
        std::size_t next = lf + 1;
        if (const void* cr = std::memchr(in.data() + pos, '\r', lf - pos)) {
            end = static_cast<std::size_t>(static_cast<const char*>(cr) - in.data());
            next = end + 1 < n && in[end + 1] == '\n' ? end + 2 : end + 1;  // CRLF or bare CR
        }
        if (end > pos && in[pos] == '.') sink.put('.');
        sink.append(in.substr(pos, end - pos));
        sink.append("\r\n");
        if (in_body) {
            ++body_lines;
        } else if (end == pos) {
            in_body = true;
        }
        pos = next;
    }
    sink.append(".\r\n");
}

}  // namespace

std::size_t multiline_size(std::string_view content, std::optional<std::size_t> top) {
    Counter c;
    convert(content, top, c);
    return c.n;
}

void append_multiline(std::string& out, std::string_view content, std::optional<std::size_t> top) {
    out.reserve(out.size() + multiline_size(content, top));
    Appender a{out};
    convert(content, top, a);
}

std::string multiline_response(std::string_view status, std::string_view content, std::optional<std::size_t> top) {
    std::string out;
    out.reserve(status.size() + multiline_size(content, top));
    out.append(status);
    Appender a{out};
    convert(content, top, a);
    return out;
}

}  // namespace tern::pop3
