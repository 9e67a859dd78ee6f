// Internal to the command parser: one function per command, each reading the arguments after
// the command name (the cursor is just after the name; the caller checks the end). `uid` is
// the UID prefix, for the commands that take it. Grouped by file as the RFC groups them.
#pragma once

#include "imap/command.hpp"
#include "imap/parse_cursor.hpp"

namespace tern::imap::detail {

// parse_session.cpp: authentication, capabilities, quota, compression.
CommandBody parse_authenticate(Cursor& in, bool uid);
CommandBody parse_login(Cursor& in, bool uid);
CommandBody parse_enable(Cursor& in, bool uid);
CommandBody parse_id(Cursor& in, bool uid);
CommandBody parse_compress(Cursor& in, bool uid);
CommandBody parse_getquota(Cursor& in, bool uid);
CommandBody parse_getquotaroot(Cursor& in, bool uid);
CommandBody parse_setquota(Cursor& in, bool uid);

// parse_mailbox.cpp: the authenticated-state mailbox commands.
CommandBody parse_select(Cursor& in, bool uid);
CommandBody parse_examine(Cursor& in, bool uid);
CommandBody parse_create(Cursor& in, bool uid);
CommandBody parse_delete(Cursor& in, bool uid);
CommandBody parse_rename(Cursor& in, bool uid);
CommandBody parse_subscribe(Cursor& in, bool uid);
CommandBody parse_unsubscribe(Cursor& in, bool uid);
CommandBody parse_list(Cursor& in, bool uid);
CommandBody parse_lsub(Cursor& in, bool uid);
CommandBody parse_status(Cursor& in, bool uid);
CommandBody parse_append(Cursor& in, bool uid);
// "(" status-att *(SP status-att) ")" (STATUS and LIST RETURN STATUS).
std::vector<StatusItem> parse_status_items(Cursor& in);

// parse_message.cpp: the selected-state commands on messages.
CommandBody parse_expunge(Cursor& in, bool uid);
CommandBody parse_fetch(Cursor& in, bool uid);
CommandBody parse_store(Cursor& in, bool uid);
CommandBody parse_copy(Cursor& in, bool uid);
CommandBody parse_move(Cursor& in, bool uid);

// parse_search.cpp: SEARCH, SORT, THREAD and the search-key grammar.
CommandBody parse_search(Cursor& in, bool uid);
CommandBody parse_sort(Cursor& in, bool uid);
CommandBody parse_thread(Cursor& in, bool uid);

}  // namespace tern::imap::detail
