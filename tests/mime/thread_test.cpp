// THREAD=REFERENCES and THREAD=ORDEREDSUBJECT (RFC 5256 3).
#include <gtest/gtest.h>

#include <cctype>
#include <functional>

#include "mime/thread.hpp"

namespace tern::mime {
namespace {

// Renders a tree the way IMAP would, with 1-based message numbers, to compare compactly:
// "(1 2 (3)(4))". A dummy is rendered without a number.
std::string render(const ThreadTree& t) {
    std::string out;
    // Recursive on purpose: test trees are shallow.
    std::function<void(std::uint32_t, bool)> node = [&](std::uint32_t n, bool open) {
        const auto& nd = t.nodes[n];
        if (open) {
            if (!out.empty() && std::isdigit(static_cast<unsigned char>(out.back()))) out += ' ';
            out += '(';
        }
        if (nd.message) {
            if (out.back() != '(') out += ' ';
            out += std::to_string(*nd.message + 1);
        }
        if (nd.children.size() == 1 && nd.message) {
            node(nd.children[0], false);
        } else {
            for (auto c : nd.children) node(c, true);
        }
        if (open) out += ')';
    };
    for (auto r : t.roots) node(r, true);
    return out;
}

ThreadInput msg(std::string id, std::vector<std::string> refs, std::string subject,
                std::int64_t date, bool reply = false) {
    return {std::move(id), std::move(refs), std::move(subject), reply, date};
}

TEST(Thread, ReferencesChainsAndSiblings) {
    std::vector<ThreadInput> in = {
        msg("a", {}, "topic", 100),
        msg("b", {"a"}, "topic", 200, true),
        msg("c", {"a", "b"}, "topic", 300, true),
        msg("d", {"a"}, "topic", 250, true),
        msg("e", {}, "other", 50),
    };
    EXPECT_EQ(render(thread_references(in)), "(5)(1 (2 3)(4))");
}

TEST(Thread, MissingParentBecomesADummyOnlyWhenNeeded) {
    // Two replies to a message we do not have: a dummy root with two children.
    std::vector<ThreadInput> in = {
        msg("x", {"gone"}, "s1", 10, true),
        msg("y", {"gone"}, "s1", 20, true),
        msg("z", {"lost"}, "s2", 5, true),  // single child of a dummy: promoted
    };
    EXPECT_EQ(render(thread_references(in)), "(3)((1)(2))");
}

TEST(Thread, SubjectMerging) {
    std::vector<ThreadInput> in = {
        msg("1", {}, "Party", 10),
        msg("2", {}, "party", 20, true),  // a reply by subject only (i;ascii-casemap)
        msg("3", {}, "Other", 15),
        msg("4", {}, "Other", 30),  // neither is a reply: both under a new dummy
        msg("5", {}, "", 40),       // empty subjects are not merged
        msg("6", {}, "", 41),
    };
    EXPECT_EQ(render(thread_references(in)), "(1 2)((3)(4))(5)(6)");
}

TEST(Thread, DuplicateAndMissingMessageIdsAndLoops) {
    std::vector<ThreadInput> in = {
        msg("a", {"b"}, "x", 1),  // b is a's parent
        msg("b", {"a"}, "y", 2),  // would close a loop: b stays above a
        msg("a", {}, "z", 3),     // duplicate id: a separate message
        msg("", {"a"}, "w", 4),   // no id
        msg("self", {"self"}, "v", 5),
    };
    ThreadTree t = thread_references(in);
    std::size_t seen = 0;
    for (const auto& n : t.nodes) seen += n.message ? 1 : 0;
    EXPECT_EQ(seen, in.size());  // every message exactly once
    EXPECT_EQ(render(t), "(2 1 4)(3)(5)");
}

TEST(Thread, SortsByDateThenMailboxOrder) {
    std::vector<ThreadInput> in = {
        msg("a", {}, "s", 100),
        msg("b", {"a"}, "s", 300, true),
        msg("c", {"a"}, "s", 200, true),
        msg("d", {"a"}, "s", 200, true),  // same date as c: mailbox order
        msg("e", {}, "t", 100),           // same date as a: after a
    };
    EXPECT_EQ(render(thread_references(in)), "(1 (3)(4)(2))(5)");
}

TEST(Thread, OrderedSubject) {
    std::vector<ThreadInput> in = {
        msg("", {}, "beta", 30),  msg("", {}, "alpha", 20), msg("", {}, "Beta", 10),
        msg("", {}, "alpha", 5),  msg("", {}, "gamma", 1),
    };
    EXPECT_EQ(render(thread_orderedsubject(in)), "(5)(4 2)(3 1)");
    in.push_back(msg("", {}, "alpha", 25));
    EXPECT_EQ(render(thread_orderedsubject(in)), "(5)(4 (2)(6))(3 1)");
    EXPECT_TRUE(thread_orderedsubject({}).roots.empty());
    EXPECT_TRUE(thread_references({}).roots.empty());
}

TEST(Thread, LongChainDoesNotRecurse) {
    // A 50,000-message reply chain: building, sorting and destroying the tree must not
    // overflow the stack.
    std::vector<ThreadInput> in;
    for (int i = 0; i < 50000; ++i)
        in.push_back(msg("m" + std::to_string(i), i ? std::vector<std::string>{"m" + std::to_string(i - 1)}
                                                    : std::vector<std::string>{},
                         "chain", i, i > 0));
    ThreadTree t = thread_references(in);
    ASSERT_EQ(t.roots.size(), 1u);
    std::size_t depth = 0;
    for (std::uint32_t n = t.roots[0];; n = t.nodes[n].children[0]) {
        ++depth;
        if (t.nodes[n].children.empty()) break;
    }
    EXPECT_EQ(depth, 50000u);
}

}  // namespace
}  // namespace tern::mime
