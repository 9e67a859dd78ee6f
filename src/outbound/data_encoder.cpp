// Streaming DATA encoding: CRLF normalisation and dot-stuffing (RFC 5321 2.3.8, 4.5.2). See
// data_encoder.hpp.
#include "outbound/data_encoder.hpp"

namespace tern::outbound {

void DataEncoder::encode(std::string_view chunk, std::string& out) {
    out.reserve(out.size() + chunk.size() + chunk.size() / 64 + 8);
    std::size_t i = 0;
    while (i < chunk.size()) {
        char c = chunk[i];
        if (pending_cr_) {
            pending_cr_ = false;
            // CRLF was written for the CR: its LF is already on the wire.
            if (c == '\n') {
                ++i;
                continue;
            }
        }
        if (c == '\r') {
            out += "\r\n";
            pending_cr_ = true;
            line_start_ = true;
            ++i;
            continue;
        }
        if (c == '\n') {
            out += "\r\n";
            line_start_ = true;
            ++i;
            continue;
        }
        if (line_start_ && c == '.') out.push_back('.');
        line_start_ = false;
        // Copy the run of ordinary octets up to the next CR or LF in one go.
        std::size_t end = chunk.find_first_of("\r\n", i);
        if (end == std::string_view::npos) end = chunk.size();
        out.append(chunk.substr(i, end - i));
        i = end;
    }
}

void DataEncoder::finish(std::string& out) {
    if (!line_start_) out += "\r\n";
    out += ".\r\n";
    reset();
}

std::string encode_data(std::string_view message) {
    DataEncoder e;
    std::string out;
    e.encode(message, out);
    e.finish(out);
    return out;
}

}  // namespace tern::outbound
