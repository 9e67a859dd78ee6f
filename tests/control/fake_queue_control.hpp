// A QueueControl over an in-memory map, recording what it was asked: for the protocol and
// control-socket tests. Thread-safe (the server may call it from a pool thread).
#pragma once

#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "control/queue_control.hpp"

namespace tern::test {

class FakeQueueControl : public control::QueueControl {
public:
    FakeQueueControl() {
        control::MessageInfo a;
        a.id = "00000001-00000040";
        a.arrival = 1700000000;
        a.sender = "alice@example.test";
        a.size = 1234;
        a.recipients = {{"bob@example.org", "deferred", 3, 1700000600, "451 4.4.1 refused"},
                        {"carol@example.test", "delivered", 1, 0, ""}};
        control::MessageInfo b;
        b.id = "00000001-00000400";
        b.arrival = 1700000100;
        b.sender = "";
        b.size = 99;
        b.held = true;
        b.recipients = {{"dave@example.org", "pending", 0, 0, ""}};
        messages[a.id] = a;
        messages[b.id] = b;
    }

    std::vector<control::MessageInfo> list() override {
        std::lock_guard lk(mu);
        record("list");
        std::vector<control::MessageInfo> out;
        for (auto& [id, m] : messages) out.push_back(m);
        return out;
    }
    std::optional<control::MessageInfo> show(const std::string& id) override {
        std::lock_guard lk(mu);
        record("show " + id);
        auto it = messages.find(id);
        if (it == messages.end()) return std::nullopt;
        return it->second;
    }
    std::size_t flush(const std::optional<std::string>& id) override {
        std::lock_guard lk(mu);
        record("flush " + id.value_or("*"));
        std::size_t n = 0;
        for (auto& [mid, m] : messages)
            if ((!id || *id == mid) && !m.held) ++n;
        return n;
    }
    bool remove(const std::string& id) override {
        std::lock_guard lk(mu);
        record("delete " + id);
        return messages.erase(id) > 0;
    }
    bool hold(const std::string& id) override { return set_held(id, true, "hold "); }
    bool release(const std::string& id) override { return set_held(id, false, "release "); }

    std::vector<std::string> calls_made() {
        std::lock_guard lk(mu);
        return calls;
    }

    std::mutex mu;
    std::map<std::string, control::MessageInfo> messages;
    std::vector<std::string> calls;
    std::vector<std::thread::id> threads;  // where each call ran
    bool throw_on_list = false;

private:
    void record(const std::string& call) {
        calls.push_back(call);
        threads.push_back(std::this_thread::get_id());
        if (throw_on_list && call == "list") throw std::runtime_error("spool on fire");
    }
    bool set_held(const std::string& id, bool held, const char* what) {
        std::lock_guard lk(mu);
        record(what + id);
        auto it = messages.find(id);
        if (it == messages.end()) return false;
        it->second.held = held;
        return true;
    }
};

}  // namespace tern::test
