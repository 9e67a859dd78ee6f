// A minimal MIME reader for the DSN tests: splits a CRLF message into header fields and
// body, a multipart body into its parts (RFC 2046 5.1.1), and a delivery-status body into
// its field groups (RFC 3464 2.1). Strict on purpose: anything unexpected fails the test.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tern::dsn::test {

struct Entity {
    std::vector<std::pair<std::string, std::string>> fields;  // name, unfolded value
    std::string body;

    std::string get(std::string_view name) const {
        for (const auto& [n, v] : fields) {
            if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                })) {
                return v;
            }
        }
        return "";
    }
};

// Header fields up to the first empty line; continuation lines are unfolded.
inline Entity parse_entity(std::string_view text) {
    Entity e;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find("\r\n", pos);
        if (end == std::string_view::npos) {
            ADD_FAILURE() << "header without CRLF";
            return e;
        }
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 2;
        if (line.empty()) break;
        if (line[0] == ' ' || line[0] == '\t') {
            if (e.fields.empty()) {
                ADD_FAILURE() << "continuation without field";
                return e;
            }
            e.fields.back().second += std::string(line);
            continue;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            ADD_FAILURE() << "field without colon: " << line;
            return e;
        }
        std::string value(line.substr(colon + 1));
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        e.fields.emplace_back(std::string(line.substr(0, colon)), value);
    }
    e.body = std::string(text.substr(pos));
    return e;
}

inline std::string boundary_of(const std::string& content_type) {
    auto p = content_type.find("boundary=\"");
    if (p == std::string::npos) return "";
    p += 10;
    return content_type.substr(p, content_type.find('"', p) - p);
}

// The parts of a multipart body; fails the test on a missing close delimiter.
inline std::vector<Entity> parse_parts(const std::string& body, const std::string& boundary) {
    std::vector<Entity> parts;
    const std::string delim = "\r\n--" + boundary;
    std::string b = "\r\n" + body;  // the first delimiter has no CRLF of its own in front
    std::size_t pos = b.find(delim);
    while (pos != std::string::npos) {
        std::size_t after = pos + delim.size();
        if (b.compare(after, 4, "--\r\n") == 0) return parts;
        EXPECT_EQ(b.compare(after, 2, "\r\n"), 0) << "delimiter not followed by CRLF";
        std::size_t next = b.find(delim, after);
        if (next == std::string::npos) break;
        parts.push_back(parse_entity(std::string_view(b).substr(after + 2, next - after - 2)));
        pos = next;
    }
    ADD_FAILURE() << "no close delimiter";
    return parts;
}

// RFC 3464 groups: the per-message fields, then one group per recipient.
inline std::vector<std::map<std::string, std::string>> parse_status(const std::string& body) {
    std::vector<std::map<std::string, std::string>> groups(1);
    std::size_t pos = 0;
    std::string last;
    while (pos < body.size()) {
        std::size_t end = body.find("\r\n", pos);
        std::string line = body.substr(pos, end - pos);
        pos = end + 2;
        if (line.empty()) {
            groups.emplace_back();
            continue;
        }
        if (line[0] == ' ') {
            groups.back()[last] += line;
            continue;
        }
        auto colon = line.find(':');
        last = line.substr(0, colon);
        groups.back()[last] = line.substr(colon + 2);
    }
    return groups;
}

// Only CRLF line ends, no line over 998 octets, and the boundary only on delimiter lines.
inline void expect_well_formed(const std::string& m) {
    std::size_t pos = 0;
    while (pos < m.size()) {
        std::size_t end = m.find("\r\n", pos);
        ASSERT_NE(end, std::string::npos) << "message does not end with CRLF";
        std::string_view line(m.data() + pos, end - pos);
        ASSERT_EQ(line.find('\r'), std::string_view::npos) << "bare CR";
        ASSERT_EQ(line.find('\n'), std::string_view::npos) << "bare LF";
        ASSERT_LE(line.size(), 998u);
        pos = end + 2;
    }
    Entity top = parse_entity(m);
    std::string boundary = boundary_of(top.get("Content-Type"));
    ASSERT_FALSE(boundary.empty());
    std::size_t at = 0;
    while ((at = m.find(boundary, at)) != std::string::npos) {
        bool in_header = m.compare(at - 10, 10, "boundary=\"") == 0;
        bool delimiter = at >= 4 && m.compare(at - 4, 4, "\r\n--") == 0;
        EXPECT_TRUE(in_header || delimiter) << "boundary inside content at " << at;
        at += boundary.size();
    }
}

}  // namespace tern::dsn::test
