// The IMAP command parser: tag, optional UID, command name, then the command's own grammar
// (command_grammar.hpp). See command_parser.hpp.
#include "imap/command_parser.hpp"

#include <array>
#include <type_traits>
#include <utility>

#include "imap/char_class.hpp"
#include "imap/command_grammar.hpp"
#include "imap/parse_cursor.hpp"

namespace tern::imap {
namespace detail {
namespace {

using Parser = CommandBody (*)(Cursor&, bool);

template <class T>
CommandBody no_arguments(Cursor&, bool) {
    return T{};
}

struct CommandEntry {
    std::string_view name;
    Parser parse;
    bool uid_allowed;
};

constexpr std::array<CommandEntry, 37> kCommands{{
    {"CAPABILITY", &no_arguments<Capability>, false},
    {"NOOP", &no_arguments<Noop>, false},
    {"LOGOUT", &no_arguments<Logout>, false},
    {"ID", &parse_id, false},
    {"STARTTLS", &no_arguments<StartTls>, false},
    {"AUTHENTICATE", &parse_authenticate, false},
    {"LOGIN", &parse_login, false},
    {"ENABLE", &parse_enable, false},
    {"SELECT", &parse_select, false},
    {"EXAMINE", &parse_examine, false},
    {"CREATE", &parse_create, false},
    {"DELETE", &parse_delete, false},
    {"RENAME", &parse_rename, false},
    {"SUBSCRIBE", &parse_subscribe, false},
    {"UNSUBSCRIBE", &parse_unsubscribe, false},
    {"LIST", &parse_list, false},
    {"LSUB", &parse_lsub, false},
    {"NAMESPACE", &no_arguments<Namespace>, false},
    {"STATUS", &parse_status, false},
    {"APPEND", &parse_append, false},
    {"IDLE", &no_arguments<Idle>, false},
    {"GETQUOTA", &parse_getquota, false},
    {"GETQUOTAROOT", &parse_getquotaroot, false},
    {"SETQUOTA", &parse_setquota, false},
    {"COMPRESS", &parse_compress, false},
    {"CHECK", &no_arguments<Check>, false},
    {"CLOSE", &no_arguments<Close>, false},
    {"UNSELECT", &no_arguments<Unselect>, false},
    {"EXPUNGE", &parse_expunge, true},
    {"SEARCH", &parse_search, true},
    {"FETCH", &parse_fetch, true},
    {"STORE", &parse_store, true},
    {"COPY", &parse_copy, true},
    {"MOVE", &parse_move, true},
    {"SORT", &parse_sort, true},
    {"THREAD", &parse_thread, true},
    {"UID", nullptr, false},  // a prefix, never a command of its own
}};

const CommandEntry* find_command(std::string_view name) {
    for (const auto& e : kCommands) {
        if (e.name == name) return &e;
    }
    return nullptr;
}

}  // namespace
}  // namespace detail

bool is_inbox(std::string_view mailbox) {
    return iequals(mailbox, "INBOX");
}

std::string_view command_name(const Command& command) {
    return std::visit(
        [](const auto& c) -> std::string_view {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, Capability>) return "CAPABILITY";
            else if constexpr (std::is_same_v<T, Noop>) return "NOOP";
            else if constexpr (std::is_same_v<T, Logout>) return "LOGOUT";
            else if constexpr (std::is_same_v<T, Id>) return "ID";
            else if constexpr (std::is_same_v<T, StartTls>) return "STARTTLS";
            else if constexpr (std::is_same_v<T, Authenticate>) return "AUTHENTICATE";
            else if constexpr (std::is_same_v<T, Login>) return "LOGIN";
            else if constexpr (std::is_same_v<T, Enable>) return "ENABLE";
            else if constexpr (std::is_same_v<T, Select>) return c.read_only ? "EXAMINE" : "SELECT";
            else if constexpr (std::is_same_v<T, Create>) return "CREATE";
            else if constexpr (std::is_same_v<T, Delete>) return "DELETE";
            else if constexpr (std::is_same_v<T, Rename>) return "RENAME";
            else if constexpr (std::is_same_v<T, Subscribe>) return "SUBSCRIBE";
            else if constexpr (std::is_same_v<T, Unsubscribe>) return "UNSUBSCRIBE";
            else if constexpr (std::is_same_v<T, List>) return "LIST";
            else if constexpr (std::is_same_v<T, Lsub>) return "LSUB";
            else if constexpr (std::is_same_v<T, Namespace>) return "NAMESPACE";
            else if constexpr (std::is_same_v<T, Status>) return "STATUS";
            else if constexpr (std::is_same_v<T, Append>) return "APPEND";
            else if constexpr (std::is_same_v<T, Idle>) return "IDLE";
            else if constexpr (std::is_same_v<T, GetQuota>) return "GETQUOTA";
            else if constexpr (std::is_same_v<T, GetQuotaRoot>) return "GETQUOTAROOT";
            else if constexpr (std::is_same_v<T, SetQuota>) return "SETQUOTA";
            else if constexpr (std::is_same_v<T, Compress>) return "COMPRESS";
            else if constexpr (std::is_same_v<T, Check>) return "CHECK";
            else if constexpr (std::is_same_v<T, Close>) return "CLOSE";
            else if constexpr (std::is_same_v<T, Unselect>) return "UNSELECT";
            else if constexpr (std::is_same_v<T, Expunge>) return "EXPUNGE";
            else if constexpr (std::is_same_v<T, Search>) return "SEARCH";
            else if constexpr (std::is_same_v<T, Fetch>) return "FETCH";
            else if constexpr (std::is_same_v<T, Store>) return "STORE";
            else if constexpr (std::is_same_v<T, Copy>) return "COPY";
            else if constexpr (std::is_same_v<T, Move>) return "MOVE";
            else if constexpr (std::is_same_v<T, Sort>) return "SORT";
            else if constexpr (std::is_same_v<T, Thread>) return "THREAD";
            else static_assert(!sizeof(T), "command without a name");
        },
        command.body);
}

ParseResult parse_command(const RawCommand& raw, const ParserOptions& options) {
    using detail::Cursor;
    ParseError err;
    if (raw.text.empty()) {
        err.kind = ParseErrorKind::Empty;
        err.message = "Empty command line";
        return err;
    }
    std::string_view tag = raw.tag();
    if (tag.empty()) {
        err.kind = ParseErrorKind::BadTag;
        err.message = "Missing or invalid tag";
        return err;
    }
    err.tag = std::string(tag);
    Cursor in(raw, options);
    try {
        in.skip(tag.size());
        in.check_octets();
        std::string name;
        bool uid = false;
        try {
            in.sp("command name");
            name = in.word("command name");
            if (name == "UID") {
                uid = true;
                err.uid = true;
                in.sp("command after UID");
                name = in.word("command after UID");
            }
        } catch (detail::SyntaxError& e) {
            e.kind = ParseErrorKind::UnknownCommand;  // nothing after the tag made sense
            throw;
        }
        const auto* entry = detail::find_command(name);
        if (entry == nullptr || entry->parse == nullptr) {
            detail::fail(uid ? "Unknown UID command" : "Unknown command", ParseErrorKind::UnknownCommand);
        }
        if (uid && !entry->uid_allowed) {
            detail::fail("UID " + name + " is not a command", ParseErrorKind::UnknownCommand);
        }
        err.command = name;
        CommandBody body = entry->parse(in, uid);
        in.expect_end();
        return Command{std::string(tag), uid, std::move(body)};
    } catch (detail::SyntaxError& e) {
        err.kind = e.kind;
        if (err.command.empty()) {
            err.message = std::move(e.message);
        } else {
            err.message = std::string(err.uid ? "UID " : "") + err.command + ": " + e.message;
        }
        if (!err.message.empty() && err.message[0] >= 'a' && err.message[0] <= 'z')
            err.message[0] = static_cast<char>(err.message[0] - 32);
        return err;
    }
}

}  // namespace tern::imap
