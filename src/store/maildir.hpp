// Writing messages into a Maildir (https://cr.yp.to/proto/maildir.html), the format the
// POP3/IMAP servers, Dovecot and mutt read. Delivery follows the spec's protocol: write
// tmp/<name>, fsync, rename to new/<name>, fsync new/ — only then is the delivery reported Ok.
//
// On disk, messages use LF line endings (the Unix Maildir convention mutt and Dovecot expect);
// the CRLF text from SMTP is converted while it is written, without a second copy. The file name
// carries Dovecot's size fields: "<base>,S=<bytes on disk>,W=<RFC 822 size, CRLF endings>".
//
// Idempotency: the caller picks a base name that is deterministic per delivery (queue message,
// recipient), so a retry after a crash can tell that the message is already there. Looking
// costs a scan of cur/, so it is done only when the caller says the delivery may have happened
// before (`maybe_duplicate`). Without the flag a retry is still harmless while the earlier copy
// sits in new/ (the rename replaces it with identical content); it would only duplicate a
// message a client has already moved to cur/.
//
// Deliberately left out: quotas (the file system's EDQUOT is honoured), Maildir++ folders,
// maildirsize files, and reading or flag changes (the POP3/IMAP stores do those).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/outcome.hpp"

namespace tern::store {

// Creates <maildir> (and missing parents) and its tmp/, new/, cur/ with mode 0700, fsyncing
// each parent directory after a creation so the new entries survive a crash. Safe to call
// concurrently for the same path. Temporary outcome on failure.
Outcome ensure_maildir(const std::filesystem::path& maildir);

// The two sizes Dovecot records in a Maildir file name.
struct StoredSize {
    std::uint64_t on_disk = 0;  // S=: bytes in the file (LF line endings)
    std::uint64_t rfc822 = 0;   // W=: bytes with every line ending as CRLF
};

// The sizes `prefix` followed by `data` will have once stored (CRLF -> LF).
StoredSize stored_size(std::string_view prefix, std::string_view data);

// "<unique_base>,S=<on_disk>,W=<rfc822>".
std::string maildir_file_name(std::string_view unique_base, StoredSize size);

// True when `base` can be the unique part of a Maildir file name: non-empty, at most 200
// bytes, no '/', ':' (starts the info part) or ',' (starts Dovecot's fields), no control
// bytes, no leading '.'.
bool is_valid_unique_base(std::string_view base);

// Delivers `prefix` + `data` (CRLF text; e.g. prefix = "Return-Path: <a@b>\r\n") into
// <maildir>/new/. Creates the Maildir when it is missing. Returns Ok when the message is
// durably in new/ — or, with maybe_duplicate, when a file "<unique_base>,..." or
// "<unique_base>:..." is already in new/ or cur/. Failures are temporary (local problems are
// retried, never bounced): 4.3.1 for a full disk, 4.2.2 over quota, 4.3.4 file too large,
// 4.3.0 otherwise; the tmp/ file is removed. Thread-safe; distinct deliveries must use
// distinct bases.
Outcome deliver(const std::filesystem::path& maildir, std::string_view unique_base,
                std::string_view prefix, std::string_view data, bool maybe_duplicate = false);

// The temporary outcome for an errno from a local write (see deliver). `what` says what
// failed ("writing message file"); no path is included since the text may reach the sender.
Outcome local_io_failure(int err, std::string_view what);

// A Maildir unique name for messages this server creates itself (e.g. IMAP APPEND):
// "<sec>.M<usec>P<pid>Q<counter>.<host>", with '/', ':' and ',' (and control bytes, '\\')
// in the host name escaped as "\ooo" octal ("\057", "\072", "\054").
std::string make_unique_base(std::int64_t seconds, std::int64_t microseconds, std::int64_t pid,
                             std::uint64_t counter, std::string_view hostname);
// The same with this process's pid.
std::string make_unique_base(std::chrono::system_clock::time_point time,
                             std::string_view hostname, std::uint64_t counter);

// `text` with '/', ':', ',', '\\' and control bytes replaced by "\ooo", so it can sit inside
// a unique base.
std::string escape_name_part(std::string_view text);

}  // namespace tern::store
