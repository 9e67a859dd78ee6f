// The IMAP command reader: see command_reader.hpp.
#include "imap/command_reader.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "imap/char_class.hpp"

namespace tern::imap {
namespace {

// Enough for "~{" + 19 digits + "+}" and a CR, with room to see that a digit run is too long.
constexpr std::size_t kTailWindow = 32;
// number64 (RFC 9051 9): at most 2^63-1.
constexpr std::uint64_t kMaxNumber64 = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view tag_of(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && is_tag_char(line[i])) ++i;
    if (i == 0 || (i < line.size() && line[i] != ' ')) return {};
    return line.substr(0, i);
}

// The tag of a line that may be cut short: only a tag followed by SP counts.
std::string_view tag_before_space(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && is_tag_char(line[i])) ++i;
    if (i == 0 || i >= line.size() || line[i] != ' ') return {};
    return line.substr(0, i);
}

// The last kTailWindow octets of a line, and whether anything came before them.
std::pair<std::string_view, bool> window_of(std::string_view line) {
    if (line.size() <= kTailWindow) return {line, false};
    return {line.substr(line.size() - kTailWindow), true};
}

// The word after the tag, or after "UID".
std::string_view command_of(std::string_view line) {
    auto word = [&line](std::size_t from) -> std::pair<std::string_view, std::size_t> {
        if (from >= line.size()) return {{}, line.size()};
        auto end = line.find(' ', from);
        if (end == std::string_view::npos) end = line.size();
        return {line.substr(from, end - from), end + 1};
    };
    auto [tag, after_tag] = word(0);
    auto [name, after_name] = word(after_tag);
    if (name.size() == 3 && (name[0] | 0x20) == 'u' && (name[1] | 0x20) == 'i' && (name[2] | 0x20) == 'd')
        return word(after_name).first;
    return name;
}

struct Marker {
    bool found = false;
    bool readable = false;
    std::uint64_t size = 0;
    bool sync = true;
    bool binary = false;
};

// A literal marker at the end of `line` ("{n}", "{n+}", "~{n}", "~{n+}"). `truncated`: the
// line's beginning was dropped (a tail window), so a digit run reaching the start of `line`
// may be the end of a marker whose count is too long to read.
Marker literal_marker(std::string_view line, bool truncated) {
    Marker m;
    if (line.empty() || line.back() != '}') return m;
    std::size_t i = line.size() - 1;
    if (i > 0 && line[i - 1] == '+') {
        m.sync = false;
        --i;
    }
    std::size_t end = i;
    while (i > 0 && is_digit(line[i - 1])) --i;
    std::size_t ndigits = end - i;
    if (ndigits == 0) return m;
    if (i == 0) {
        m.found = truncated;  // unreadable; otherwise no "{" at all: not a marker
        return m;
    }
    if (line[i - 1] != '{') return m;
    m.found = true;
    m.binary = i >= 2 && line[i - 2] == '~';
    if (ndigits > 19) return m;
    std::uint64_t v = 0;
    for (std::size_t k = i; k < end; ++k) v = v * 10 + static_cast<unsigned>(line[k] - '0');
    if (v > kMaxNumber64) return m;
    m.readable = true;
    m.size = v;
    return m;
}

std::string_view strip_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

}  // namespace

std::string_view RawCommand::tag() const {
    std::string_view first = text;
    if (!literals.empty()) first = first.substr(0, literals.front().offset);
    return tag_of(first);
}

CommandReader::CommandReader(ReaderOptions options) : opts_(std::move(options)) {}

void CommandReader::feed(std::string_view bytes) {
    if (state_ == State::Dead) return;
    if (pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
    } else if (pos_ > 0 && pos_ >= buf_.size() / 2) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    buf_.append(bytes);
}

void CommandReader::consume(std::size_t n) {
    pos_ += n;
    scanned_ = scanned_ > n ? scanned_ - n : 0;
}

std::size_t CommandReader::find_lf() {
    auto lf = buf_.find('\n', pos_ + scanned_);
    if (lf == std::string::npos) {
        scanned_ = buffered();
        return std::string::npos;
    }
    return lf;
}

std::string CommandReader::take_buffered() {
    std::string rest = buf_.substr(pos_);
    buf_.clear();
    pos_ = 0;
    scanned_ = 0;
    return rest;
}

void CommandReader::expect_idle_done() {
    if (state_ == State::Line && !rejecting_ && cmd_.text.empty()) state_ = State::IdleLine;
}

void CommandReader::expect_auth_response() {
    if (state_ == State::Line && !rejecting_ && cmd_.text.empty()) state_ = State::AuthLine;
}

void CommandReader::reset_command() {
    cmd_ = RawCommand{};
    counted_ = 0;
    remaining_ = 0;
    rejecting_ = false;
    pending_ = CommandRejected{};
    tail_.clear();
    discarded_ = 0;
}

CommandRejected CommandReader::rejection(RejectReason reason, std::uint64_t literal_size, bool fatal) const {
    CommandRejected r;
    r.tag = std::string(cmd_.tag());
    r.reason = reason;
    r.literal_size = literal_size;
    r.fatal = fatal;
    return r;
}

// From now on the command is discarded. `first_line`: the (possibly partial) over-long first
// line, when nothing is stored yet. Its tag counts only when followed by SP within the first
// max_line + 1 octets, which every way of chunking the line gets to see.
void CommandReader::begin_discard(RejectReason reason, std::string_view first_line) {
    if (rejecting_) return;
    rejecting_ = true;
    if (cmd_.text.empty()) cmd_.text.assign(tag_before_space(first_line.substr(0, opts_.max_line + 1)));
    pending_ = rejection(reason, 0, false);
    cmd_.text.clear();
    cmd_.text.shrink_to_fit();
    cmd_.literals.clear();
}

void CommandReader::remember_tail(std::string_view bytes) {
    discarded_ += bytes.size();
    if (bytes.size() > kTailWindow + 1) bytes = bytes.substr(bytes.size() - kTailWindow - 1);
    tail_.append(bytes);
    if (tail_.size() > kTailWindow + 1) tail_.erase(0, tail_.size() - kTailWindow - 1);
}

std::optional<ReaderEvent> CommandReader::finish_command() {
    std::optional<ReaderEvent> ev;
    if (rejecting_) ev = std::move(pending_);
    else ev = CommandReady{std::move(cmd_)};
    reset_command();
    state_ = State::Line;
    return ev;
}

// The end of a line of a command that is being discarded: its last kTailWindow octets (without
// CR/LF), `truncated` when the line was longer. Only the window is looked at, whether or not
// the whole line happened to be buffered, so the outcome never depends on chunking.
std::optional<ReaderEvent> CommandReader::end_of_rejected_line(std::string_view tail, bool truncated) {
    Marker m = literal_marker(tail, truncated);
    // No literal follows, or a synchronising one the client will not send without our "+":
    // the command ends here.
    if (!m.found || m.sync) return finish_command();
    if (!m.readable || m.size > opts_.max_skip) {
        CommandRejected r = std::move(pending_);
        r.fatal = true;
        if (m.readable) r.literal_size = m.size;
        reset_command();
        state_ = State::Dead;
        buf_.clear();
        pos_ = 0;
        scanned_ = 0;
        return r;
    }
    remaining_ = m.size;
    state_ = State::Skip;
    return std::nullopt;
}

std::optional<ReaderEvent> CommandReader::end_of_line(std::string_view line) {
    auto [window, truncated] = window_of(line);
    if (rejecting_) return end_of_rejected_line(window, truncated);
    if (line.size() > opts_.max_line) {
        begin_discard(RejectReason::LineTooLong, line);
        return end_of_rejected_line(window, truncated);
    }
    if (counted_ + line.size() > opts_.max_command) {
        begin_discard(RejectReason::CommandTooLarge, line);
        return end_of_rejected_line(window, truncated);
    }
    cmd_.text.append(line);
    counted_ += line.size();
    Marker m = literal_marker(line, false);
    if (!m.found) return finish_command();
    return start_literal(line);
}

std::optional<ReaderEvent> CommandReader::start_literal(std::string_view line) {
    Marker m = literal_marker(line, false);
    auto refuse = [&](RejectReason reason) -> std::optional<ReaderEvent> {
        begin_discard(reason, {});
        pending_.literal_size = m.size;
        auto [window, truncated] = window_of(line);
        return end_of_rejected_line(window, truncated);
    };
    if (!m.readable) return refuse(RejectReason::BadLiteralCount);

    std::string_view first_line = cmd_.text;
    if (!cmd_.literals.empty()) first_line = first_line.substr(0, cmd_.literals.front().offset);
    LiteralRequest req;
    req.tag = tag_of(first_line);
    req.command = command_of(first_line);
    req.size = m.size;
    req.synchronizing = m.sync;
    req.binary = m.binary;
    req.index = cmd_.literals.size();
    req.command_size = cmd_.text.size();
    std::uint64_t limit = opts_.literal_limit ? opts_.literal_limit(req) : opts_.max_literal;

    if (!m.sync && opts_.non_sync == NonSyncLiterals::Minus && m.size > kLiteralMinusMax)
        return refuse(RejectReason::NonSyncTooLarge);
    if (m.size > limit || m.size > cmd_.text.max_size() - cmd_.text.size())
        return refuse(RejectReason::LiteralTooLarge);
    bool counted = m.size <= opts_.max_literal;
    if (counted && counted_ + m.size > opts_.max_command) return refuse(RejectReason::CommandTooLarge);

    if (counted) counted_ += m.size;
    cmd_.literals.push_back({cmd_.text.size(), static_cast<std::size_t>(m.size), m.binary, m.sync});
    remaining_ = m.size;
    state_ = remaining_ > 0 ? State::Literal : State::Line;
    if (m.sync) return SendContinuation{m.size};
    return std::nullopt;
}

std::optional<ReaderEvent> CommandReader::step_special() {
    bool idle = state_ == State::IdleLine;
    std::size_t limit = idle ? opts_.max_line : opts_.max_auth_line;
    auto lf = find_lf();
    if (lf == std::string::npos) {
        if (buffered() > limit + 1) {
            special_idle_ = idle;
            state_ = State::DiscardSpecial;
        }
        return std::nullopt;
    }
    std::string_view line = strip_cr(std::string_view(buf_).substr(pos_, lf - pos_));
    std::optional<ReaderEvent> ev;
    if (idle) {
        ev = IdleEnded{line.size() <= limit && iequals(line, "DONE")};
    } else if (line.size() > limit) {
        ev = AuthResponse{AuthResponseKind::TooLong, {}};
    } else if (line == "*") {
        ev = AuthResponse{AuthResponseKind::Cancel, {}};
    } else {
        ev = AuthResponse{AuthResponseKind::Data, std::string(line)};
    }
    consume(lf + 1 - pos_);
    state_ = State::Line;
    return ev;
}

std::optional<ReaderEvent> CommandReader::next() {
    while (true) {
        switch (state_) {
            case State::Dead:
                return std::nullopt;

            case State::Literal:
            case State::Skip: {
                std::size_t avail = buffered();
                if (avail == 0) return std::nullopt;
                auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, avail));
                if (state_ == State::Literal) cmd_.text.append(buf_, pos_, n);
                consume(n);
                remaining_ -= n;
                if (remaining_ == 0) state_ = State::Line;
                break;
            }

            case State::Line: {
                auto lf = find_lf();
                if (lf == std::string::npos) {
                    if (buffered() > opts_.max_line + 1) {
                        begin_discard(RejectReason::LineTooLong, std::string_view(buf_).substr(pos_));
                        tail_.clear();
                        discarded_ = 0;
                        state_ = State::DiscardLine;
                        break;
                    }
                    return std::nullopt;
                }
                std::string_view line = strip_cr(std::string_view(buf_).substr(pos_, lf - pos_));
                auto ev = end_of_line(line);
                if (state_ != State::Dead) consume(lf + 1 - pos_);
                if (ev) return ev;
                break;
            }

            case State::DiscardLine: {
                auto lf = find_lf();
                if (lf == std::string::npos) {
                    remember_tail(std::string_view(buf_).substr(pos_));
                    consume(buffered());
                    return std::nullopt;
                }
                remember_tail(std::string_view(buf_).substr(pos_, lf - pos_));
                consume(lf + 1 - pos_);
                std::string tail = std::move(tail_);
                tail_.clear();
                std::string_view line_end = tail;
                std::uint64_t length = discarded_;
                if (!line_end.empty() && line_end.back() == '\r') {
                    line_end.remove_suffix(1);
                    --length;
                }
                if (line_end.size() > kTailWindow) line_end.remove_prefix(line_end.size() - kTailWindow);
                auto ev = end_of_rejected_line(line_end, length > kTailWindow);
                if (ev) return ev;
                break;
            }

            case State::IdleLine:
            case State::AuthLine: {
                auto ev = step_special();
                if (ev) return ev;
                if (state_ == State::DiscardSpecial) break;  // over-long: discard what we have
                return std::nullopt;
            }

            case State::DiscardSpecial: {
                auto lf = find_lf();
                if (lf == std::string::npos) {
                    consume(buffered());
                    return std::nullopt;
                }
                consume(lf + 1 - pos_);
                state_ = State::Line;
                if (special_idle_) return IdleEnded{false};
                return AuthResponse{AuthResponseKind::TooLong, {}};
            }
        }
    }
}

}  // namespace tern::imap
