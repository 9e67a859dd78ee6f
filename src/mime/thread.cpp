// THREAD=REFERENCES and THREAD=ORDEREDSUBJECT (RFC 5256 3): see thread.hpp. Step numbers
// below are those of RFC 5256 3 (REFERENCES).
#include "mime/thread.hpp"

#include <algorithm>
#include <numeric>
#include <tuple>
#include <unordered_map>

namespace tern::mime {
namespace {

std::string subject_key(const std::string& s) {
    std::string k(s);
    for (char& c : k)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    return k;
}

// Containers of the REFERENCES algorithm, by index; -1 is "none".
class Forest {
public:
    struct Container {
        std::int64_t msg = -1;  // input index, -1: dummy
        int parent = -1;
        std::vector<int> children;
    };

    int make() {
        c_.emplace_back();
        return static_cast<int>(c_.size() - 1);
    }
    Container& operator[](int i) { return c_[static_cast<std::size_t>(i)]; }
    int size() const { return static_cast<int>(c_.size()); }
    bool dummy(int i) const { return c_[static_cast<std::size_t>(i)].msg < 0; }

    // True when `a` is `b` or one of its ancestors: linking b as a's parent would loop. A
    // container without children is nobody's ancestor, which keeps the usual case (a new
    // message) constant-time; only a container that already has descendants walks up.
    bool above_or_same(int a, int b) const {
        if (a == b) return true;
        if (c_[static_cast<std::size_t>(a)].children.empty()) return false;
        for (int x = b; x != -1; x = c_[static_cast<std::size_t>(x)].parent)
            if (x == a) return true;
        return false;
    }
    void link(int parent, int child) {
        (*this)[child].parent = parent;
        (*this)[parent].children.push_back(child);
    }
    void unlink(int child) {
        int p = (*this)[child].parent;
        if (p < 0) return;
        auto& siblings = (*this)[p].children;
        siblings.erase(std::find(siblings.begin(), siblings.end(), child));
        (*this)[child].parent = -1;
    }

    // Every container under `roots`, children before their parent.
    std::vector<int> post_order(const std::vector<int>& roots) const {
        std::vector<int> out;
        std::vector<std::pair<int, std::size_t>> stack;
        for (int r : roots) {
            stack.push_back({r, 0});
            while (!stack.empty()) {
                auto& [node, next] = stack.back();
                const auto& kids = c_[static_cast<std::size_t>(node)].children;
                if (next < kids.size()) {
                    int child = kids[next++];
                    stack.push_back({child, 0});
                } else {
                    out.push_back(node);
                    stack.pop_back();
                }
            }
        }
        return out;
    }

private:
    std::vector<Container> c_;
};

// Step 6: siblings by sent date, then mailbox order; a dummy takes its first child's place.
void sort_forest(Forest& f, std::vector<int>& roots, const std::vector<ThreadInput>& in) {
    std::vector<std::pair<std::int64_t, std::int64_t>> key(static_cast<std::size_t>(f.size()));
    auto by_key = [&](int a, int b) {
        return key[static_cast<std::size_t>(a)] < key[static_cast<std::size_t>(b)];
    };
    for (int n : f.post_order(roots)) {
        auto& kids = f[n].children;
        std::stable_sort(kids.begin(), kids.end(), by_key);
        std::int64_t m = f[n].msg;
        key[static_cast<std::size_t>(n)] =
            m >= 0 ? std::pair{in[static_cast<std::size_t>(m)].sent_date, m}
                   : (kids.empty() ? std::pair<std::int64_t, std::int64_t>{0, 0}
                                   : key[static_cast<std::size_t>(kids.front())]);
    }
    std::stable_sort(roots.begin(), roots.end(), by_key);
}

ThreadTree to_tree(Forest& f, const std::vector<int>& roots) {
    ThreadTree t;
    std::vector<std::pair<int, std::uint32_t>> queue;  // container, node
    auto add = [&](int c) {
        auto n = static_cast<std::uint32_t>(t.nodes.size());
        ThreadTree::Node node;
        if (!f.dummy(c)) node.message = static_cast<std::size_t>(f[c].msg);
        t.nodes.push_back(std::move(node));
        queue.push_back({c, n});
        return n;
    };
    for (int r : roots) t.roots.push_back(add(r));
    for (std::size_t q = 0; q < queue.size(); ++q) {
        auto [c, n] = queue[q];
        for (int child : f[c].children) {
            std::uint32_t k = add(child);
            t.nodes[n].children.push_back(k);
        }
    }
    return t;
}

}  // namespace

ThreadTree thread_references(const std::vector<ThreadInput>& in) {
    Forest f;
    std::unordered_map<std::string, int> ids;
    auto container_for = [&](const std::string& id) {
        auto it = ids.find(id);
        if (it != ids.end()) return it->second;
        int c = f.make();
        ids.emplace(id, c);
        return c;
    };
    // Step 1.
    for (std::size_t i = 0; i < in.size(); ++i) {
        int prev = -1;
        for (const auto& id : in[i].references) {  // 1A: link the references in order
            if (id.empty()) continue;
            int cur = container_for(id);
            if (prev != -1 && f[cur].parent == -1 && !f.above_or_same(cur, prev)) f.link(prev, cur);
            prev = cur;
        }
        int self = -1;  // 1B: the message's own container
        if (const std::string& mid = in[i].message_id; !mid.empty()) {
            auto it = ids.find(mid);
            if (it == ids.end()) self = container_for(mid);
            else if (f.dummy(it->second)) self = it->second;
        }
        if (self == -1) self = f.make();  // no or duplicate Message-ID: a unique one
        f[self].msg = static_cast<std::int64_t>(i);
        f.unlink(self);  // 1C: the last reference is the parent
        if (prev != -1 && !f.above_or_same(self, prev)) f.link(prev, self);
    }
    // Step 2: the root set. Step 3: the id table is no longer needed.
    std::vector<int> roots;
    for (int c = 0; c < f.size(); ++c)
        if (f[c].parent == -1) roots.push_back(c);
    ids.clear();
    // Step 4: prune dummies, children first (after which no list below the root holds one).
    for (int n : f.post_order(roots)) {
        std::vector<int> kept;
        for (int ch : f[n].children) {
            if (!f.dummy(ch)) {
                kept.push_back(ch);
                continue;
            }
            for (int g : f[ch].children) {  // 4B: promote; 4A: a childless dummy just goes
                f[g].parent = n;
                kept.push_back(g);
            }
            f[ch].children.clear();
        }
        f[n].children = std::move(kept);
    }
    std::vector<int> top;
    for (int r : roots) {
        if (!f.dummy(r)) {
            top.push_back(r);
        } else if (f[r].children.size() == 1) {  // promote a single child to the root
            int only = f[r].children.front();
            f[only].parent = -1;
            top.push_back(only);
        } else if (!f[r].children.empty()) {
            top.push_back(r);
        }
    }
    // Step 5: gather threads by base subject.
    auto subject_of = [&](int r) -> const ThreadInput& {
        int m = f.dummy(r) ? f[r].children.front() : r;
        return in[static_cast<std::size_t>(f[m].msg)];
    };
    std::unordered_map<std::string, int> table;
    for (int r : top) {  // 5A/5B
        std::string k = subject_key(subject_of(r).base_subject);
        if (k.empty()) continue;
        auto [it, inserted] = table.emplace(k, r);
        int t = it->second;
        if (!inserted && !f.dummy(t) &&
            (f.dummy(r) || (subject_of(t).reply_or_forward && !subject_of(r).reply_or_forward)))
            it->second = r;
    }
    std::vector<char> gone(static_cast<std::size_t>(f.size()), 0);
    std::size_t original = top.size();
    for (std::size_t i = 0; i < original; ++i) {  // 5C: merge
        int r = top[i];
        if (gone[static_cast<std::size_t>(r)]) continue;
        std::string k = subject_key(subject_of(r).base_subject);
        if (k.empty()) continue;
        int t = table.at(k);
        if (t == r) continue;
        if (f.dummy(t) && f.dummy(r)) {
            for (int ch : f[r].children) f.link(t, ch);
            f[r].children.clear();
        } else if (f.dummy(t) ||
                   (!f.dummy(r) && subject_of(r).reply_or_forward && !subject_of(t).reply_or_forward)) {
            f.link(t, r);
        } else {
            int d = f.make();
            gone.push_back(0);
            f.link(d, t);
            f.link(d, r);
            gone[static_cast<std::size_t>(t)] = 1;
            top.push_back(d);
            table[k] = d;
        }
        gone[static_cast<std::size_t>(r)] = 1;
    }
    std::vector<int> final_roots;
    for (int r : top)
        if (!gone[static_cast<std::size_t>(r)]) final_roots.push_back(r);
    // Step 6.
    sort_forest(f, final_roots, in);
    return to_tree(f, final_roots);
}

ThreadTree thread_orderedsubject(const std::vector<ThreadInput>& in) {
    std::vector<std::string> keys;
    keys.reserve(in.size());
    for (const auto& m : in) keys.push_back(subject_key(m.base_subject));
    std::vector<std::size_t> order(in.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return std::tie(keys[a], in[a].sent_date, a) < std::tie(keys[b], in[b].sent_date, b);
    });
    ThreadTree t;
    std::vector<std::uint32_t> roots;
    for (std::size_t i = 0; i < order.size();) {
        auto root = static_cast<std::uint32_t>(t.nodes.size());
        t.nodes.push_back({order[i], {}});
        roots.push_back(root);
        std::size_t j = i + 1;
        for (; j < order.size() && keys[order[j]] == keys[order[i]]; ++j) {
            auto child = static_cast<std::uint32_t>(t.nodes.size());
            t.nodes.push_back({order[j], {}});
            t.nodes[root].children.push_back(child);
        }
        i = j;
    }
    std::stable_sort(roots.begin(), roots.end(), [&](std::uint32_t a, std::uint32_t b) {
        std::size_t ma = *t.nodes[a].message, mb = *t.nodes[b].message;
        return std::tie(in[ma].sent_date, ma) < std::tie(in[mb].sent_date, mb);
    });
    t.roots = std::move(roots);
    return t;
}

}  // namespace tern::mime
