// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>

namespace wsi::test {

// "81 05 48 65" → octets; spaces ignored.
inline QByteArray hex(const char *spaced)
{
    return QByteArray::fromHex(QByteArray(spaced).replace(' ', QByteArray()));
}

} // namespace wsi::test

#include "session/session.h"
#include "trace/trace.h"
#include "trace/wirelog.h"

#include <QSignalSpy>
#include <QStringList>
#include <QTest>

namespace wsi::test {

inline SessionSettings settingsFor(const QUrl &url)
{
    SessionSettings s;
    s.url = url;
    return s;
}

inline Step closeStep(std::optional<int> code, const QByteArray &reason = {})
{
    Step s = Step::makeKind(Step::Kind::Close);
    s.closeCode = code;
    s.closeReason = reason;
    return s;
}

// A text message step (one frame).
inline Step textMessage(const QByteArray &text)
{
    Step s = Step::makeKind(Step::Kind::Message);
    s.payload = text;
    return s;
}

// A Delay, CloseAfter or FailAfter step.
inline Step timerStep(Step::Kind kind, double seconds)
{
    Step s = Step::makeKind(kind);
    s.seconds = seconds;
    return s;
}

// A server's close frame (unmasked), with a code and reason or empty.
inline QByteArray serverClose(std::optional<int> code, const QByteArray &reason = {})
{
    QByteArray payload;
    if (code)
        payload = QByteArray(1, char(*code >> 8)) + char(*code & 0xFF) + reason;
    return QByteArray(1, char(0x88)) + char(payload.size()) + payload;
}

// Runs one session in its own thread until TCP is closed (or `timeoutMs`), collecting the trace.
struct SessionRun
{
    Trace trace;
    bool finished = false;
};

inline void runSession(SessionRun &run, const SessionSettings &settings, const StepList &steps,
                       ClientSession::EventHandler handler = {}, int timeoutMs = 15000)
{
    SessionHost host;
    QObject::connect(&host, &SessionHost::traceBatch, &host,
                     [&run](const TraceBatchPtr &batch) { run.trace.append(std::move(*batch)); });
    QSignalSpy finished(&host, &SessionHost::finished);
    if (handler)
        host.invoke([handler](ClientSession &s) { s.setEventHandler(handler); });
    host.start(settings, steps);
    run.finished = finished.wait(timeoutMs);
    // Batches queued before finished() are delivered before it; let any stragglers land.
    QCoreApplication::processEvents();
}

// The wire-log kinds of a trace as tags ("TO", "RO", "TF", …, "TCP-ME", "TCP-PEER").
inline QStringList wireLogTags(const Trace &trace)
{
    QStringList tags;
    for (const WireLogLine &line : wireLog(trace)) {
        switch (line.kind) {
        case WireLogKind::TcpDroppedByMe:
            tags << QStringLiteral("TCP-ME");
            break;
        case WireLogKind::TcpDroppedByPeer:
            tags << QStringLiteral("TCP-PEER");
            break;
        default:
            tags << wireLogTag(line.kind);
        }
    }
    return tags;
}

inline bool hasEvent(const Trace &trace, TraceEvent::Kind kind)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == kind)
            return true;
    }
    return false;
}

} // namespace wsi::test

#include <QFile>
#include <QProcessEnvironment>

#if defined(__SANITIZE_ADDRESS__)
#define WSI_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WSI_TEST_ASAN 1
#endif
#endif
#ifndef WSI_TEST_ASAN
#define WSI_TEST_ASAN 0
#endif
#if defined(__SANITIZE_THREAD__)
#define WSI_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WSI_TEST_TSAN 1
#endif
#endif
#ifndef WSI_TEST_TSAN
#define WSI_TEST_TSAN 0
#endif
#if WSI_TEST_ASAN || WSI_TEST_TSAN
// The sanitizer runtime's count of live heap octets (sanitizer/allocator_interface.h, which
// GCC's packages do not install).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace wsi::test {

// A field of /proc/<pid>/status (default: this process) in KiB ("VmRSS", "VmHWM"); -1 when it
// cannot be read (not Linux, or the process is gone).
inline qint64 procStatusKiB(const char *field, qint64 pid = -1)
{
    QFile status(pid < 0 ? QStringLiteral("/proc/self/status")
                         : QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// Resets VmHWM (the peak resident size) to the current resident size (Linux ≥ 4.0), so that
// the peak of one piece of work can be read afterwards. Not under AddressSanitizer, whose
// quarantine keeps freed blocks resident, nor under ThreadSanitizer, whose shadow memory grows
// with every octet touched: there, memoryInUseKiB() is sampled instead.
inline bool resetPeakResident()
{
#if WSI_TEST_ASAN || WSI_TEST_TSAN
    return false;
#else
    QFile refs(QStringLiteral("/proc/self/clear_refs"));
    return refs.open(QIODevice::WriteOnly) && refs.write("5") == 1;
#endif
}

// The memory this process uses for its own data, in KiB: the resident size, or under
// AddressSanitizer and ThreadSanitizer the live heap their allocator counts (their shadow
// memory, redzones and quarantine of freed blocks are the sanitizer's, not ours).
inline qint64 memoryInUseKiB()
{
#if WSI_TEST_ASAN || WSI_TEST_TSAN
    return qint64(__sanitizer_get_current_allocated_bytes() / 1024);
#else
    return procStatusKiB("VmRSS");
#endif
}

// The resident size of another process in KiB, for sampling its peak: its VmHWM, or under
// ThreadSanitizer (`make test-tsan`) its current resident size without the sanitizer's shadow
// and meta-shadow memory, which is several times what the program touches. ThreadSanitizer keeps
// the program where it always lives on Linux x86-64 (tsan_platform.h): below 0x0080'0000'0000
// (a binary without PIE), 0x5500'0000'0000-0x5680'0000'0000 (a PIE binary) and from
// 0x7b00'0000'0000 on (its heap, the libraries, mmap, the stacks); every other range is its own.
// -1 when it cannot be read.
inline qint64 childResidentKiB(qint64 pid)
{
#if WSI_TEST_TSAN
    QFile smaps(QStringLiteral("/proc/%1/smaps").arg(pid));
    if (!smaps.open(QIODevice::ReadOnly))
        return -1;
    qint64 total = 0;
    bool program = false;
    for (const QByteArray &line : smaps.readAll().split('\n')) {
        const qsizetype dash = line.indexOf('-');
        const qsizetype space = line.indexOf(' ');
        if (dash > 0 && space > dash) { // a mapping's first line: "start-end perms ..."
            bool ok = false;
            const quint64 start = line.left(dash).toULongLong(&ok, 16);
            if (ok) {
                program = start < 0x008000000000ull ||
                          (start >= 0x550000000000ull && start < 0x568000000000ull) ||
                          start >= 0x7b0000000000ull;
                continue;
            }
        }
        if (program && line.startsWith("Rss:"))
            total += line.mid(4).trimmed().split(' ').value(0).toLongLong();
    }
    return total;
#else
    return procStatusKiB("VmHWM", pid);
#endif
}

// A memory bound of the product, checked against another process's peak resident size. Under
// AddressSanitizer (`make test-asan`) the child runs with a small quarantine (see
// sanitizerChildEnvironment()) and also holds the sanitizer's runtime, shadow memory (an eighth
// of what the program touches) and redzones: that much is added, measured at 30-60 MiB and a
// fifth of the bound on Debian 12. The bound of the normal build stays exact.
inline qint64 childMemoryBound(qint64 productBound)
{
#if WSI_TEST_ASAN
    return productBound + 64 * 1024 * 1024 + productBound / 4;
#else
    return productBound;
#endif
}

// Environment for a child whose memory is measured: under AddressSanitizer, a quarantine of
// 8 MiB instead of 256 MiB, so freed blocks do not count as the program's memory.
inline void sanitizerChildEnvironment(QProcessEnvironment &env)
{
#if WSI_TEST_ASAN
    const QString options = env.value(QStringLiteral("ASAN_OPTIONS"));
    env.insert(QStringLiteral("ASAN_OPTIONS"),
               (options.isEmpty() ? QString() : options + u':') +
                   QStringLiteral("quarantine_size_mb=8:thread_local_quarantine_size_kb=64"));
#else
    Q_UNUSED(env);
#endif
}

// The texts of a trace's Note events, in order (what the wire log shows as notes).
inline QStringList noteTexts(const Trace &trace)
{
    QStringList out;
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == TraceEvent::Kind::Note)
            out << e.text;
    }
    return out;
}

} // namespace wsi::test
