// SPDX-License-Identifier: MIT
// The window under a flood, offscreen, against the headless session on the same flood in the same
// run: ingest time ratio (target ≤ 3), the event loop's worst stall (a 10 ms heartbeat's largest
// gap, target ≤ 100 ms), resident memory growth (target ≤ 200 MB), and start-up to a shown
// window (target ≤ 0.5 s).
//
//   QT_QPA_PLATFORM=offscreen bench_gui [--messages N] [--exit-after-flood]
//
// --exit-after-flood ends the process right after the memory is measured, before anything is
// freed: under heaptrack its "leaked" list is then what the window held at that moment.
#include "floodserver.h"
#include "gui/framefilterproxy.h"
#include "gui/frametablemodel.h"
#include "gui/mainwindow.h"
#include "gui/messagemodel.h"
#include "gui/sessioncontroller.h"
#include "gui/tracestore.h"
#include "gui/wirelogmodel.h"
#include "protocol/frame.h"
#include "session/session.h"
#include "trace/trace.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QLineEdit>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace wsi;
using namespace wsi::bench;
using namespace Qt::StringLiterals;

namespace {

qint64 residentBytes()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
    }
    return -1;
}

// Octets malloc has handed out and not got back (glibc): what the process really holds, apart
// from freed pages the allocator keeps resident.
qint64 heapInUseBytes()
{
#if defined(__GLIBC__)
    const struct mallinfo2 info = mallinfo2();
    return qint64(info.uordblks + info.hblkhd);
#else
    return -1;
#endif
}

// Paint events on the window: the first one after show() is "start-up to a shown window".
class FirstPaint final : public QObject
{
public:
    bool painted = false;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            painted = true;
        return QObject::eventFilter(watched, event);
    }
};

double headlessSeconds(quint16 port, qint64 count)
{
    SessionHost host;
    Trace trace;
    QEventLoop loop;
    QElapsedTimer clock;
    QObject::connect(&host, &SessionHost::stateChanged, &loop, [&](SessionState s) {
        if (s == SessionState::Open)
            clock.start();
    });
    QObject::connect(&host, &SessionHost::traceBatch, &loop, [&](const TraceBatchPtr &batch) {
        trace.append(std::move(*batch));
        if (trace.frameCount(Direction::Rx) >= count)
            loop.quit();
    });
    QObject::connect(&host, &SessionHost::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(300000, &loop, &QEventLoop::quit);
    SessionSettings settings;
    settings.url = QUrl(u"ws://127.0.0.1:%1/"_s.arg(port));
    host.start(settings);
    loop.exec();
    const double seconds = clock.nsecsElapsed() / 1e9;
    host.invoke([](ClientSession &s) { s.dropTcp(); });
    return trace.frameCount(Direction::Rx) >= count ? seconds : -1;
}

} // namespace

int main(int argc, char **argv)
{
    QElapsedTimer startup;
    startup.start();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"WebSocketInspector-Bench"_s);
    // The window records every connection, as by default, but into a folder that goes with the
    // run: a bench must not fill the user's capture folder.
    QTemporaryDir recordings;
    QSettings().setValue(u"recording/folder"_s, recordings.path());
    qint64 count = 1000000;
    bool exitAfterFlood = false;
    QTextStream out(stdout);
    const QStringList args = QApplication::arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args[i] == u"--messages"_s && i + 1 < args.size()) {
            count = args[++i].toLongLong();
        } else if (args[i] == u"--exit-after-flood"_s) {
            exitAfterFlood = true;
        } else {
            out << u"usage: QT_QPA_PLATFORM=offscreen bench_gui [--messages N] "
                   "[--exit-after-flood]\n"
                   "  --messages N        messages in the flood (default 1000000)\n"
                   "  --exit-after-flood  exit right after measuring, freeing nothing (for "
                   "heaptrack: its leak list is then what the window held)\n"_s;
            out.flush();
            return args[i] == u"--help"_s ? 0 : 2;
        }
    }

    // Unattended: the second connection does not ask before it replaces the views.
    QSettings().setValue(u"window/askBeforeReplacing"_s, false);
    gui::MainWindow window;
    FirstPaint firstPaint;
    window.installEventFilter(&firstPaint);
    window.resize(1600, 1000);
    window.show();
    while (!firstPaint.painted && startup.elapsed() < 10000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    const double startupSeconds = startup.nsecsElapsed() / 1e9;

    FrameSpec small;
    small.opcode = 1;
    small.payload = QByteArray(16, 'a');
    small.maskMode = MaskMode::None;
    const QByteArray frame = encodeFrame(small);

    // The headless session on the flood.
    auto [t1, s1, port1] = startFloodServer(frame, count);
    const double headless = headlessSeconds(port1, count);
    stopFloodServer(t1, s1);

    // The same flood into the window: done when every model has every row.
    auto [t2, s2, port2] = startFloodServer(frame, count);
    // The headless run's trace is freed but partly still resident; the window would reuse those
    // pages and seem to grow less. Handed back first, the growth is what the window takes.
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    const qint64 rssBefore = residentBytes();
    const qint64 heapBefore = heapInUseBytes();
    qint64 worstGapMs = 0;
    QElapsedTimer heartbeatClock;
    QTimer heartbeat;
    heartbeat.setInterval(10);
    QObject::connect(&heartbeat, &QTimer::timeout, &heartbeat,
                     [&] { worstGapMs = std::max(worstGapMs, heartbeatClock.restart()); });
    QElapsedTimer ingest;
    QObject::connect(window.controller(), &gui::SessionController::stateChanged, &window,
                     [&](SessionState s) {
                         if (s == SessionState::Open)
                             ingest.start();
                     });
    window.setUrl(u"ws://127.0.0.1:%1/"_s.arg(port2));
    heartbeatClock.start();
    heartbeat.start();
    window.connectToServer();
    QElapsedTimer limit;
    limit.start();
    const auto done = [&] {
        return window.frameModel()->rowCount() >= count &&
               window.messageModel()->rowCount() >= count &&
               window.wireLogModel()->rowCount() >= count;
    };
    while (!done() && limit.elapsed() < 300000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    const double windowSeconds = ingest.isValid() ? ingest.nsecsElapsed() / 1e9 : -1;
    heartbeat.stop();
    const qint64 rssAfter = residentBytes();
    const qint64 heapAfter = heapInUseBytes();
    if (exitAfterFlood) {
        out << u"bench_gui: resident memory growth %1 MB; exiting without freeing\n"_s.arg(
            (rssAfter - rssBefore) / 1e6, 0, 'f', 1);
        out.flush();
        std::_Exit(0);
    }
    window.disconnectFromServer();
    stopFloodServer(t2, s2);

    // The filtered flood: "msg 04" typed in the frame filter first, then the same flood of
    // frames that all match. Done when the filter has every row.
    FrameSpec matching = small;
    matching.payload = QByteArray("msg 04 ") + QByteArray(9, 'a');
    auto [t3, s3, port3] = startFloodServer(encodeFrame(matching), count);
    auto *filterEdit = window.findChild<QLineEdit *>(u"frameTextFilter"_s);
    auto *frameView = window.findChild<QTableView *>(u"frameView"_s);
    if (filterEdit)
        filterEdit->setText(u"msg 04"_s);
    auto *proxy = frameView ? qobject_cast<gui::FrameFilterProxy *>(frameView->model()) : nullptr;
    qint64 filteredGapMs = 0;
    QTimer filteredHeartbeat;
    filteredHeartbeat.setInterval(10);
    QObject::connect(&filteredHeartbeat, &QTimer::timeout, &filteredHeartbeat,
                     [&] { filteredGapMs = std::max(filteredGapMs, heartbeatClock.restart()); });
    QElapsedTimer filteredIngest;
    const QMetaObject::Connection opened = QObject::connect(
        window.controller(), &gui::SessionController::stateChanged, &window, [&](SessionState s) {
            if (s == SessionState::Open)
                filteredIngest.start();
        });
    window.setUrl(u"ws://127.0.0.1:%1/"_s.arg(port3));
    heartbeatClock.start();
    filteredHeartbeat.start();
    window.connectToServer();
    limit.restart();
    const auto filteredDone = [&] {
        return proxy && window.frameModel()->rowCount() >= count && !proxy->isScanning() &&
               proxy->rowCount() >= count;
    };
    while (!filteredDone() && limit.elapsed() < 300000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    const double filteredSeconds =
        filteredIngest.isValid() ? filteredIngest.nsecsElapsed() / 1e9 : -1;
    filteredHeartbeat.stop();
    QObject::disconnect(opened);
    const int matchingRows = proxy ? proxy->rowCount() : -1;
    window.disconnectFromServer();
    stopFloodServer(t3, s3);

    const double ratio = windowSeconds / headless;
    const double growthMb = (rssAfter - rssBefore) / 1e6;
    out << u"bench_gui: %1 × 16-octet text messages, offscreen window, loopback\n"_s.arg(count);
    out << u"  headless session  %1 s\n"_s.arg(headless, 0, 'f', 3);
    out << u"  window (all models)  %1 s   rows: frames %2, messages %3, wire log %4\n"_s
               .arg(windowSeconds, 0, 'f', 3)
               .arg(window.frameModel()->rowCount())
               .arg(window.messageModel()->rowCount())
               .arg(window.wireLogModel()->rowCount());
    out << u"  ratio %1 (target <= 3)\n"_s.arg(ratio, 0, 'f', 2);
    out << u"  worst event-loop gap %1 ms (target <= 100)\n"_s.arg(worstGapMs);
    out << u"  resident memory growth %1 MB (target <= 200)\n"_s.arg(growthMb, 0, 'f', 1);
    if (heapBefore >= 0)
        out << u"  heap in use (malloc'd, not freed) grew by %1 MB\n"_s.arg(
            (heapAfter - heapBefore) / 1e6, 0, 'f', 1);
    out << u"  start-up to a shown window %1 s (target <= 0.5)\n"_s.arg(startupSeconds, 0, 'f', 3);
    out << u"  filtered flood (\"msg 04\" set first): %1 s, matching rows %2 of %3 expected, "
           "worst event-loop gap %4 ms (target <= 100)\n"_s.arg(filteredSeconds, 0, 'f', 3)
               .arg(matchingRows)
               .arg(count)
               .arg(filteredGapMs);
    out << u"bench_gui: ratio %1 (target 3.0), stall %2 ms (target 100), memory %3 MB (target "
           "200), start-up %4 s (target 0.5)\n"_s.arg(ratio, 0, 'f', 2)
               .arg(worstGapMs)
               .arg(growthMb, 0, 'f', 1)
               .arg(startupSeconds, 0, 'f', 3);
    out.flush();
    return done() && matchingRows == count && filteredGapMs <= 100 ? 0 : 1;
}
