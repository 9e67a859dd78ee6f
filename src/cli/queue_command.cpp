// `tern queue ...`: see queue_command.hpp.
#include "cli/queue_command.hpp"
#include "cli/load_config.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "control/control_client.hpp"
#include "control/json.hpp"
#include "control/protocol.hpp"
#include "control/spool_queue_control.hpp"
#include "control/text.hpp"
#include "queue/spool.hpp"

namespace tern::cli {
namespace {

using nlohmann::json;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

// The queue when its directory does not exist yet: empty, and nothing is created just to look.
class EmptyQueue : public control::QueueControl {
public:
    std::vector<control::MessageInfo> list() override { return {}; }
    std::optional<control::MessageInfo> show(const std::string&) override { return std::nullopt; }
    std::size_t flush(const std::optional<std::string>&) override { return 0; }
    bool remove(const std::string&) override { return false; }
    bool hold(const std::string&) override { return false; }
    bool release(const std::string&) override { return false; }
};

json make_request(const QueueCommand& cmd) {
    json req{{"cmd", cmd.verb}};
    if (cmd.id) req["id"] = *cmd.id;
    return req;
}

// The answer from the spool files, when no server listens on the control socket.
std::optional<json> ask_spool(const config::Config& cfg, const json& request,
                              const std::string& socket_problem, std::ostream& err) {
    const auto dir = cfg.queue_dir();
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        EmptyQueue empty;
        return control::handle_control_request(empty, request);
    }
    queue::Spool::Options opts;
    opts.dir = dir;
    std::string error;
    auto spool = queue::Spool::open(opts, error);
    if (!spool) {
        if (error.find("in use by another process") != std::string::npos)
            err << "error: the queue " << dir.string()
                << " is in use by a running server, but that server does not answer on its "
                   "control socket ("
                << socket_problem << ")\n";
        else
            err << "error: cannot open the queue: " << error << "\n";
        return std::nullopt;
    }
    for (const auto& w : spool->recovery().warnings) err << "warning: queue: " << w << "\n";
    control::SpoolQueueControl control(*spool);
    json response = control::handle_control_request(control, request);
    spool->close();  // every change was flushed by SpoolQueueControl; this releases the lock
    return response;
}

std::string dump(const json& j) { return j.dump(2, ' ', false, json::error_handler_t::replace); }

std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// Prints a successful response for `cmd`.
int print(const QueueCommand& cmd, const json& response, std::ostream& out, std::ostream& err,
          std::int64_t now) {
    try {
        if (cmd.verb == "list") {
            const json& messages = response.at("messages");
            if (cmd.json) out << dump(messages) << "\n";
            else out << control::render_list(messages.get<std::vector<control::MessageInfo>>(), now);
        } else if (cmd.verb == "show") {
            const json& message = response.at("message");
            if (cmd.json) out << dump(message) << "\n";
            else out << control::render_message(message.get<control::MessageInfo>(), now);
        } else if (cmd.verb == "flush") {
            auto n = response.at("count").get<std::size_t>();
            if (!cmd.id) out << "rescheduled " << plural(n, "message") << " for delivery now\n";
            else if (n == 0) out << *cmd.id << ": nothing to reschedule (the message is on hold)\n";
            else out << "rescheduled " << *cmd.id << " for delivery now\n";
        } else if (cmd.verb == "delete") {
            out << "deleted " << *cmd.id << " (no bounce sent)\n";
        } else if (cmd.verb == "hold") {
            out << *cmd.id << " is on hold\n";
        } else if (cmd.verb == "release") {
            out << "released " << *cmd.id << "\n";
        }
    } catch (const json::exception& e) {
        err << "error: unexpected response from the server: " << e.what() << "\n";
        return kExitError;
    }
    return kExitOk;
}

}  // namespace

int run_queue_command(const std::optional<std::string>& config_path, const QueueCommand& cmd,
                      std::ostream& out, std::ostream& err, std::int64_t now) {
    auto loaded = load_config(config_path, err);
    if (!loaded) return kExitError;
    const config::Config& cfg = *loaded;

    const json request = make_request(cmd);
    const auto socket = cfg.control_socket();  // <data_dir>/control.sock
    std::string error;
    control::RequestFailure failure;
    auto response = control::control_request(socket, request, error, &failure);
    if (!response) {
        if (failure != control::RequestFailure::NoServer) {
            err << "error: " << error << "\n";
            return kExitError;
        }
        response = ask_spool(cfg, request, error, err);
        if (!response) return kExitError;
    }
    if (!response->value("ok", false)) {
        std::string message = "the server refused the request";
        if (auto it = response->find("error"); it != response->end() && it->is_string())
            message = it->get<std::string>();
        err << "error: " << control::printable(message) << "\n";
        return kExitError;
    }
    return print(cmd, *response, out, err, now);
}

namespace {

// A usage problem: the subcommand's help, then the problem; exit code 2.
int usage(CLI::App* sub, const std::string& problem) {
    std::cerr << "error: " << problem << "\n" << sub->help() ;
    return kExitUsage;
}

}  // namespace

void add_queue_commands(CLI::App& app, std::optional<std::string>& config_path, int& exit_code) {
    auto* queue = app.add_subcommand(
        "queue", "Inspect and manage the mail queue (through the running server, or the spool "
                 "files when none runs)");
    queue->add_option("-c,--config", config_path, "Configuration file (default: embedded)");
    // Usage errors are checked by hand, so that they exit with 2 (CLI11's own codes differ).
    queue->allow_extras();

    auto cmd = std::make_shared<QueueCommand>();
    struct Spec {
        const char* verb;
        const char* help;
        bool has_id, id_required, has_json;
    };
    const Spec specs[] = {
        {"list", "List queued messages and their recipients' states", false, false, true},
        {"show", "Show every field of one message", true, true, true},
        {"flush", "Retry now: one message (ID) or every message not on hold", true, false, false},
        {"delete", "Delete a message without sending a bounce", true, true, false},
        {"hold", "Put a message on hold: no delivery until released", true, true, false},
        {"release", "Release a held message", true, true, false},
    };
    for (const Spec& spec : specs) {
        auto* sub = queue->add_subcommand(spec.verb, spec.help);
        sub->add_option("-c,--config", config_path, "Configuration file (default: embedded)");
        auto id = std::make_shared<std::string>();
        auto json_flag = std::make_shared<bool>(false);
        if (spec.has_id) sub->add_option("id", *id, spec.id_required ? "Message ID" : "Message ID (optional)");
        if (spec.has_json) sub->add_flag("--json", *json_flag, "Print JSON instead of text");
        sub->allow_extras();
        sub->callback([sub, spec, id, json_flag, cmd, &config_path, &exit_code] {
            if (!sub->remaining().empty()) {
                exit_code = usage(sub, "unexpected argument '" + sub->remaining().front() + "'");
                return;
            }
            if (spec.id_required && id->empty()) {
                exit_code = usage(sub, std::string("'tern queue ") + spec.verb + "' needs a message ID");
                return;
            }
            cmd->verb = spec.verb;
            cmd->id = id->empty() ? std::nullopt : std::optional<std::string>(*id);
            cmd->json = *json_flag;
            exit_code = run_queue_command(config_path, *cmd, std::cout, std::cerr, unix_now());
        });
    }
    queue->callback([queue, cmd, &exit_code] {
        if (!queue->remaining().empty() && cmd->verb.empty()) {
            exit_code = usage(queue, "unknown queue command '" + queue->remaining().front() + "'");
            return;
        }
        if (queue->get_subcommands().empty())
            exit_code = usage(queue, "say what to do: list, show, flush, delete, hold or release");
    });
}

}  // namespace tern::cli
