// Grammar of the selected-state commands on messages: EXPUNGE and UID EXPUNGE (RFC 9051 6.4.3,
// RFC 4315 2.1), FETCH (6.4.5, RFC 3516 BINARY, RFC 7162 CHANGEDSINCE / VANISHED / MODSEQ),
// STORE (6.4.6, RFC 7162 UNCHANGEDSINCE), COPY (6.4.7) and MOVE (6.4.8, RFC 6851).
// SEARCH, SORT and THREAD are in parse_search.cpp.
#include <utility>

#include "imap/command_grammar.hpp"

namespace tern::imap::detail {
namespace {

using Kind = FetchAttribute::Kind;

FetchAttribute simple(Kind kind) {
    FetchAttribute a;
    a.kind = kind;
    return a;
}

// "[" [section-spec] "]" after BODY / BODY.PEEK; parts only for BINARY (section-binary).
Section parse_section(Cursor& in, bool parts_only) {
    Section s;
    in.expect('[', "\"[\" to start the section");
    if (in.accept(']')) return s;
    bool text_allowed = true;
    while (in.peek() >= '0' && in.peek() <= '9') {
        s.part.push_back(in.nz_number("section part number"));
        if (!in.accept('.')) {
            text_allowed = false;
            break;
        }
        if (in.peek() < '0' || in.peek() > '9') break;
    }
    if (text_allowed) {
        if (parts_only) fail("expected section part numbers");
        std::string w = in.word("section text");
        if (w == "HEADER") {
            s.text = Section::Text::Header;
        } else if (w == "HEADER.FIELDS" || w == "HEADER.FIELDS.NOT") {
            s.text = w == "HEADER.FIELDS" ? Section::Text::HeaderFields : Section::Text::HeaderFieldsNot;
            in.sp("header field list");
            in.expect('(', "\"(\" to start the header field list");
            while (true) {
                s.fields.push_back(in.astring("header field name"));
                if (in.accept(')')) break;
                in.sp("header field name");
            }
        } else if (w == "TEXT") {
            s.text = Section::Text::Text;
        } else if (w == "MIME" && !s.part.empty()) {
            s.text = Section::Text::Mime;
        } else {
            fail("unknown section text");
        }
    }
    in.expect(']', "\"]\" to end the section");
    return s;
}

std::optional<Partial> parse_partial(Cursor& in) {
    if (!in.accept('<')) return std::nullopt;
    Partial p;
    p.offset = in.number64("partial offset");
    in.expect('.', "\".\" and the partial length");
    p.length = in.number64("partial length");
    if (p.length == 0) fail("partial length must not be zero");
    in.expect('>', "\">\" to end the partial range");
    return p;
}

FetchAttribute parse_fetch_attribute(Cursor& in) {
    std::string w = in.word("fetch attribute");
    if (w == "ENVELOPE") return simple(Kind::Envelope);
    if (w == "FLAGS") return simple(Kind::Flags);
    if (w == "INTERNALDATE") return simple(Kind::InternalDate);
    if (w == "RFC822.SIZE") return simple(Kind::Rfc822Size);
    if (w == "UID") return simple(Kind::Uid);
    if (w == "MODSEQ") return simple(Kind::Modseq);
    if (w == "BODYSTRUCTURE") return simple(Kind::BodyStructure);
    if (w == "RFC822") return simple(Kind::Rfc822);
    if (w == "RFC822.HEADER") return simple(Kind::Rfc822Header);
    if (w == "RFC822.TEXT") return simple(Kind::Rfc822Text);
    if (w == "BODY" && in.peek() != '[') return simple(Kind::Body);
    if (w == "BODY" || w == "BODY.PEEK") {
        FetchAttribute a = simple(Kind::BodySection);
        a.peek = w == "BODY.PEEK";
        a.section = parse_section(in, false);
        a.partial = parse_partial(in);
        return a;
    }
    if (w == "BINARY" || w == "BINARY.PEEK") {
        FetchAttribute a = simple(Kind::Binary);
        a.peek = w == "BINARY.PEEK";
        a.section = parse_section(in, true);
        a.partial = parse_partial(in);
        return a;
    }
    if (w == "BINARY.SIZE") {
        FetchAttribute a = simple(Kind::BinarySize);
        a.section = parse_section(in, true);
        return a;
    }
    if (w == "ALL" || w == "FAST" || w == "FULL") fail("macro " + w + " must be used alone");
    fail("unknown fetch attribute");
}

void parse_fetch_modifiers(Cursor& in, Fetch& f, bool uid) {
    in.expect('(', "\"(\" to start the fetch modifiers");
    while (true) {
        if (in.accept_word("CHANGEDSINCE")) {
            if (f.changed_since) fail("CHANGEDSINCE given twice");
            in.sp("mod-sequence");
            f.changed_since = in.mod_sequence("mod-sequence", false);
        } else if (in.accept_word("VANISHED")) {
            if (f.vanished) fail("VANISHED given twice");
            f.vanished = true;
        } else {
            fail("unknown fetch modifier");
        }
        if (in.accept(')')) break;
        in.sp("fetch modifier");
    }
    // RFC 7162 3.2.6: VANISHED only in UID FETCH, and only with CHANGEDSINCE.
    if (f.vanished && (!uid || !f.changed_since)) fail("VANISHED needs UID FETCH and CHANGEDSINCE");
}

Store parse_store_body(Cursor& in) {
    Store s;
    in.sp("sequence set");
    s.set = in.sequence_set("sequence set");
    in.sp("FLAGS");
    if (in.accept('(')) {
        if (!in.accept_word("UNCHANGEDSINCE")) fail("unknown store modifier");
        in.sp("mod-sequence");
        s.unchanged_since = in.mod_sequence("mod-sequence", true);
        in.expect(')', "\")\" to end the store modifiers");
        in.sp("FLAGS");
    }
    if (in.accept('+')) s.mode = StoreMode::Add;
    else if (in.accept('-')) s.mode = StoreMode::Remove;
    std::string w = in.word("FLAGS");
    if (w == "FLAGS.SILENT") s.silent = true;
    else if (w != "FLAGS") fail("expected FLAGS, +FLAGS or -FLAGS");
    in.sp("flags");
    if (in.peek() == '(') {
        s.flags = in.flag_list("flag list");
    } else {
        do {
            s.flags.push_back(in.flag("flag"));
        } while (in.accept_sp());
    }
    return s;
}

}  // namespace

CommandBody parse_expunge(Cursor& in, bool uid) {
    Expunge e;
    if (uid) {
        in.sp("UID set");
        e.uids = in.sequence_set("UID set");
    }
    return e;
}

CommandBody parse_fetch(Cursor& in, bool uid) {
    Fetch f;
    in.sp("sequence set");
    f.set = in.sequence_set("sequence set");
    in.sp("fetch attributes");
    if (in.accept('(')) {
        while (true) {
            f.attributes.push_back(parse_fetch_attribute(in));
            if (in.accept(')')) break;
            in.sp("fetch attribute");
        }
    } else if (in.peek_word("ALL") || in.peek_word("FAST") || in.peek_word("FULL")) {
        // RFC 9051 6.4.5: FAST = (FLAGS INTERNALDATE RFC822.SIZE), ALL = FAST + ENVELOPE,
        // FULL = ALL + BODY.
        std::string macro = in.word("fetch macro");
        f.attributes = {simple(Kind::Flags), simple(Kind::InternalDate), simple(Kind::Rfc822Size)};
        if (macro != "FAST") f.attributes.push_back(simple(Kind::Envelope));
        if (macro == "FULL") f.attributes.push_back(simple(Kind::Body));
    } else {
        f.attributes.push_back(parse_fetch_attribute(in));
    }
    if (in.accept_sp()) parse_fetch_modifiers(in, f, uid);
    return f;
}

CommandBody parse_store(Cursor& in, bool) { return parse_store_body(in); }

CommandBody parse_copy(Cursor& in, bool) {
    Copy c;
    in.sp("sequence set");
    c.set = in.sequence_set("sequence set");
    in.sp("mailbox name");
    c.mailbox = in.mailbox("mailbox name");
    return c;
}

CommandBody parse_move(Cursor& in, bool) {
    Move m;
    in.sp("sequence set");
    m.set = in.sequence_set("sequence set");
    in.sp("mailbox name");
    m.mailbox = in.mailbox("mailbox name");
    return m;
}

}  // namespace tern::imap::detail
