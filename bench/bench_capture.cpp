// SPDX-License-Identifier: MIT
// Opening a large capture (issue 12 §5: "opening a 1 GB capture shows the first frames within a
// second and never holds more than the trace's budget"). Writes a capture of SIZE MiB of
// received binary frames, then opens it twice: with the core's CaptureLoad appending into a trace
// in this thread, and in the window (File ▸ Open Capture, offscreen). For each: the time to the
// first batch appended (the window: to the first frame-table row), the time to the end of
// loading, the trace's stored cost and the peak resident memory against the trace's budget.
//
//   QT_QPA_PLATFORM=offscreen bench_capture [--size MiB] [--frame OCTETS] [--file PATH] [--keep]
//
// Each frame is one read of OCTETS (default 60000: one packet each); smaller frames mean more
// records for the same size.
//
// Targets: first frames ≤ 1 s; stored cost ≤ budget; resident growth ≤ budget + 25 %.
#include "capture/captureload.h"
#include "capturegen.h"
#include "gui/connectionlist.h"
#include "gui/frametablemodel.h"
#include "gui/mainwindow.h"
#include "gui/tracestore.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QTextStream>
#include <QThread>

#include <deque>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace wsi;
using namespace Qt::StringLiterals;

namespace {

// A field of /proc/self/status in octets ("VmRSS:", "VmHWM:").
qint64 statusBytes(const char *field)
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qsizetype(qstrlen(field))).trimmed().split(' ').first().toLongLong() *
                   1024;
    }
    return -1;
}

// Lets VmHWM start again from the current resident size (Linux ≥ 4.0).
void resetPeak()
{
    QFile clear(u"/proc/self/clear_refs"_s);
    if (clear.open(QIODevice::WriteOnly))
        clear.write("5");
}

double mib(qint64 octets)
{
    return double(octets) / (1024.0 * 1024.0);
}

struct Run
{
    double firstMs = -1;
    double endMs = -1;
    qint64 storedCost = 0;
    qint64 frames = 0;
    qint64 peakGrowth = 0;
    QString stopped;
};

// The core alone: a reader thread, this thread appending every batch as it arrives.
Run coreRun(const QString &path)
{
    Run run;
    capture::CaptureLoad load(path);
    if (!load.open()) {
        QTextStream(stderr) << "cannot open: " << load.error() << '\n';
        return run;
    }
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<TraceBatchPtr> batches;
    std::shared_ptr<capture::CaptureLoadResult> result;
    capture::CaptureLoad::Callbacks callbacks;
    callbacks.batch = [&](TraceBatchPtr b) {
        const std::lock_guard lock(mutex);
        batches.push_back(std::move(b));
        ready.notify_one();
    };
    callbacks.finished = [&](std::shared_ptr<capture::CaptureLoadResult> r) {
        const std::lock_guard lock(mutex);
        result = std::move(r);
        ready.notify_one();
    };
    Trace trace(load.options().limits);
    const qint64 before = statusBytes("VmRSS:");
    resetPeak();
    QElapsedTimer clock;
    clock.start();
    load.start(std::move(callbacks));
    while (true) {
        std::unique_lock lock(mutex);
        ready.wait(lock, [&] { return !batches.empty() || result; });
        if (batches.empty())
            break;
        TraceBatchPtr b = std::move(batches.front());
        batches.pop_front();
        lock.unlock();
        trace.append(std::move(*b));
        if (run.firstMs < 0)
            run.firstMs = double(clock.nsecsElapsed()) / 1e6;
    }
    run.endMs = double(clock.nsecsElapsed()) / 1e6;
    load.wait();
    run.storedCost = trace.storedCost();
    run.frames = qint64(trace.frames().size());
    run.peakGrowth = statusBytes("VmHWM:") - before;
    run.stopped = result->stopped;
    return run;
}

// The window: File ▸ Open Capture, the first row of the frame table, the entry done loading.
Run windowRun(const QString &path)
{
    Run run;
    auto *window = new gui::MainWindow;
    window->show();
    QCoreApplication::processEvents();
    const qint64 before = statusBytes("VmRSS:");
    resetPeak();
    QElapsedTimer clock;
    clock.start();
    QObject::connect(window->frameModel(), &QAbstractItemModel::rowsInserted, window, [&] {
        if (run.firstMs < 0)
            run.firstMs = double(clock.nsecsElapsed()) / 1e6;
    });
    if (!window->openCaptureFile(path))
        return run;
    while (window->connections()->at(0).loader != nullptr)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    window->store()->drain();
    QCoreApplication::processEvents();
    run.endMs = double(clock.nsecsElapsed()) / 1e6;
    const Trace &trace = window->store()->trace();
    run.storedCost = trace.storedCost();
    run.frames = qint64(trace.frames().size());
    run.peakGrowth = statusBytes("VmHWM:") - before;
    if (auto *remarks = window->findChild<QMessageBox *>(u"openRemarks"_s))
        run.stopped = remarks->text().section(u'\n', 2, 2);
    delete window;
    return run;
}

void print(QTextStream &out, const char *what, const Run &r, qint64 budget)
{
    out << what << ": first frames " << QString::number(r.firstMs, 'f', 1) << " ms, end "
        << QString::number(r.endMs, 'f', 0) << " ms, " << r.frames << " frames, stored "
        << QString::number(mib(r.storedCost), 'f', 1) << " MiB of the budget's "
        << QString::number(mib(budget), 'f', 0) << " MiB, peak resident growth "
        << QString::number(mib(r.peakGrowth), 'f', 1) << " MiB ("
        << QString::number(double(r.peakGrowth) / double(budget), 'f', 2) << " × budget)\n";
    if (!r.stopped.isEmpty())
        out << "  " << r.stopped << '\n';
    out.flush();
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    qint64 sizeMiB = 1024;
    QString path = u"/tmp/bench_capture.pcapng"_s;
    qint64 frameOctets = 60'000;
    bool keep = false;
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args[i] == u"--size"_s && i + 1 < args.size())
            sizeMiB = args[++i].toLongLong();
        else if (args[i] == u"--file"_s && i + 1 < args.size())
            path = args[++i];
        else if (args[i] == u"--frame"_s && i + 1 < args.size())
            frameOctets = std::max<qint64>(16, args[++i].toLongLong());
        else if (args[i] == u"--keep"_s)
            keep = true;
    }
    QTextStream out(stdout);
    const qint64 frames = sizeMiB * 1024 * 1024 / frameOctets;
    QElapsedTimer clock;
    clock.start();
    QString error;
    if (!test::writeFloodCapture(path, frames, frameOctets, &error)) {
        out << "cannot write " << path << ": " << error << '\n';
        return 1;
    }
    out << "wrote " << path << ": " << QString::number(mib(QFileInfo(path).size()), 'f', 0)
        << " MiB, " << frames << " frames of " << frameOctets << " octets, in " << clock.elapsed()
        << " ms\n";
    const qint64 budget = Trace::Limits().maxStoredOctets;
    const Run core = coreRun(path);
    print(out, "core (CaptureLoad → Trace)", core, budget);
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    const Run window = windowRun(path);
    print(out, "window (File ▸ Open Capture)", window, budget);
    if (!keep)
        QFile::remove(path);
    const bool ok = core.firstMs >= 0 && core.firstMs <= 1000 && window.firstMs >= 0 &&
                    window.firstMs <= 1000 && core.storedCost <= budget + 1024 * 1024 &&
                    window.storedCost <= budget + 1024 * 1024 &&
                    window.peakGrowth <= budget + budget / 4;
    out << (ok ? "targets met\n" : "TARGETS MISSED\n");
    return ok ? 0 : 1;
}
