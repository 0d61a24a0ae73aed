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

#include "session.h"
#include "trace.h"
#include "wirelog.h"

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
// the peak of one piece of work can be read afterwards.
inline bool resetPeakResident()
{
    QFile refs(QStringLiteral("/proc/self/clear_refs"));
    return refs.open(QIODevice::WriteOnly) && refs.write("5") == 1;
}

} // namespace wsi::test
