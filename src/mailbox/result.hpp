// What a mailbox operation returns: a value, or an Error whose code the IMAP/POP3 layer maps
// to its response (RFC 5530 response codes in brackets):
//   NotFound       [NONEXISTENT]   the folder (or message) does not exist (or went away)
//   AlreadyExists  [ALREADYEXISTS] CREATE/RENAME onto an existing name
//   InvalidName    [CANNOT]        a folder name the store refuses (see folder_name.hpp)
//   NotAllowed     [CANNOT]/[USEATTR] e.g. DELETE INBOX, an unsupported special-use attribute
//   HasChildren    [HASCHILDREN]   (RFC 9051 7.1) reserved for callers' policies
//   InUse          [INUSE]         POP3 maildrop already locked
//   Limit          [LIMIT]         a named limit (keywords per message, name length, ...)
//   OverQuota      [OVERQUOTA]     EDQUOT from the file system
//   NoSpace        [SERVERBUG]/NO  ENOSPC: temporary, the client may retry later
//   Io             [UNAVAILABLE]   any other local failure: temporary
// A failed operation changes nothing that a later snapshot shows (see folder.hpp).
//
// std::expected is C++23; this is the small part of it the store needs.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace tern::mailbox {

enum class ErrorCode {
    NotFound,
    AlreadyExists,
    InvalidName,
    NotAllowed,
    HasChildren,
    InUse,
    Limit,
    OverQuota,
    NoSpace,
    Io,
};

struct Error {
    ErrorCode code = ErrorCode::Io;
    std::string text;  // for logs and the human-readable part of a NO; never a full path
    int sys_errno = 0; // the errno behind Io/NoSpace/OverQuota, 0 otherwise

    // True for failures a retry may cure (disk full, I/O): the IMAP layer answers NO with
    // [UNAVAILABLE] or [SERVERBUG] rather than a permanent refusal.
    bool is_temporary() const {
        return code == ErrorCode::Io || code == ErrorCode::NoSpace || code == ErrorCode::InUse;
    }
};

// An Error from an errno, with NoSpace/OverQuota for ENOSPC/EDQUOT.
Error io_error(int err, std::string what);

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose, like expected
    Result(Error error) : v_(std::move(error)) {}  // NOLINT
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { return error_; }

private:
    Error error_;
    bool ok_ = true;
};

}  // namespace tern::mailbox
