// DATA end detection and dot-unstuffing: see data_reader.hpp.
#include "smtp/data_reader.hpp"

#include <cstring>

namespace tern::smtp {

std::size_t DataReader::consume(std::string_view in, MessageSink& sink) {
    std::size_t run = 0;  // start of the octets still to pass through unchanged
    auto flush = [&](std::size_t end) {
        if (end > run) sink.append(in.substr(run, end - run));
        run = end;
    };
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        switch (state_) {
            case State::LineStart:
                if (c == '.') {
                    flush(i);
                    run = i + 1;  // the leading dot is dropped: stuffing or the terminator
                    state_ = State::Dot;
                } else {
                    state_ = c == '\r' ? State::InLineCR : State::InLine;
                }
                break;
            case State::InLine: {
                // Inside a line only a CR can change anything: jump to it (memchr is
                // vectorised; this loop is the hot path for large messages).
                auto* cr = static_cast<const char*>(std::memchr(in.data() + i, '\r', in.size() - i));
                if (!cr) {
                    i = in.size() - 1;  // the rest is line content; the loop ends
                } else {
                    i = static_cast<std::size_t>(cr - in.data());
                    state_ = State::InLineCR;
                }
                break;
            }
            case State::InLineCR:
                if (c == '\n') state_ = State::LineStart;
                else if (c != '\r') state_ = State::InLine;
                break;
            case State::Dot:
                if (c == '\r') {
                    flush(i);
                    run = i + 1;  // hold the CR until we know whether LF follows
                    state_ = State::DotCR;
                } else {
                    state_ = State::InLine;  // a bare LF here is content, not an end
                }
                break;
            case State::DotCR:
                if (c == '\n') {
                    flush(i);  // empty: the dot and CR were never part of the run
                    state_ = State::Done;
                    return i + 1;
                }
                flush(i);
                sink.append("\r");  // the held CR was content after all (a bare CR)
                state_ = c == '\r' ? State::InLineCR : State::InLine;
                break;
            case State::Done:
                return i;
        }
    }
    flush(in.size());  // a held dot or CR is past `run` already, it stays held in the state
    return in.size();
}

}  // namespace tern::smtp
