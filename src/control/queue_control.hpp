// What `tern queue` can see and do, independent of how it gets there: the running server
// implements it over its spool and schedulers (reached through the control socket), and
// SpoolQueueControl implements it over the spool files when no server is running.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tern::control {

struct RecipientInfo {
    std::string address;
    std::string state;          // "pending", "deferred", "delivered", "failed"
    std::uint32_t attempts = 0;
    std::int64_t next_attempt = 0;  // unix seconds; 0 = as soon as possible
    std::string last_error;     // the last failure, e.g. "451 4.4.1 mx.example: connection refused"
};

struct MessageInfo {
    std::string id;
    std::int64_t arrival = 0;   // unix seconds the message was accepted
    std::string sender;         // reverse path without brackets; "" = <>
    std::uint64_t size = 0;     // octets as queued
    bool held = false;          // on hold: no delivery attempt until released
    std::vector<RecipientInfo> recipients;
};

class QueueControl {
public:
    virtual ~QueueControl() = default;
    // Every message still queued, oldest first.
    virtual std::vector<MessageInfo> list() = 0;
    virtual std::optional<MessageInfo> show(const std::string& id) = 0;
    // Retry now: one message, or (nullopt) every message. Returns how many were rescheduled;
    // held messages are skipped.
    virtual std::size_t flush(const std::optional<std::string>& id) = 0;
    // Deletes the message without a bounce. False when the id is unknown.
    virtual bool remove(const std::string& id) = 0;
    virtual bool hold(const std::string& id) = 0;
    virtual bool release(const std::string& id) = 0;
};

}  // namespace tern::control
