// THREAD=REFERENCES and THREAD=ORDEREDSUBJECT (RFC 5256 3), as pure functions over per-message
// keys (fill them from sort_keys(), sort_keys.hpp). The caller maps the returned message
// indexes (positions in the input) to sequence numbers or UIDs and renders the IMAP syntax.
//
// Input order is mailbox order: it breaks ties between equal sent dates (RFC 5256 leaves
// them open; Dovecot also falls back to mailbox order). Base subjects are compared with
// i;ascii-casemap. A message without a Message-ID, or with one already used by an earlier
// message, gets a unique one (RFC 5256 3 step 1B).
//
// The result is a flat tree (nodes plus index lists), never recursive data: a mailbox with a
// 50,000-message reply chain must not overflow the stack when the tree is built, walked or
// destroyed. The algorithm itself is iterative for the same reason. Dummy nodes (message
// nullopt) remain only where RFC 5256 keeps them: at the root, with two or more children
// (IMAP renders them as a parenthesised list without a number).
//
// Cost: linear in the number of messages and references, except the loop checks, which walk
// up the parent chain (bounded by the thread depth).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tern::mime {

struct ThreadInput {
    std::string message_id;               // without angle brackets; empty: none
    std::vector<std::string> references;  // oldest first (References, else In-Reply-To)
    std::string base_subject;             // base_subject().text
    bool reply_or_forward = false;        // base_subject().reply_or_forward
    std::int64_t sent_date = 0;           // Date, or INTERNALDATE when Date is unusable
};

struct ThreadTree {
    struct Node {
        std::optional<std::size_t> message;  // index into the input; nullopt: a dummy
        std::vector<std::uint32_t> children; // indexes into `nodes`, in thread order
    };
    std::vector<Node> nodes;
    std::vector<std::uint32_t> roots;  // indexes into `nodes`, in thread order
};

ThreadTree thread_references(const std::vector<ThreadInput>& messages);
ThreadTree thread_orderedsubject(const std::vector<ThreadInput>& messages);

}  // namespace tern::mime
