// The Resolver on libunbound (resolver.hpp).
//
// libunbound resolves in a worker thread of its own (ub_ctx_async(ctx, 1)) and hands results
// back through a pipe, ub_fd(). We watch that pipe with a stream_descriptor and call
// ub_process() on our strand, which runs the per-query callbacks there. Everything that
// touches the ub_ctx from our side (resolve, cancel, process) runs on that strand.
//
// Not ub_ctx_async(ctx, 0): that makes libunbound fork() a copy of this process as its worker,
// a copy that inherits every descriptor (listening sockets, queue files) of a multi-threaded
// server and keeps them open until it exits.
//
// Lifetime: libunbound calls back with a pointer we gave it (a Ticket). A Ticket lives until
// its callback has run, or until ub_cancel() has said the callback will not run; callbacks
// only ever run inside our ub_process(), and the ub_ctx is deleted before the Tickets.
// Handlers that may outlive the Resolver (timer, pipe wait, cancellation) hold a weak_ptr.
#include "dns/name.hpp"
#include "dns/nameserver.hpp"
#include "dns/rdata.hpp"
#include "dns/resolver.hpp"

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>
#include <atomic>
#include <cstdio>
#include <map>
#include <unbound.h>
#include <unordered_map>

namespace tern::dns {

namespace {

constexpr int kTypeA = 1;
constexpr int kTypePtr = 12;
constexpr int kTypeMx = 15;
constexpr int kTypeTxt = 16;
constexpr int kTypeAaaa = 28;
constexpr int kClassIn = 1;
constexpr int kRcodeServfail = 2;
constexpr int kRcodeNxdomain = 3;
constexpr int kRcodeRefused = 5;

struct Question {
    std::string name;
    int type = 0;
};

std::string type_name(int type) {
    switch (type) {
        case kTypeA: return "A";
        case kTypePtr: return "PTR";
        case kTypeMx: return "MX";
        case kTypeTxt: return "TXT";
        case kTypeAaaa: return "AAAA";
    }
    return "TYPE" + std::to_string(type);
}

// See Resolver::create().
constexpr const char* kForwardedReverseZones[] = {
    "127.in-addr.arpa.", "10.in-addr.arpa.", "168.192.in-addr.arpa.",
    "16.172.in-addr.arpa.", "17.172.in-addr.arpa.", "18.172.in-addr.arpa.", "19.172.in-addr.arpa.",
    "20.172.in-addr.arpa.", "21.172.in-addr.arpa.", "22.172.in-addr.arpa.", "23.172.in-addr.arpa.",
    "24.172.in-addr.arpa.", "25.172.in-addr.arpa.", "26.172.in-addr.arpa.", "27.172.in-addr.arpa.",
    "28.172.in-addr.arpa.", "29.172.in-addr.arpa.", "30.172.in-addr.arpa.", "31.172.in-addr.arpa.",
    "2.0.192.in-addr.arpa.", "100.51.198.in-addr.arpa.", "113.0.203.in-addr.arpa.",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",  // ::1
    "d.f.ip6.arpa.",                                                             // fd00::/8
    "8.b.d.0.1.0.0.2.ip6.arpa.",                                                 // 2001:db8::/32
};

std::string describe(const Question& q) { return q.name + " " + type_name(q.type); }

// One question's answer, still as record data.
struct RawAnswer {
    Status status = Status::TempFail;
    std::vector<std::vector<std::uint8_t>> rdata;
    std::string error;
    bool secure = false;
};
using RawAnswers = std::vector<RawAnswer>;

struct ResultFree {
    void operator()(ub_result* r) const { ub_resolve_free(r); }
};
struct CtxDelete {
    void operator()(ub_ctx* c) const { ub_ctx_delete(c); }
};

RawAnswer convert(const Question& q, int err, const ub_result* r) {
    RawAnswer a;
    if (err != 0 || r == nullptr) {
        a.error = describe(q) + ": resolver error: " + ub_strerror(err);
        return a;
    }
    a.secure = r->secure != 0;
    if (r->bogus) {
        a.error = describe(q) + ": DNSSEC validation failed";
        if (r->why_bogus) a.error += std::string(": ") + r->why_bogus;
        return a;
    }
    if (r->rcode == kRcodeNxdomain || r->nxdomain) {
        a.status = Status::NotFound;
        a.error = describe(q) + ": domain does not exist (NXDOMAIN)";
        return a;
    }
    if (r->rcode != 0) {
        a.error = describe(q) + ": " +
                  (r->rcode == kRcodeServfail  ? std::string("server failure (SERVFAIL)")
                   : r->rcode == kRcodeRefused ? std::string("query refused (REFUSED)")
                                               : "DNS error (rcode " + std::to_string(r->rcode) + ")");
        return a;
    }
    if (!r->havedata || r->data == nullptr || r->data[0] == nullptr) {
        a.status = Status::NotFound;
        a.error = describe(q) + ": no " + type_name(q.type) + " record";
        return a;
    }
    for (int i = 0; r->data[i] != nullptr; ++i) {
        if (r->len[i] < 0) {
            a.error = describe(q) + ": malformed record data";
            a.rdata.clear();
            return a;
        }
        auto* p = reinterpret_cast<const std::uint8_t*>(r->data[i]);
        a.rdata.emplace_back(p, p + r->len[i]);
    }
    a.status = Status::Ok;
    return a;
}

// The type-erased completion handler of one lookup. complete() may be called on any thread:
// it posts to the handler's own executor, so the caller resumes where it was running.
class Completion {
public:
    virtual ~Completion() = default;
    virtual void complete(RawAnswers answers) = 0;
};

template <class Handler>
class CompletionFor final : public Completion {
public:
    CompletionFor(Handler handler, const asio::any_io_executor& fallback)
        : handler_(std::move(handler)),
          work_(asio::make_work_guard(asio::get_associated_executor(handler_, fallback))) {}

    void complete(RawAnswers answers) override {
        auto ex = work_.get_executor();
        asio::post(ex, [h = std::move(handler_), a = std::move(answers)]() mutable {
            // Our cancellation handler must not outlive the operation it cancels.
            asio::get_associated_cancellation_slot(h).clear();
            std::move(h)(std::move(a));
        });
        work_.reset();
    }

private:
    Handler handler_;
    asio::executor_work_guard<asio::associated_executor_t<Handler, asio::any_io_executor>> work_;
};

class State;

// What libunbound hands back to on_result(): which question of which lookup.
struct Ticket {
    State* state = nullptr;
    std::uint64_t batch = 0;
    std::size_t index = 0;
    int async_id = 0;
};

// One lookup: several questions answered together (A + AAAA, or the hosts of an MX set).
struct Batch {
    std::vector<Question> questions;
    RawAnswers answers;
    std::vector<Ticket*> tickets;  // nullptr once answered or cancelled
    std::size_t remaining = 0;
    std::unique_ptr<asio::steady_timer> timer;
    std::unique_ptr<Completion> completion;
};

class State : public std::enable_shared_from_this<State> {
public:
    State(asio::any_io_executor executor, ub_ctx* ctx, std::chrono::seconds timeout)
        : executor_(executor),
          strand_(asio::make_strand(executor)),
          ctx_(ctx),
          pipe_(strand_),
          timeout_(timeout) {}

    State(const State&) = delete;
    State& operator=(const State&) = delete;

    ~State() {
        // No handler of ours is running (they hold a reference while they do), so nothing
        // else touches the members now.
        if (pipe_.is_open()) pipe_.release();  // the descriptor belongs to libunbound
        for (auto& [id, b] : batches_) {
            for (std::size_t i = 0; i < b.answers.size(); ++i)
                if (b.tickets[i]) b.answers[i] = stopped_answer(b.questions[i]);
            b.completion->complete(std::move(b.answers));
        }
        batches_.clear();
        ub_ctx_delete(ctx_);  // joins libunbound's worker; no callback can come after this
    }

    bool open(std::string& error) {
        asio::error_code ec;
        pipe_.assign(ub_fd(ctx_), ec);
        if (ec) error = "cannot watch libunbound's descriptor: " + ec.message();
        return !ec;
    }

    // On the caller's thread: registers cancellation, then hands the lookup to the strand.
    template <class Handler>
    void initiate(Handler handler, std::vector<Question> questions) {
        const std::uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
        auto slot = asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected()) {
            slot.assign([weak = weak_from_this(), strand = strand_, id](asio::cancellation_type type) {
                if (type == asio::cancellation_type::none) return;
                asio::post(strand, [weak, id] {
                    if (auto self = weak.lock()) self->cancel_batch(id, "cancelled");
                });
            });
        }
        std::unique_ptr<Completion> completion =
            std::make_unique<CompletionFor<Handler>>(std::move(handler), executor_);
        asio::post(strand_, [self = shared_from_this(), id, q = std::move(questions),
                             c = std::move(completion)]() mutable {
            self->start(id, std::move(q), std::move(c));
        });
    }

    // Any thread.
    void stop() {
        asio::post(strand_, [self = shared_from_this()] {
            self->stopped_ = true;
            self->fail_all("resolver stopped");
            asio::error_code ec;
            self->pipe_.cancel(ec);
        });
    }

private:
    static RawAnswer stopped_answer(const Question& q) {
        RawAnswer a;
        a.error = describe(q) + ": resolver stopped";
        return a;
    }

    void start(std::uint64_t id, std::vector<Question> questions,
               std::unique_ptr<Completion> completion) {
        if (stopped_ || questions.empty()) {
            RawAnswers answers;
            for (auto& q : questions) answers.push_back(stopped_answer(q));
            completion->complete(std::move(answers));
            return;
        }
        const std::size_t n = questions.size();
        Batch& b = batches_[id];
        b.questions = std::move(questions);
        b.answers.resize(n);
        b.tickets.assign(n, nullptr);
        b.remaining = n;
        b.completion = std::move(completion);
        b.timer = std::make_unique<asio::steady_timer>(strand_, timeout_);
        b.timer->async_wait([weak = weak_from_this(), id](const asio::error_code& ec) {
            if (ec) return;
            if (auto self = weak.lock())
                self->cancel_batch(id, "timed out after " + std::to_string(self->timeout_.count()) + "s");
        });

        for (std::size_t i = 0; i < n; ++i) {
            // Looked up again each time: a callback could in principle end the batch.
            auto it = batches_.find(id);
            if (it == batches_.end()) return;
            const Question q = it->second.questions[i];
            auto owned = std::make_unique<Ticket>(Ticket{this, id, i, 0});
            Ticket* t = owned.get();
            tickets_.emplace(t, std::move(owned));
            it->second.tickets[i] = t;
            int async_id = 0;
            const int err = ub_resolve_async(ctx_, q.name.c_str(), q.type, kClassIn, t,
                                             &State::on_result, &async_id);
            if (err == 0) {
                if (tickets_.count(t)) t->async_id = async_id;
                continue;
            }
            tickets_.erase(t);  // no callback comes for a query that was not started
            it = batches_.find(id);
            if (it == batches_.end()) return;
            it->second.tickets[i] = nullptr;
            it->second.answers[i].error = describe(q) + ": resolver error: " + ub_strerror(err);
            if (--it->second.remaining == 0) {
                finish(it);
                return;
            }
        }
        watch();
    }

    static void on_result(void* arg, int err, ub_result* result) {
        auto* t = static_cast<Ticket*>(arg);
        t->state->answered(t, err, result);
    }

    void answered(Ticket* t, int err, ub_result* result) {
        std::unique_ptr<ub_result, ResultFree> r(result);
        auto node = tickets_.extract(t);  // keeps the Ticket alive until we return
        auto it = batches_.find(t->batch);
        if (it == batches_.end() || it->second.tickets[t->index] != t) return;  // cancelled
        Batch& b = it->second;
        b.tickets[t->index] = nullptr;
        b.answers[t->index] = convert(b.questions[t->index], err, r.get());
        if (--b.remaining == 0) finish(it);
    }

    void cancel_batch(std::uint64_t id, const std::string& reason) {
        auto it = batches_.find(id);
        if (it == batches_.end()) return;
        Batch& b = it->second;
        for (std::size_t i = 0; i < b.tickets.size(); ++i) {
            Ticket* t = b.tickets[i];
            if (!t) continue;
            // On success the callback will not run. Otherwise it may still come: answered()
            // then finds no batch and only frees the Ticket.
            if (ub_cancel(ctx_, t->async_id) == 0) tickets_.erase(t);
            b.tickets[i] = nullptr;
            b.answers[i] = RawAnswer{};
            b.answers[i].error = describe(b.questions[i]) + ": " + reason;
        }
        b.remaining = 0;
        finish(it);
    }

    void fail_all(const std::string& reason) {
        std::vector<std::uint64_t> ids;
        for (auto& [id, b] : batches_) ids.push_back(id);
        for (auto id : ids) cancel_batch(id, reason);
    }

    void finish(std::map<std::uint64_t, Batch>::iterator it) {
        Batch b = std::move(it->second);
        batches_.erase(it);
        b.timer.reset();  // cancels the wait; its handler sees operation_aborted
        if (batches_.empty() && watching_) {
            asio::error_code ec;
            pipe_.cancel(ec);  // idle: leave no work behind (see watch())
        }
        b.completion->complete(std::move(b.answers));
    }

    // Keeps one wait on libunbound's pipe outstanding while lookups are in flight (and none
    // when idle, so an io_context with nothing else to do can return from run()). Queueing a
    // wait re-arms the descriptor (EPOLL_CTL_MOD), so a result that came just before still
    // wakes it.
    void watch() {
        if (watching_ || stopped_ || batches_.empty()) return;
        watching_ = true;
        pipe_.async_wait(asio::posix::descriptor_base::wait_read,
                         [weak = weak_from_this()](const asio::error_code& ec) {
                             if (auto self = weak.lock()) self->readable(ec);
                         });
    }

    void readable(const asio::error_code& ec) {
        watching_ = false;
        if (stopped_) return;
        if (ec == asio::error::operation_aborted) {  // cancelled when idle; a lookup may have
            watch();                                  // started since
            return;
        }
        if (ec) {
            fail_all("resolver failure: " + ec.message());
            return;
        }
        process();
    }

    // Runs the callbacks of every result libunbound has ready (none is fine).
    void process() {
        if (stopped_) return;
        if (int err = ub_process(ctx_); err != 0) {
            fail_all(std::string("resolver failure: ") + ub_strerror(err));
            return;
        }
        watch();
    }

    const asio::any_io_executor executor_;
    const asio::strand<asio::any_io_executor> strand_;
    ub_ctx* const ctx_;
    asio::posix::stream_descriptor pipe_;
    const std::chrono::seconds timeout_;
    std::atomic<std::uint64_t> next_id_{1};
    // The rest is touched only on the strand.
    bool stopped_ = false;
    bool watching_ = false;
    std::map<std::uint64_t, Batch> batches_;
    std::unordered_map<Ticket*, std::unique_ptr<Ticket>> tickets_;
};

// Awaits one lookup. Not a coroutine: the State reference goes into the initiation and is
// not kept in the caller's frame.
auto ask(std::shared_ptr<State> state, std::vector<Question> questions) {
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(RawAnswers)>(
        [](auto handler, std::shared_ptr<State> s, std::vector<Question> q) {
            s->initiate(std::move(handler), std::move(q));
        },
        asio::use_awaitable, std::move(state), std::move(questions));
}

MxAnswer to_mx_answer(const std::string& domain, const RawAnswer& raw) {
    MxAnswer out;
    out.status = raw.status;
    out.error = raw.error;
    out.secure = raw.secure;
    if (raw.status != Status::Ok) return out;
    for (const auto& rd : raw.rdata) {
        auto r = decode_mx_rdata(rd);
        if (!r) {
            out.status = Status::TempFail;
            out.records.clear();
            out.error = domain + " MX: malformed record data";
            return out;
        }
        out.records.push_back(std::move(*r));
    }
    return out;
}

// Status of one half (AAAA or A) after decoding; its addresses are appended to `out`.
Status take_addresses(const std::string& host, const RawAnswer& raw, bool v6,
                      std::vector<asio::ip::address>& out, std::vector<std::string>& errors) {
    if (raw.status != Status::Ok) {
        errors.push_back(raw.error);
        return raw.status;
    }
    std::vector<asio::ip::address> got;
    for (const auto& rd : raw.rdata) {
        auto a = v6 ? decode_aaaa_rdata(rd) : decode_a_rdata(rd);
        if (!a) {
            errors.push_back(host + (v6 ? " AAAA" : " A") + ": malformed record data");
            return Status::TempFail;
        }
        got.push_back(*a);
    }
    if (got.empty()) return Status::NotFound;
    out.insert(out.end(), got.begin(), got.end());
    return Status::Ok;
}

AddressAnswer to_address_answer(const std::string& host, const RawAnswer& aaaa, const RawAnswer& a) {
    AddressAnswer out;
    std::vector<std::string> e6, e4;
    const Status s6 = take_addresses(host, aaaa, true, out.addresses, e6);
    const Status s4 = take_addresses(host, a, false, out.addresses, e4);
    if (!out.addresses.empty())
        out.status = Status::Ok;
    else if (s6 == Status::NotFound && s4 == Status::NotFound)
        out.status = Status::NotFound;
    else
        out.status = Status::TempFail;
    // With Ok, only a failed half is worth a note; a name without AAAA is ordinary.
    auto note = [&](Status s, const std::vector<std::string>& errors) {
        if (out.status == Status::Ok && s != Status::TempFail) return;
        for (const auto& e : errors) out.error += (out.error.empty() ? "" : "; ") + e;
    };
    note(s6, e6);
    note(s4, e4);
    out.secure = aaaa.secure && a.secure;
    return out;
}

AddressAnswer to_family_answer(const std::string& host, const RawAnswer& raw, bool v6) {
    AddressAnswer out;
    std::vector<std::string> errors;
    out.status = take_addresses(host, raw, v6, out.addresses, errors);
    for (const auto& e : errors) out.error += (out.error.empty() ? "" : "; ") + e;
    out.secure = raw.secure;
    return out;
}

TxtAnswer to_txt_answer(const std::string& name, const RawAnswer& raw) {
    TxtAnswer out;
    out.status = raw.status;
    out.error = raw.error;
    out.secure = raw.secure;
    if (raw.status != Status::Ok) return out;
    auto fail = [&](std::string why) {
        out.status = Status::TempFail;
        out.records.clear();
        out.error = name + " TXT: " + std::move(why);
        return out;
    };
    if (raw.rdata.size() > kMaxTxtRecords)
        return fail("more than " + std::to_string(kMaxTxtRecords) + " records");
    std::size_t total = 0;
    for (const auto& rd : raw.rdata) {
        auto text = decode_txt_rdata(rd);
        if (!text) return fail("malformed record data");
        total += text->size();
        if (total > kMaxTxtBytes)
            return fail("more than " + std::to_string(kMaxTxtBytes) + " bytes of text");
        out.records.push_back(std::move(*text));
    }
    return out;
}

// `address` as text, for the errors: the reverse name alone is hard to read.
NameAnswer to_name_answer(const std::string& address, const RawAnswer& raw) {
    NameAnswer out;
    out.status = raw.status;
    if (!raw.error.empty()) out.error = address + ": " + raw.error;
    out.secure = raw.secure;
    if (raw.status != Status::Ok) return out;
    for (const auto& rd : raw.rdata) {
        auto host = decode_ptr_rdata(rd);
        if (!host) {
            out.status = Status::TempFail;
            out.names.clear();
            out.error = address + " PTR: malformed record data";
            return out;
        }
        if (out.names.size() < kMaxPtrNames) out.names.push_back(std::move(*host));
    }
    return out;
}

AddressAnswer invalid_host(std::string error) {
    AddressAnswer out;
    out.status = Status::NotFound;
    out.error = std::move(error);
    return out;
}

class UnboundResolver final : public Resolver {
public:
    explicit UnboundResolver(std::shared_ptr<State> state) : state_(std::move(state)) {}
    ~UnboundResolver() override { state_->stop(); }

    // The coroutines below use no member after their co_await: a lookup may outlive *this
    // (it then completes with "resolver stopped").
    asio::awaitable<MxAnswer> mx(std::string domain) override {
        std::string error;
        auto name = normalize_name(domain, error);
        if (!name) co_return MxAnswer{Status::NotFound, {}, error, false};
        // (A braced list inside co_await trips g++ 12: build the vector first.)
        std::vector<Question> questions;
        questions.push_back({*name, kTypeMx});
        RawAnswers raw = co_await ask(state_, std::move(questions));
        co_return to_mx_answer(*name, raw.at(0));
    }

    asio::awaitable<AddressAnswer> addresses(std::string host) override {
        std::string error;
        auto name = normalize_name(host, error);
        if (!name) co_return invalid_host(std::move(error));
        std::vector<Question> questions;
        questions.push_back({*name, kTypeAaaa});
        questions.push_back({*name, kTypeA});
        RawAnswers raw = co_await ask(state_, std::move(questions));
        co_return to_address_answer(*name, raw.at(0), raw.at(1));
    }

    asio::awaitable<AddressAnswer> addresses_of(std::string host, AddressFamily family) override {
        std::string error;
        auto name = normalize_name(host, error);
        if (!name) co_return invalid_host(std::move(error));
        const bool v6 = family == AddressFamily::Ipv6;
        std::vector<Question> questions;
        questions.push_back({*name, v6 ? kTypeAaaa : kTypeA});
        RawAnswers raw = co_await ask(state_, std::move(questions));
        co_return to_family_answer(*name, raw.at(0), v6);
    }

    asio::awaitable<TxtAnswer> txt(std::string name) override {
        std::string error;
        auto n = normalize_name(name, error);
        if (!n) co_return TxtAnswer{Status::NotFound, {}, error, false};
        std::vector<Question> questions;
        questions.push_back({*n, kTypeTxt});
        RawAnswers raw = co_await ask(state_, std::move(questions));
        co_return to_txt_answer(*n, raw.at(0));
    }

    asio::awaitable<NameAnswer> ptr(asio::ip::address address) override {
        std::string name = reverse_name(address);
        std::vector<Question> questions;
        questions.push_back({name, kTypePtr});
        RawAnswers raw = co_await ask(state_, std::move(questions));
        co_return to_name_answer(address.to_string(), raw.at(0));
    }

    asio::awaitable<std::vector<AddressAnswer>> addresses_each(
        std::vector<std::string> hosts) override {
        std::vector<AddressAnswer> out(hosts.size());
        std::vector<std::string> names(hosts.size());
        std::vector<Question> questions;
        for (std::size_t i = 0; i < hosts.size(); ++i) {
            std::string error;
            if (auto n = normalize_name(hosts[i], error)) {
                names[i] = *n;
                questions.push_back({*n, kTypeAaaa});
                questions.push_back({*n, kTypeA});
            } else {
                out[i] = invalid_host(std::move(error));
            }
        }
        if (questions.empty()) co_return out;
        RawAnswers raw = co_await ask(state_, std::move(questions));
        std::size_t k = 0;
        for (std::size_t i = 0; i < hosts.size(); ++i) {
            if (names[i].empty()) continue;
            out[i] = to_address_answer(names[i], raw.at(k), raw.at(k + 1));
            k += 2;
        }
        co_return out;
    }

    void stop() override { state_->stop(); }

private:
    std::shared_ptr<State> state_;
};

}  // namespace

std::unique_ptr<Resolver> Resolver::create(asio::any_io_executor executor, ResolverOptions options,
                                           std::string& error) {
    if (options.timeout.count() <= 0) {
        error = "resolver timeout must be positive";
        return nullptr;
    }
    std::vector<std::string> forwarders;
    for (const auto& text : options.nameservers) {
        auto ns = parse_nameserver(text, error);
        if (!ns) return nullptr;
        forwarders.push_back(unbound_forwarder(*ns));
    }
    if (!options.trust_anchor_file.empty()) {
        // libunbound reads it only at the first lookup; check now so a typo fails at start-up.
        std::FILE* f = std::fopen(options.trust_anchor_file.c_str(), "r");
        if (!f) {
            error = "cannot read DNSSEC trust anchor file \"" + options.trust_anchor_file + "\"";
            return nullptr;
        }
        std::fclose(f);
    }

    std::unique_ptr<ub_ctx, CtxDelete> ctx(ub_ctx_create());
    if (!ctx) {
        error = "libunbound: cannot create a resolver context";
        return nullptr;
    }
    auto ok = [&](int err, const std::string& what) {
        if (err != 0) error = "libunbound: " + what + ": " + ub_strerror(err);
        return err == 0;
    };
    // libunbound by default never asks 127.0.0.0/8 and ::1: the local caching resolver of
    // /etc/resolv.conf (and the test servers) live there.
    if (!ok(ub_ctx_set_option(ctx.get(), "do-not-query-localhost:", "no"), "do-not-query-localhost"))
        return nullptr;
    if (forwarders.empty()) {
        if (!ok(ub_ctx_resolvconf(ctx.get(), nullptr), "reading /etc/resolv.conf")) return nullptr;
        if (!ok(ub_ctx_hosts(ctx.get(), nullptr), "reading /etc/hosts")) return nullptr;
    } else {
        for (const auto& f : forwarders)
            if (!ok(ub_ctx_set_fwd(ctx.get(), f.c_str()), "nameserver " + f)) return nullptr;
        // libunbound answers names under test. NXDOMAIN itself (RFC 6761 6.2, a default local
        // zone); with nameservers named explicitly, ask them, so test setups can serve
        // example.test. ("nodefault" is not honoured through ub_ctx_set_option in 1.17;
        // "transparent" without local data resolves normally.)
        if (!ok(ub_ctx_set_option(ctx.get(), "local-zone:", "test. transparent"), "local-zone test."))
            return nullptr;
        // Likewise the reverse zones libunbound answers itself (RFC 6303: loopback, private,
        // documentation ranges): the named servers may serve a site's own reverse zones, and
        // PTR lookups of inbound clients on them (SPF "ptr", %{p}) should reach them.
        for (const char* zone : kForwardedReverseZones)
            if (!ok(ub_ctx_set_option(ctx.get(), "local-zone:", (std::string(zone) + " transparent").c_str()),
                    std::string("local-zone ") + zone))
                return nullptr;
    }
    if (!options.trust_anchor_file.empty() &&
        !ok(ub_ctx_add_ta_file(ctx.get(), options.trust_anchor_file.c_str()), "trust anchor"))
        return nullptr;
    if (!ok(ub_ctx_async(ctx.get(), 1), "async mode")) return nullptr;

    auto state = std::make_shared<State>(std::move(executor), ctx.release(), options.timeout);
    if (!state->open(error)) return nullptr;
    return std::make_unique<UnboundResolver>(std::move(state));
}

}  // namespace tern::dns
