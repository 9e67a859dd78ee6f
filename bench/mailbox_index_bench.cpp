// Chooses the folder index format by measurement: the store's own format (a snapshot plus an
// append-only journal of checksummed batches, mailbox/index_file.hpp) against SQLite, for a
// folder of 50,000 messages. Also: the Folder's cold open (no index: rebuild from 50,000 files
// in cur/) and warm open (index present, directory listing skipped or not), and the cost of
// keeping the per-message cache inside the index instead of in its own lazily read file.
//
// What each benchmark measures (page cache warm; "durable" means fsync'ed before returning):
//   Own/Open            read + verify + parse the index into a Snapshot (what Folder does)
//   Own/OpenInlineCache the same with 300 bytes of cache data inside every record
//   Own/CacheFileLoad   loading the separate cache file once (50,000 x 300 B)
//   Own/Append          one Add batch, pwrite + fdatasync
//   Own/FlagUpdate      one Flags batch, pwrite + fdatasync
//   Sqlite*/Open        SELECT every row into the same Snapshot
//   Sqlite*/Append      INSERT + meta UPDATE in one transaction (synchronous=FULL)
//   Sqlite*/FlagUpdate  UPDATE of one row + meta in one transaction (synchronous=FULL)
//   (SqliteWal: journal_mode=WAL; SqliteRollback: journal_mode=DELETE)
//   Folder/ColdRebuild  Folder::sync() with no index: readdir + stat of 50,000 files, index write
//   Folder/WarmOpen     Folder::sync() with an index whose directory mtimes are settled
//   Folder/WarmOpenList the same when cur/ must be listed again (mtime changed)
// The counter "file_MB" is the size of the index (SQLite: database + WAL after the build).
//
// Run (release tree): cmake --build build --target mailbox_index_bench &&
//   build/bench/mailbox_index_bench --benchmark_repetitions=3
//     --benchmark_report_aggregates_only=true --benchmark_counters_tabular=true  (one line)
// It needs about 300 MB under $TMPDIR (50,000 message files), removed at exit. The page cache
// stays warm: dropping it would need root and disturb everything else on the machine.
//
// Medians on the 2-core development VM (ext4, disk otherwise quiet; with the disk busy the
// fsync-bound rows rose to ~3 ms for Own and SqliteWal alike, 6-16 ms for SqliteRollback):
//   Own/Open 6.3 ms (3.9 MB)   SqliteWal/Open 31 ms (4.3 MB)   SqliteRollback/Open 25 ms
//   Own/OpenInlineCache 17 ms (19 MB)   Own/CacheFileLoad 20 ms (15.5 MB)
//   Own/Append 189 us (CPU 73 us)   SqliteWal 224 us (99 us)   SqliteRollback 1095 us (413 us)
//   Own/FlagUpdate 204 us (71 us)   SqliteWal 215 us (107 us)   SqliteRollback 1092 us (422 us)
//   Folder/ColdRebuild 261 ms   Folder/WarmOpen 6.5 ms   Folder/WarmOpenList 69 ms (readdir of
//   50,000 names and matching each against the index; mostly cache misses)
// Verdict (index_file.hpp): the own format; the cache in its own file.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>

#include "mailbox/cache_file.hpp"
#include "mailbox/folder.hpp"
#include "mailbox/index_file.hpp"
#include "mailbox/index_format.hpp"

namespace fs = std::filesystem;
using namespace tern::mailbox;

namespace {

constexpr std::uint32_t kMessages = 50000;
constexpr std::size_t kCacheBytes = 300;

MessageRecord make_record(std::uint32_t uid, std::mt19937& rng) {
    MessageRecord m;
    m.uid = uid;
    m.modseq = uid;
    m.flags.system = (rng() % 10 < 7 ? flag::kSeen : 0) | (rng() % 20 == 0 ? flag::kFlagged : 0);
    if (rng() % 20 == 0) m.flags.keywords = {"$Junk"};
    m.internal_date = 1700000000 + uid * 60;
    m.disk_size = 1000 + rng() % 50000;
    m.rfc822_size = m.disk_size + 40;
    char base[128];
    std::snprintf(base, sizeof base, "%u.R%08x%04x_0.mx.example.org,S=%llu,W=%llu", 1700000000 + uid * 60,
                  static_cast<unsigned>(rng()), uid % 65536, static_cast<unsigned long long>(m.disk_size),
                  static_cast<unsigned long long>(m.rfc822_size));
    m.base = base;
    return m;
}

class Scratch {
public:
    Scratch() {
        const char* base = std::getenv("TMPDIR");
        std::string tmpl = std::string(base && *base ? base : "/tmp") + "/tern-bench-XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
        dir = tmpl;
        std::mt19937 rng(1);
        SnapshotEditor ed(1700000000);
        for (std::uint32_t u = 1; u <= kMessages; ++u) ed.add(make_record(u, rng));
        snapshot = std::move(ed).finish();
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    fs::path dir;
    SnapshotPtr snapshot;
};

Scratch& scratch() {
    static Scratch s;
    return s;
}

std::uint64_t bytes_of(const fs::path& p) {
    std::error_code ec;
    auto n = fs::file_size(p, ec);
    return ec ? 0 : n;
}

// ---- own format

fs::path own_index(bool inline_cache) {
    auto& s = scratch();
    auto path = s.dir / (inline_cache ? "own-inline" : "own") / "tern-index";
    if (fs::exists(path)) return path;
    fs::create_directories(path.parent_path());
    IndexFile f(path, {});
    f.load();
    if (!inline_cache) {
        if (!f.rewrite(*s.snapshot, {}).ok()) throw std::runtime_error("rewrite");
        return path;
    }
    // The same records, each carrying kCacheBytes more (as if the cache lived in the index).
    SnapshotEditor ed(s.snapshot->uidvalidity);
    for (auto m : s.snapshot->messages) {
        m.extra_info = std::string(kCacheBytes, 'c');
        ed.add(std::move(m));
    }
    if (!f.rewrite(*std::move(ed).finish(), {}).ok()) throw std::runtime_error("rewrite");
    return path;
}

void own_open(benchmark::State& state, bool inline_cache) {
    auto path = own_index(inline_cache);
    for (auto _ : state) {
        IndexFile f(path, {});
        auto l = f.load();
        if (l.kind != IndexFile::Loaded::Kind::Ok || l.snapshot->messages.size() != kMessages)
            state.SkipWithError("load failed");
        benchmark::DoNotOptimize(l.snapshot);
    }
    state.counters["file_MB"] = static_cast<double>(bytes_of(path)) / 1e6;
}

void BM_Own_Open(benchmark::State& state) { own_open(state, false); }
void BM_Own_OpenInlineCache(benchmark::State& state) { own_open(state, true); }

void BM_Own_CacheFileLoad(benchmark::State& state) {
    auto dir = scratch().dir / "cache";
    fs::create_directories(dir);
    const std::uint32_t uv = scratch().snapshot->uidvalidity;
    if (!fs::exists(dir / "tern-cache")) {  // once: the framework calls this more than once
        CacheFile c(dir / "tern-cache", {});
        for (std::uint32_t u = 1; u <= kMessages; ++u) c.put(uv, u, std::string(kCacheBytes, 'c'));
    }
    for (auto _ : state) {
        CacheFile c(dir / "tern-cache", {});
        auto v = c.get(uv, kMessages / 2);
        if (!v) state.SkipWithError("cache miss");
        benchmark::DoNotOptimize(v);
    }
    state.counters["file_MB"] = static_cast<double>(bytes_of(dir / "tern-cache")) / 1e6;
}

void own_write(benchmark::State& state, bool flags_only) {
    auto& s = scratch();
    auto path = s.dir / (flags_only ? "own-flags" : "own-append") / "tern-index";
    fs::create_directories(path.parent_path());
    IndexFile f(path, {});
    f.load();
    if (!f.rewrite(*s.snapshot, {}).ok()) throw std::runtime_error("rewrite");
    std::mt19937 rng(2);
    std::uint32_t uid = kMessages + 1;
    std::uint64_t modseq = kMessages + 1;
    for (auto _ : state) {
        index_format::EntryWriter w;
        if (flags_only) {
            auto m = s.snapshot->messages[rng() % kMessages];
            m.flags.system ^= flag::kSeen;
            m.modseq = modseq;
            w.flags(m);
        } else {
            auto m = make_record(uid++, rng);
            m.modseq = modseq;
            w.add(m);
        }
        w.state(uid, modseq++);
        if (!f.append(w.bytes(), true).ok()) state.SkipWithError("append failed");
    }
}

void BM_Own_Append(benchmark::State& state) { own_write(state, false); }
void BM_Own_FlagUpdate(benchmark::State& state) { own_write(state, true); }

// ---- SQLite

void check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        throw std::runtime_error(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "?"));
}

void exec(sqlite3* db, const char* sql) { check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql); }

sqlite3* open_db(const fs::path& path, bool wal) {
    sqlite3* db = nullptr;
    check(sqlite3_open(path.c_str(), &db), db, "open");
    exec(db, wal ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=DELETE");
    exec(db, "PRAGMA synchronous=FULL");
    return db;
}

fs::path sqlite_db(bool wal) {
    auto& s = scratch();
    auto path = s.dir / (wal ? "sqlite-wal.db" : "sqlite-rollback.db");
    if (fs::exists(path)) return path;
    sqlite3* db = open_db(path, wal);
    exec(db,
         "CREATE TABLE meta(k TEXT PRIMARY KEY, v INTEGER) WITHOUT ROWID;"
         "CREATE TABLE msg(uid INTEGER PRIMARY KEY, modseq INTEGER, flags INTEGER, idate INTEGER,"
         " rfc822 INTEGER, disk INTEGER, base TEXT, extra TEXT, keywords TEXT);"
         "CREATE TABLE expunged(first INTEGER PRIMARY KEY, last INTEGER, modseq INTEGER);");
    exec(db, "BEGIN");
    sqlite3_stmt* ins = nullptr;
    check(sqlite3_prepare_v2(db, "INSERT INTO msg VALUES(?,?,?,?,?,?,?,?,?)", -1, &ins, nullptr), db, "prepare");
    for (const auto& m : s.snapshot->messages) {
        std::string kw;
        for (const auto& k : m.flags.keywords) kw += k + " ";
        sqlite3_bind_int64(ins, 1, m.uid);
        sqlite3_bind_int64(ins, 2, static_cast<sqlite3_int64>(m.modseq));
        sqlite3_bind_int(ins, 3, m.flags.system);
        sqlite3_bind_int64(ins, 4, m.internal_date);
        sqlite3_bind_int64(ins, 5, static_cast<sqlite3_int64>(m.rfc822_size));
        sqlite3_bind_int64(ins, 6, static_cast<sqlite3_int64>(m.disk_size));
        sqlite3_bind_text(ins, 7, m.base.data(), static_cast<int>(m.base.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 8, m.extra_info.data(), static_cast<int>(m.extra_info.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 9, kw.data(), static_cast<int>(kw.size()), SQLITE_TRANSIENT);
        check(sqlite3_step(ins), db, "insert");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    exec(db, "INSERT INTO meta VALUES('uidvalidity', 1700000000), ('uidnext', 50001), ('highestmodseq', 50000)");
    exec(db, "COMMIT");
    if (wal) exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_close(db);
    return path;
}

void sqlite_open(benchmark::State& state, bool wal) {
    auto path = sqlite_db(wal);
    for (auto _ : state) {
        sqlite3* db = open_db(path, wal);
        sqlite3_stmt* q = nullptr;
        check(sqlite3_prepare_v2(db, "SELECT uid, modseq, flags, idate, rfc822, disk, base, extra, keywords FROM msg ORDER BY uid",
                                 -1, &q, nullptr), db, "prepare");
        SnapshotEditor ed(1700000000);
        while (sqlite3_step(q) == SQLITE_ROW) {
            MessageRecord m;
            m.uid = static_cast<std::uint32_t>(sqlite3_column_int64(q, 0));
            m.modseq = static_cast<std::uint64_t>(sqlite3_column_int64(q, 1));
            m.flags.system = static_cast<std::uint8_t>(sqlite3_column_int(q, 2));
            m.internal_date = sqlite3_column_int64(q, 3);
            m.rfc822_size = static_cast<std::uint64_t>(sqlite3_column_int64(q, 4));
            m.disk_size = static_cast<std::uint64_t>(sqlite3_column_int64(q, 5));
            m.base.assign(reinterpret_cast<const char*>(sqlite3_column_text(q, 6)), static_cast<std::size_t>(sqlite3_column_bytes(q, 6)));
            m.extra_info.assign(reinterpret_cast<const char*>(sqlite3_column_text(q, 7)), static_cast<std::size_t>(sqlite3_column_bytes(q, 7)));
            std::string kw(reinterpret_cast<const char*>(sqlite3_column_text(q, 8)), static_cast<std::size_t>(sqlite3_column_bytes(q, 8)));
            for (std::size_t p = 0, sp; (sp = kw.find(' ', p)) != std::string::npos; p = sp + 1)
                m.flags.keywords.push_back(kw.substr(p, sp - p));
            ed.add(std::move(m));
        }
        sqlite3_finalize(q);
        auto snap = std::move(ed).finish();
        if (snap->messages.size() != kMessages) state.SkipWithError("short read");
        benchmark::DoNotOptimize(snap);
        sqlite3_close(db);
    }
    state.counters["file_MB"] = static_cast<double>(bytes_of(path) + bytes_of(path.string() + "-wal")) / 1e6;
}

void BM_SqliteWal_Open(benchmark::State& state) { sqlite_open(state, true); }
void BM_SqliteRollback_Open(benchmark::State& state) { sqlite_open(state, false); }

void sqlite_write(benchmark::State& state, bool wal, bool flags_only) {
    // A private copy: the writes must not change what the Open benchmarks read.
    auto src = sqlite_db(wal);
    auto path = scratch().dir / (std::string(wal ? "w-" : "r-") + (flags_only ? "flags.db" : "append.db"));
    fs::copy_file(src, path, fs::copy_options::overwrite_existing);
    sqlite3* db = open_db(path, wal);
    sqlite3_stmt* ins = nullptr;
    sqlite3_stmt* upd = nullptr;
    sqlite3_stmt* meta = nullptr;
    check(sqlite3_prepare_v2(db, "INSERT INTO msg VALUES(?,?,?,?,?,?,?,'','')", -1, &ins, nullptr), db, "prepare");
    check(sqlite3_prepare_v2(db, "UPDATE msg SET flags=?, modseq=? WHERE uid=?", -1, &upd, nullptr), db, "prepare");
    check(sqlite3_prepare_v2(db, "UPDATE meta SET v=? WHERE k=?", -1, &meta, nullptr), db, "prepare");
    std::mt19937 rng(2);
    std::uint32_t uid = kMessages + 1;
    std::int64_t modseq = kMessages + 1;
    for (auto _ : state) {
        exec(db, "BEGIN");
        if (flags_only) {
            sqlite3_bind_int(upd, 1, static_cast<int>(rng() % 64));
            sqlite3_bind_int64(upd, 2, modseq);
            sqlite3_bind_int64(upd, 3, 1 + rng() % kMessages);
            check(sqlite3_step(upd), db, "update");
            sqlite3_reset(upd);
        } else {
            auto m = make_record(uid++, rng);
            sqlite3_bind_int64(ins, 1, m.uid);
            sqlite3_bind_int64(ins, 2, modseq);
            sqlite3_bind_int(ins, 3, m.flags.system);
            sqlite3_bind_int64(ins, 4, m.internal_date);
            sqlite3_bind_int64(ins, 5, static_cast<sqlite3_int64>(m.rfc822_size));
            sqlite3_bind_int64(ins, 6, static_cast<sqlite3_int64>(m.disk_size));
            sqlite3_bind_text(ins, 7, m.base.data(), static_cast<int>(m.base.size()), SQLITE_TRANSIENT);
            check(sqlite3_step(ins), db, "insert");
            sqlite3_reset(ins);
            sqlite3_bind_int64(meta, 1, uid);
            sqlite3_bind_text(meta, 2, "uidnext", -1, SQLITE_STATIC);
            check(sqlite3_step(meta), db, "meta");
            sqlite3_reset(meta);
        }
        sqlite3_bind_int64(meta, 1, modseq++);
        sqlite3_bind_text(meta, 2, "highestmodseq", -1, SQLITE_STATIC);
        check(sqlite3_step(meta), db, "meta");
        sqlite3_reset(meta);
        exec(db, "COMMIT");
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    sqlite3_finalize(meta);
    sqlite3_close(db);
}

void BM_SqliteWal_Append(benchmark::State& state) { sqlite_write(state, true, false); }
void BM_SqliteWal_FlagUpdate(benchmark::State& state) { sqlite_write(state, true, true); }
void BM_SqliteRollback_Append(benchmark::State& state) { sqlite_write(state, false, false); }
void BM_SqliteRollback_FlagUpdate(benchmark::State& state) { sqlite_write(state, false, true); }

// ---- the Folder on a real Maildir of 50,000 files

fs::path maildir() {
    auto dir = scratch().dir / "maildir";
    if (fs::exists(dir / "cur")) return dir;
    for (const char* sub : {"", "tmp", "new", "cur"}) fs::create_directories(dir / sub);
    std::string body(1000, 'x');
    for (const auto& m : scratch().snapshot->messages) {
        auto path = dir / "cur" / m.file_name();
        FILE* f = std::fopen(path.c_str(), "wb");
        if (!f) throw std::runtime_error("create message");
        std::fwrite(body.data(), 1, body.size(), f);
        std::fclose(f);
    }
    return dir;
}

void settle(const fs::path& dir) {
    const struct timespec past[2] = {{1600000000, 0}, {1600000000, 0}};
    for (const char* sub : {"new", "cur"}) ::utimensat(AT_FDCWD, (dir / sub).c_str(), past, 0);
}

Folder::Options folder_options(const fs::path& dir) {
    Folder::Options o;
    o.dir = dir;
    o.name = "INBOX";
    o.hostname = "bench";
    return o;
}

void BM_Folder_ColdRebuild(benchmark::State& state) {
    auto dir = maildir();
    for (auto _ : state) {
        state.PauseTiming();
        fs::remove(dir / "tern-index");
        fs::remove(dir / "tern-cache");
        state.ResumeTiming();
        Folder f(folder_options(dir));
        auto s = f.sync();
        if (!s.ok() || (*s)->messages.size() != kMessages) state.SkipWithError("rebuild failed");
    }
    state.counters["file_MB"] = static_cast<double>(bytes_of(dir / "tern-index")) / 1e6;
}

void warm_open(benchmark::State& state, bool list_cur) {
    auto dir = maildir();
    settle(dir);
    {
        Folder f(folder_options(dir));  // records the settled mtimes in the index
        if (!f.sync(SyncMode::Full).ok()) state.SkipWithError("sync failed");
    }
    static time_t stamp = 1600000000;
    for (auto _ : state) {
        if (list_cur) {
            // A settled mtime other than the one recorded: cur/ must be listed (and matched).
            state.PauseTiming();
            ++stamp;
            const struct timespec other[2] = {{stamp, 0}, {stamp, 0}};
            ::utimensat(AT_FDCWD, (dir / "cur").c_str(), other, 0);
            state.ResumeTiming();
        }
        Folder f(folder_options(dir));
        auto s = f.sync();
        if (!s.ok() || (*s)->messages.size() != kMessages) state.SkipWithError("open failed");
    }
    state.counters["file_MB"] = static_cast<double>(bytes_of(dir / "tern-index")) / 1e6;
}

void BM_Folder_WarmOpen(benchmark::State& state) { warm_open(state, false); }
void BM_Folder_WarmOpenList(benchmark::State& state) { warm_open(state, true); }

}  // namespace

BENCHMARK(BM_Own_Open)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SqliteWal_Open)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SqliteRollback_Open)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Own_OpenInlineCache)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Own_CacheFileLoad)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Own_Append)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SqliteWal_Append)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SqliteRollback_Append)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Own_FlagUpdate)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SqliteWal_FlagUpdate)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SqliteRollback_FlagUpdate)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Folder_ColdRebuild)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Folder_WarmOpen)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Folder_WarmOpenList)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
