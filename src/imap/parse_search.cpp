// Grammar of SEARCH (RFC 9051 6.4.4 and RFC 3501 6.4.4 keys, RFC 4731 RETURN, RFC 5182 SAVE
// and "$", RFC 7162 3.1.5 MODSEQ), SORT (RFC 5256 3, RFC 5957 DISPLAYFROM/DISPLAYTO, RFC 5267
// ESORT RETURN) and THREAD (RFC 5256 3).
//
// The key grammar is recursive ("(" keys ")", NOT key, OR key key). Each level costs one
// frame of parse_key(); the depth is checked before recursing (max_search_depth).
#include <utility>

#include "imap/command_grammar.hpp"

namespace tern::imap::detail {
namespace {

using K = SearchKey::Kind;

enum class Arg : std::uint8_t { None, String, Keyword, Header, Date, Number, Set };

struct KeySpec {
    std::string_view name;
    K kind;
    Arg arg;
};

constexpr KeySpec kKeys[] = {
    {"ALL", K::All, Arg::None},           {"ANSWERED", K::Answered, Arg::None},
    {"BCC", K::Bcc, Arg::String},         {"BEFORE", K::Before, Arg::Date},
    {"BODY", K::Body, Arg::String},       {"CC", K::Cc, Arg::String},
    {"DELETED", K::Deleted, Arg::None},   {"DRAFT", K::Draft, Arg::None},
    {"FLAGGED", K::Flagged, Arg::None},   {"FROM", K::From, Arg::String},
    {"HEADER", K::Header, Arg::Header},   {"KEYWORD", K::Keyword, Arg::Keyword},
    {"LARGER", K::Larger, Arg::Number},   {"NEW", K::New, Arg::None},
    {"OLD", K::Old, Arg::None},           {"ON", K::On, Arg::Date},
    {"RECENT", K::Recent, Arg::None},     {"SEEN", K::Seen, Arg::None},
    {"SENTBEFORE", K::SentBefore, Arg::Date}, {"SENTON", K::SentOn, Arg::Date},
    {"SENTSINCE", K::SentSince, Arg::Date},   {"SINCE", K::Since, Arg::Date},
    {"SMALLER", K::Smaller, Arg::Number}, {"SUBJECT", K::Subject, Arg::String},
    {"TEXT", K::Text, Arg::String},       {"TO", K::To, Arg::String},
    {"UID", K::Uid, Arg::Set},            {"UNANSWERED", K::Unanswered, Arg::None},
    {"UNDELETED", K::Undeleted, Arg::None}, {"UNDRAFT", K::Undraft, Arg::None},
    {"UNFLAGGED", K::Unflagged, Arg::None}, {"UNKEYWORD", K::Unkeyword, Arg::Keyword},
    {"UNSEEN", K::Unseen, Arg::None},
};

SearchKey node(K kind) {
    SearchKey k;
    k.kind = kind;
    return k;
}

SearchKey parse_key(Cursor& in, std::size_t depth);

// RFC 7162 3.1.5: "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer, with
// entry-name = DQUOTE "/flags/" attr-flag DQUOTE and entry-type-req = "priv" / "shared" / "all".
SearchKey parse_modseq(Cursor& in) {
    SearchKey k = node(K::Modseq);
    in.sp("mod-sequence");
    if (in.peek() == '"') {
        k.field = in.string("MODSEQ entry name");
        if (k.field.size() <= 7 || !iequals(k.field.substr(0, 7), "/flags/")) fail("invalid MODSEQ entry name");
        in.sp("MODSEQ entry type");
        std::string type = upper(in.atom("MODSEQ entry type"));
        if (type != "PRIV" && type != "SHARED" && type != "ALL") fail("invalid MODSEQ entry type");
        for (char& c : type) c = static_cast<char>(c | 0x20);
        k.text = std::move(type);
        in.sp("mod-sequence");
    }
    k.number = in.mod_sequence("mod-sequence", true);
    return k;
}

SearchKey parse_key(Cursor& in, std::size_t depth) {
    if (depth > in.options().max_search_depth) fail("search keys nested too deeply", ParseErrorKind::TooDeep);
    if (in.accept('(')) {
        SearchKey k = node(K::And);
        while (true) {
            k.children.push_back(parse_key(in, depth + 1));
            if (in.accept(')')) return k;
            in.sp("search key");
        }
    }
    char c = in.peek();
    if ((c >= '0' && c <= '9') || c == '*' || c == '$') {
        SearchKey k = node(K::SequenceNumbers);
        k.set = in.sequence_set("search sequence set");
        return k;
    }
    std::string name = upper(in.atom("search key"));
    if (name == "NOT") {
        SearchKey k = node(K::Not);
        in.sp("search key after NOT");
        k.children.push_back(parse_key(in, depth + 1));
        return k;
    }
    if (name == "OR") {
        SearchKey k = node(K::Or);
        in.sp("search key after OR");
        k.children.push_back(parse_key(in, depth + 1));
        in.sp("second search key after OR");
        k.children.push_back(parse_key(in, depth + 1));
        return k;
    }
    if (name == "MODSEQ") return parse_modseq(in);
    for (const auto& spec : kKeys) {
        if (spec.name != name) continue;
        SearchKey k = node(spec.kind);
        switch (spec.arg) {
            case Arg::None:
                break;
            case Arg::String:
                in.sp("search string");
                k.text = in.astring("search string");
                break;
            case Arg::Keyword:
                in.sp("keyword");
                k.text = std::string(in.atom("keyword"));
                break;
            case Arg::Header:
                in.sp("header field name");
                k.field = in.astring("header field name");
                in.sp("search string");
                k.text = in.astring("search string");
                break;
            case Arg::Date:
                in.sp("date");
                k.date = in.date("date");
                break;
            case Arg::Number:
                in.sp("size");
                k.number = in.number64("size");
                break;
            case Arg::Set:
                in.sp("UID set");
                k.set = in.sequence_set("UID set");
                break;
        }
        return k;
    }
    fail("unknown search key");
}

// search-key *(SP search-key) as the top-level And node; the cursor is at the first key.
SearchKey parse_keys(Cursor& in) {
    SearchKey root = node(K::And);
    do {
        root.children.push_back(parse_key(in, 1));
    } while (in.accept_sp());
    return root;
}

// "RETURN" SP "(" [option *(SP option)] ")" (RFC 4731 3.1, RFC 5267 3.2); "RETURN" is read.
SearchReturn parse_return_options(Cursor& in) {
    SearchReturn r;
    in.sp("return options");
    in.expect('(', "\"(\" to start the return options");
    if (in.accept(')')) {
        r.all = true;  // RFC 4731 3.1: RETURN () is RETURN (ALL)
        return r;
    }
    while (true) {
        std::string opt = upper(in.atom("return option"));
        if (opt == "MIN") r.min = true;
        else if (opt == "MAX") r.max = true;
        else if (opt == "ALL") r.all = true;
        else if (opt == "COUNT") r.count = true;
        else if (opt == "SAVE") r.save = true;
        else fail("unknown return option");
        if (in.accept(')')) return r;
        in.sp("return option");
    }
}

// [SP "RETURN" SP "(" ... ")"] SP, as SEARCH and SORT (RFC 5267) start.
std::optional<SearchReturn> parse_optional_return(Cursor& in) {
    in.sp("search criteria");
    if (!in.accept_word("RETURN")) return std::nullopt;
    auto r = parse_return_options(in);
    in.sp("search criteria");
    return r;
}

// search-criteria of SORT and THREAD (RFC 5256 3): charset 1*(SP search-key).
void parse_charset_and_keys(Cursor& in, std::string& charset, SearchKey& criteria) {
    in.sp("charset");
    charset = in.astring("charset");
    in.sp("search criteria");
    criteria = parse_keys(in);
}

}  // namespace

CommandBody parse_search(Cursor& in, bool) {
    Search s;
    s.return_options = parse_optional_return(in);
    // search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)
    if (in.accept_word("CHARSET")) {
        in.sp("charset");
        s.charset = in.astring("charset");
        in.sp("search criteria");
    }
    s.criteria = parse_keys(in);
    return s;
}

CommandBody parse_sort(Cursor& in, bool) {
    struct Name {
        std::string_view name;
        SortKey key;
    };
    static constexpr Name kSortKeys[] = {
        {"ARRIVAL", SortKey::Arrival}, {"CC", SortKey::Cc},           {"DATE", SortKey::Date},
        {"FROM", SortKey::From},       {"SIZE", SortKey::Size},       {"SUBJECT", SortKey::Subject},
        {"TO", SortKey::To},           {"DISPLAYFROM", SortKey::DisplayFrom}, {"DISPLAYTO", SortKey::DisplayTo},
    };
    Sort s;
    s.return_options = parse_optional_return(in);
    in.expect('(', "\"(\" to start the sort criteria");
    while (true) {
        SortCriterion c;
        std::string name = upper(in.atom("sort key"));
        if (name == "REVERSE") {
            c.reverse = true;
            in.sp("sort key after REVERSE");
            name = upper(in.atom("sort key"));
        }
        bool found = false;
        for (const auto& n : kSortKeys) {
            if (n.name == name) {
                c.key = n.key;
                found = true;
                break;
            }
        }
        if (!found) fail("unknown sort key");
        s.order.push_back(c);
        if (in.accept(')')) break;
        in.sp("sort key");
    }
    parse_charset_and_keys(in, s.charset, s.criteria);
    return s;
}

CommandBody parse_thread(Cursor& in, bool) {
    Thread t;
    in.sp("threading algorithm");
    std::string alg = upper(in.atom("threading algorithm"));
    if (alg == "REFERENCES") t.algorithm = ThreadAlgorithm::References;
    else if (alg == "ORDEREDSUBJECT") t.algorithm = ThreadAlgorithm::OrderedSubject;
    else fail("unsupported threading algorithm");
    parse_charset_and_keys(in, t.charset, t.criteria);
    return t;
}

}  // namespace tern::imap::detail
