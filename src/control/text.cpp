// Human-readable rendering of the queue (see text.hpp).
#include "control/text.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>

namespace tern::control {

std::string format_duration(std::int64_t s) {
    if (s < 0) s = 0;
    if (s < 60) return std::to_string(s) + "s";
    if (s < 3600) return std::to_string(s / 60) + "m";
    if (s < 86400) return std::to_string(s / 3600) + "h";
    return std::to_string(s / 86400) + "d";
}

std::string format_next_attempt(const RecipientInfo& r, std::int64_t now) {
    if (r.state == "delivered" || r.state == "failed") return "-";
    if (r.next_attempt <= now) return "now";
    return "in " + format_duration(r.next_attempt - now);
}

std::string format_time(std::int64_t t) {
    if (t == 0) return "-";
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (!::gmtime_r(&tt, &tm)) return std::to_string(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string summarize_states(const MessageInfo& m) {
    static const char* const kOrder[] = {"pending", "deferred", "delivered", "failed"};
    std::string out = m.held ? "held; " : "";
    bool first = true;
    auto add = [&](std::size_t n, std::string_view name) {
        if (n == 0) return;
        if (!first) out += ", ";
        out += std::to_string(n) + " " + std::string(name);
        first = false;
    };
    for (const char* s : kOrder)
        add(std::count_if(m.recipients.begin(), m.recipients.end(),
                          [s](const RecipientInfo& r) { return r.state == s; }),
            s);
    // States this build does not know (a newer server): counted under their own names.
    std::vector<std::string> other;
    for (const auto& r : m.recipients)
        if (std::find(std::begin(kOrder), std::end(kOrder), r.state) == std::end(kOrder) &&
            std::find(other.begin(), other.end(), r.state) == other.end())
            other.push_back(r.state);
    for (const auto& s : other)
        add(std::count_if(m.recipients.begin(), m.recipients.end(),
                          [&s](const RecipientInfo& r) { return r.state == s; }),
            printable(s));
    if (first) out += "no recipients";
    return out;
}

std::string format_sender(std::string_view sender) {
    return sender.empty() ? "<>" : printable(sender);
}

std::string printable(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return out;
}

namespace {

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

std::string render_list(const std::vector<MessageInfo>& messages, std::int64_t now) {
    if (messages.empty()) return "queue is empty\n";
    struct Row {
        std::string id, age, size, sender, state;
    };
    std::vector<Row> rows;
    Row head{"ID", "AGE", "SIZE", "SENDER", "STATE"};
    std::size_t w[4] = {head.id.size(), head.age.size(), head.size.size(), head.sender.size()};
    std::uint64_t total = 0;
    std::size_t held = 0;
    for (const auto& m : messages) {
        Row r{printable(m.id), format_duration(now - m.arrival), std::to_string(m.size),
              format_sender(m.sender), summarize_states(m)};
        w[0] = std::max(w[0], r.id.size());
        w[1] = std::max(w[1], r.age.size());
        w[2] = std::max(w[2], r.size.size());
        w[3] = std::max(w[3], r.sender.size());
        rows.push_back(std::move(r));
        total += m.size;
        held += m.held ? 1 : 0;
    }
    auto line = [&](const Row& r) {
        return pad(r.id, w[0]) + "  " + pad(r.age, w[1]) + "  " + pad(r.size, w[2]) + "  " +
               pad(r.sender, w[3]) + "  " + r.state + "\n";
    };
    std::string out = line(head);
    for (std::size_t i = 0; i < messages.size(); ++i) {
        out += line(rows[i]);
        for (const auto& rc : messages[i].recipients) {
            out += "    " + printable(rc.address) + "  " + printable(rc.state) + "  " +
                   plural(rc.attempts, "attempt");
            if (rc.state != "delivered" && rc.state != "failed")
                out += "  next " + format_next_attempt(rc, now);
            if (!rc.last_error.empty()) out += "  last error: " + printable(rc.last_error);
            out += "\n";
        }
    }
    out += "-- " + plural(messages.size(), "message") + ", " + std::to_string(total) + " bytes";
    if (held) out += ", " + std::to_string(held) + " held";
    out += "\n";
    return out;
}

std::string render_message(const MessageInfo& m, std::int64_t now) {
    std::string out;
    auto field = [&out](std::string_view name, const std::string& value, std::string_view indent = "") {
        out += std::string(indent) + pad(std::string(name) + ":", indent.empty() ? 12 : 14) + value + "\n";
    };
    field("id", printable(m.id));
    field("arrival", format_time(m.arrival) + " (" + format_duration(now - m.arrival) + " ago)");
    field("sender", format_sender(m.sender));
    field("size", std::to_string(m.size) + " bytes");
    field("held", m.held ? "yes (no delivery until released)" : "no");
    field("state", summarize_states(m));
    field("recipients", std::to_string(m.recipients.size()));
    for (const auto& r : m.recipients) {
        out += "  " + printable(r.address) + "\n";
        field("state", printable(r.state), "    ");
        field("attempts", std::to_string(r.attempts), "    ");
        std::string next = format_next_attempt(r, now);
        if (next != "-" && r.next_attempt != 0) next = format_time(r.next_attempt) + " (" + next + ")";
        field("next", next, "    ");
        field("last error", r.last_error.empty() ? "-" : printable(r.last_error), "    ");
    }
    return out;
}

}  // namespace tern::control
