// The control socket protocol (see protocol.hpp).
#include "control/protocol.hpp"

#include <exception>

#include "control/json.hpp"

namespace tern::control {
namespace {

using nlohmann::json;

// The request's "id" member, or nullptr with `error` set.
const std::string* get_id(const json& request, json& error) {
    auto it = request.find("id");
    if (it == request.end()) {
        error = control_error("missing \"id\"");
        return nullptr;
    }
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
        error = control_error("\"id\" must be a non-empty string");
        return nullptr;
    }
    return &it->get_ref<const std::string&>();
}

json no_such(const std::string& id) { return control_error("no such message: " + id); }

json ok_count(std::size_t n) { return json{{"ok", true}, {"count", n}}; }

json dispatch(QueueControl& control, const json& request) {
    if (!request.is_object()) return control_error("request must be a JSON object");
    auto c = request.find("cmd");
    if (c == request.end() || !c->is_string())
        return control_error("request needs a string \"cmd\"");
    const auto& cmd = c->get_ref<const std::string&>();
    json error;
    if (cmd == "list") return json{{"ok", true}, {"messages", control.list()}};
    if (cmd == "flush") {
        if (!request.contains("id") || request["id"].is_null()) return ok_count(control.flush(std::nullopt));
        const std::string* id = get_id(request, error);
        if (!id) return error;
        // flush() cannot tell an unknown id from a message with nothing to retry; show() can.
        if (!control.show(*id)) return no_such(*id);
        return ok_count(control.flush(*id));
    }
    if (cmd == "show" || cmd == "delete" || cmd == "hold" || cmd == "release") {
        const std::string* id = get_id(request, error);
        if (!id) return error;
        if (cmd == "show") {
            auto m = control.show(*id);
            if (!m) return no_such(*id);
            return json{{"ok", true}, {"message", *m}};
        }
        bool found = cmd == "delete" ? control.remove(*id)
                     : cmd == "hold" ? control.hold(*id)
                                     : control.release(*id);
        return found ? ok_count(1) : no_such(*id);
    }
    return control_error("unknown command \"" + cmd +
                         "\" (known: list, show, flush, delete, hold, release)");
}

}  // namespace

json control_error(std::string message) {
    return json{{"ok", false}, {"error", std::move(message)}};
}

json handle_control_request(QueueControl& control, const json& request) {
    try {
        return dispatch(control, request);
    } catch (const std::exception& e) {
        return control_error(std::string("internal error: ") + e.what());
    } catch (...) {
        return control_error("internal error");
    }
}

json handle_control_line(QueueControl& control, std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    json request = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded()) return control_error("malformed request: not valid JSON");
    return handle_control_request(control, request);
}

}  // namespace tern::control
