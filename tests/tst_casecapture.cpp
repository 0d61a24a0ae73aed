// SPDX-License-Identifier: MIT
// Case captures (docs/captures.md §3.4, docs/cli.md "run"): a run against the embedded echo
// server records one pcapng per case while it runs, named like the case's reports; each file
// reads back into the trace the run had and, with its case annotation, into the same reports.
#include "capture/capturefile.h"
#include "cli/casecaptures.h"
#include "echo/echoserver.h"
#include "suite/caseannotation.h"
#include "suite/casereport.h"
#include "suite/caserunner.h"
#include "suite/cases.h"
#include "testutils.h"
#include "tracecompare.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace wsi;
using namespace wsi::test;

namespace {

// One of each: a text message, a ping with a binary payload, a message fragmented around a ping,
// a second close frame, a close reason that is not UTF-8.
const QStringList kCases = {u"1.1.1"_s, u"2.3"_s, u"5.6"_s, u"7.1.2"_s, u"7.5.1"_s};
// The echo server's Server: header, as file names have it.
const QString kAgentInNames = u"websocketinspector_echo"_s;

QString fileNameOf(const QString &caseId, const QString &extension)
{
    return kAgentInNames + u"_case_"_s + QString(caseId).replace(u'.', u'_') + u'.' + extension;
}

QStringList expectedNames(const QString &extension)
{
    QStringList names;
    for (const QString &id : kCases)
        names << fileNameOf(id, extension);
    names.sort();
    return names;
}

QStringList filesIn(const QString &dir)
{
    return QDir(dir).entryList(QDir::Files, QDir::Name);
}

qint64 octetsIn(const QString &dir)
{
    qint64 total = 0;
    for (const QFileInfo &info : QDir(dir).entryInfoList(QDir::Files))
        total += info.size();
    return total;
}

QByteArray contentsOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

struct CliResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

// The CLI as a user runs it; this thread's event loop serves the echo server meanwhile.
CliResult runCli(const QStringList &args, int timeoutMs = 60000)
{
    QProcess process;
    process.start(QStringLiteral(WSI_CLI_PATH), args);
    CliResult r;
    if (!process.waitForStarted(5000))
        return r;
    QElapsedTimer clock;
    clock.start();
    while (process.state() != QProcess::NotRunning && clock.elapsed() < timeoutMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        process.waitForFinished(10);
    }
    if (process.state() != QProcess::NotRunning) {
        process.kill();
        process.waitForFinished();
        return r;
    }
    r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    r.out = QString::fromUtf8(process.readAllStandardOutput());
    r.err = QString::fromUtf8(process.readAllStandardError());
    return r;
}

// Hands every call on to the captures and notes, after each batch, what the folder holds: a
// capture written as the case runs grows with every batch.
class WatchingObserver final : public CaseRunner::Observer
{
public:
    WatchingObserver(CaseRunner::Observer &inner, QString dir)
        : m_inner(inner), m_dir(std::move(dir))
    {
    }
    void caseBegun(int position, const CaseDefinition &def, const Trace &trace) override
    {
        m_inner.caseBegun(position, def, trace);
        ++begun;
        m_lastSize = octetsIn(m_dir);
    }
    void caseBatch(int position, const TraceBatch &batch) override
    {
        m_inner.caseBatch(position, batch);
        ++batches;
        const qint64 now = octetsIn(m_dir);
        if (now <= m_lastSize)
            ++batchesNotOnDisk;
        m_lastSize = now;
    }
    void caseEnded(int position, const CaseResult &result) override
    {
        m_inner.caseEnded(position, result);
        ++ended;
        m_lastSize = octetsIn(m_dir);
    }

    int begun = 0;
    int batches = 0;
    int batchesNotOnDisk = 0;
    int ended = 0;

private:
    CaseRunner::Observer &m_inner;
    QString m_dir;
    qint64 m_lastSize = 0;
};

const capture::AnnotationRecord *caseNoteOf(const capture::LoadedCapture &loaded)
{
    for (const capture::AnnotationRecord &a : loaded.annotations) {
        if (a.kind == kCaseAnnotationKind)
            return &a;
    }
    return nullptr;
}

} // namespace

class TestCaseCapture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The runner's hook with the CLI's recorder, in this process: the live results are at hand.
    void recordsEachCaseAsItRuns()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(u"captures"_s);
        QStringList stops;
        cli::CaseCaptures captures(dir, settingsFor(echo.url()), {},
                                   [&stops](const QString &why) { stops << why; });
        WatchingObserver watch(captures, dir);

        QList<const CaseDefinition *> selection;
        for (const QString &id : kCases)
            selection << findCase(id);
        CaseRunner runner;
        CaseRunner::Options options;
        options.settings = settingsFor(echo.url());
        options.jobs = 2;
        options.observer = &watch;
        QSignalSpy finished(&runner, &CaseRunner::finished);
        runner.start(selection, options);
        QVERIFY(finished.wait(60000));

        QVERIFY2(stops.isEmpty(), qPrintable(stops.join(u'\n')));
        QCOMPARE(watch.begun, kCases.size());
        QCOMPARE(watch.ended, kCases.size());
        QVERIFY(watch.batches >= 2 * kCases.size());
        QCOMPARE(watch.batchesNotOnDisk, 0); // every batch reached the file at once
        // One file per case, under its report's name (none left under a provisional one).
        QCOMPARE(filesIn(dir), expectedNames(u"pcapng"_s));

        for (const CaseResult &live : runner.results()) {
            const QString id = live.definition->id;
            QVERIFY2(live.ran() && live.trace, qPrintable(id));
            const QString path = QDir(dir).filePath(fileNameOf(id, u"pcapng"_s));
            QCOMPARE(path, captures.pathOf(live.agent, id));
            const capture::LoadedCapture loaded = capture::loadCapture(path);
            QVERIFY2(loaded.trace && loaded.error.isEmpty(), qPrintable(loaded.error));
            QVERIFY(!loaded.foreign);
            test::compareTraces(*loaded.trace, *live.trace);

            // The annotation gives the result back: the same verdicts and the same reports.
            const capture::AnnotationRecord *note = caseNoteOf(loaded);
            QVERIFY2(note, qPrintable(id));
            QCOMPARE(note->data.value(u"id"_s).toString(), id);
            QCOMPARE(note->data.value(u"description"_s).toString(), live.definition->description);
            QCOMPARE(note->data.value(u"expectation"_s).toString(), live.definition->expectation);
            QString error;
            const std::optional<CaseResult> back = caseResultFromAnnotation(
                note->data, std::make_shared<const Trace>(*loaded.trace), &error);
            QVERIFY2(back, qPrintable(error));
            QCOMPARE(back->definition->id, id);
            QCOMPARE(back->index, live.index);
            QCOMPARE(back->agent, live.agent);
            QCOMPARE(back->verdict.behavior, live.verdict.behavior);
            QCOMPARE(back->verdict.result, live.verdict.result);
            QCOMPARE(back->verdict.closing.verdict, live.verdict.closing.verdict);
            QCOMPARE(back->verdict.closing.text, live.verdict.closing.text);
            QCOMPARE(back->durationMs, live.durationMs);
            QVERIFY(back->observation.received == live.observation.received);
            const ReportInput a = reportInputFor(*back);
            const ReportInput b = reportInputFor(live);
            QCOMPARE(textReport(a), textReport(b));
            QCOMPARE(QJsonDocument(caseJsonReport(*back)).toJson(),
                     QJsonDocument(caseJsonReport(live)).toJson());
            QCOMPARE(htmlReport(a), htmlReport(b));
        }
    }

    // `run --capture-dir`, then `report FILE`: the per-case JSON and HTML as the run wrote them,
    // octet for octet.
    void reportOfACaseCaptureIsTheRunsReport()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        QTemporaryDir tmp;
        const QString reports = tmp.filePath(u"reports"_s);
        const QString captures = tmp.filePath(u"captures"_s);
        const CliResult run =
            runCli({u"run"_s, echo.url().toString(), u"--cases"_s, kCases.join(u','), u"--jobs"_s,
                    u"2"_s, u"--outdir"_s, reports, u"--capture-dir"_s, captures});
        QVERIFY2(run.exitCode == 0 || run.exitCode == 1, qPrintable(run.err));
        QVERIFY2(!run.err.contains(u"recording stopped"_s), qPrintable(run.err));
        QCOMPARE(filesIn(captures), expectedNames(u"pcapng"_s));

        for (const QString &id : kCases) {
            const QString capture = QDir(captures).filePath(fileNameOf(id, u"pcapng"_s));
            const QString json = tmp.filePath(id + u".json"_s);
            const QString html = tmp.filePath(id + u".html"_s);
            const CliResult again =
                runCli({u"report"_s, capture, u"--json"_s, json, u"--html"_s, html});
            QVERIFY2(again.exitCode == 0, qPrintable(again.err));
            QVERIFY2(again.err.isEmpty(), qPrintable(again.err));
            const QByteArray liveJson =
                contentsOf(QDir(reports).filePath(fileNameOf(id, u"json"_s)));
            QVERIFY(!liveJson.isEmpty());
            QCOMPARE(contentsOf(json), liveJson);
            const QByteArray liveHtml =
                contentsOf(QDir(reports).filePath(fileNameOf(id, u"html"_s)));
            QVERIFY(!liveHtml.isEmpty());
            QCOMPARE(contentsOf(html), liveHtml);
            // The text report names the case and its verdict.
            const QJsonObject o = QJsonDocument::fromJson(liveJson).object();
            QVERIFY2(again.out.contains(u"Case "_s + id), qPrintable(again.out.left(400)));
            QVERIFY(!o.value(u"behavior"_s).toString().isEmpty());
        }
    }

    // A folder that cannot be created (its parent is a regular file): one line says recording
    // stopped and why, every case still runs and has its reports, and the status says it.
    void unwritableFolderStopsRecordingOnly()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        QTemporaryDir tmp;
        const QString plain = tmp.filePath(u"plain"_s);
        {
            QFile file(plain);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("not a folder\n");
        }
        const QString reports = tmp.filePath(u"reports"_s);
        const QString captures = plain + u"/captures"_s;
        const CliResult run =
            runCli({u"run"_s, echo.url().toString(), u"--cases"_s, kCases.join(u','), u"--outdir"_s,
                    reports, u"--capture-dir"_s, captures});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err.count(u"recording stopped"_s), 1);
        QVERIFY2(run.err.contains(u"wsinspector-cli: recording stopped, cannot create the capture "
                                  u"directory "_s +
                                  QDir::toNativeSeparators(captures) +
                                  u"; the run goes on without captures"_s),
                 qPrintable(run.err));
        QVERIFY2(run.out.startsWith(u"%1 cases: "_s.arg(kCases.size())), qPrintable(run.out));
        for (const QString &id : kCases) {
            QVERIFY2(QFileInfo::exists(QDir(reports).filePath(fileNameOf(id, u"json"_s))),
                     qPrintable(id));
        }
        QCOMPARE(filesIn(reports).size(), 2 * kCases.size() + 2); // + index.json, index.html
    }

    // A full disk: the first case's capture is /dev/full, where every write fails with ENOSPC.
    // One line names the file and the reason, the run completes with every report, and no
    // capture is started after that.
    void fullDiskStopsRecordingOnce()
    {
        if (!QFileInfo::exists(u"/dev/full"_s))
            QFAIL("this test needs /dev/full (Linux) to stand for a full disk");
        EchoServer echo;
        QVERIFY(echo.listen());
        QTemporaryDir tmp;
        const QString reports = tmp.filePath(u"reports"_s);
        const QString captures = tmp.filePath(u"captures"_s);
        QVERIFY(QDir().mkpath(captures));
        // --agent names the files from the start.
        const QString first = QDir(captures).filePath(u"echo_case_1_1_1.pcapng"_s);
        QVERIFY(QFile::link(u"/dev/full"_s, first));
        const CliResult run =
            runCli({u"run"_s, echo.url().toString(), u"--cases"_s, kCases.join(u','), u"--agent"_s,
                    u"Echo"_s, u"--outdir"_s, reports, u"--capture-dir"_s, captures});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err.count(u"recording stopped"_s), 1);
        QVERIFY2(
            run.err.contains(u"wsinspector-cli: recording stopped, cannot write the capture "_s +
                             QDir::toNativeSeparators(first) + u": "_s),
            qPrintable(run.err));
        QVERIFY2(run.err.contains(u"No space left on device"_s), qPrintable(run.err));
        QCOMPARE(filesIn(captures), QStringList{QFileInfo(first).fileName()});
        for (const QString &id : kCases) {
            const QString json = QDir(reports).filePath(
                u"echo_case_"_s + QString(id).replace(u'.', u'_') + u".json"_s);
            QVERIFY2(QFileInfo::exists(json), qPrintable(json));
        }
    }

    // A case annotation that cannot be read is refused with the key that is wrong.
    void badAnnotationsAreNamed()
    {
        CaseResult live;
        live.definition = findCase(u"1.1.1"_s);
        live.index = caseIndex(u"1.1.1"_s);
        live.agent = u"Echo"_s;
        live.verdict.behavior = Verdict::Ok;
        live.verdict.closing = {CloseVerdict::Ok, u"Connection was properly closed"_s};
        live.observation.received = {PeerEvent::message(QByteArray("\xff\x00", 2), true)};
        const QJsonObject good = caseAnnotation(live);
        QString error;
        const std::optional<CaseResult> back = caseResultFromAnnotation(good, nullptr, &error);
        QVERIFY2(back, qPrintable(error));
        QVERIFY(back->observation.received == live.observation.received);
        QCOMPARE(back->definition->description, live.definition->description);

        const auto refused = [](QJsonObject data, const QString &key, const QJsonValue &value,
                                const QString &message) {
            if (value.isUndefined())
                data.remove(key);
            else
                data.insert(key, value);
            QString why;
            QVERIFY(!caseResultFromAnnotation(data, nullptr, &why));
            QVERIFY2(why.startsWith(u"case annotation: "_s + message), qPrintable(why));
        };
        refused(good, u"version"_s, QJsonValue(), u"version: missing"_s);
        refused(good, u"version"_s, 2, u"version 2 is newer"_s);
        refused(good, u"id"_s, QJsonValue(), u"id: missing"_s);
        refused(good, u"id"_s, u"1.1.2"_s, u"scenario: not the definition of case 1.1.2"_s);
        refused(good, u"behavior"_s, u"SPLENDID"_s, u"behavior: not a verdict"_s);
        refused(good, u"behaviorClose"_s, 3, u"behaviorClose: not a closing verdict"_s);
        refused(good, u"events"_s, QJsonArray{QJsonArray{u"message"_s, u"!!"_s, true}},
                u"events[0]: the payload is not base64"_s);
        refused(good, u"events"_s, QJsonArray{QJsonArray{u"ping"_s, u""_s, false}},
                u"events[0]: unknown kind \"ping\""_s);
        QJsonObject unknown = good;
        unknown.remove(u"scenario"_s);
        refused(unknown, u"id"_s, u"99.1"_s,
                u"case 99.1 has no scenario and is not in the library"_s);
    }
};

QTEST_GUILESS_MAIN(TestCaseCapture)
#include "tst_casecapture.moc"
