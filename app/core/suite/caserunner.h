// SPDX-License-Identifier: MIT
#pragma once

#include "session/session.h"
#include "suite/cases.h"

#include <QElapsedTimer>
#include <QObject>

#include <memory>
#include <vector>

namespace wsi {

// Runs a selection of cases against one server: one connection per case, in order, `jobs`
// connections at a time. Each case runs in a session thread of its own (SessionHost); its
// onOpen actions, event recording and automatic close (docs/cases.md §2) run in
// that thread, the verdicts (docs/cases.md §3) are computed here when its TCP connection is gone.
class CaseRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaseRunner)

public:
    // Sees each running case's records as they arrive (`run --capture-dir` writes them into the
    // case's capture). Called in the runner's thread, one case's calls in order: caseBegun
    // before its first batch, every batch before the case's trace takes it, caseEnded once its
    // result is complete (before caseFinished). Cases running at the same time interleave, each
    // named by its position. A case that never started (skipped) gets no call.
    class Observer
    {
    public:
        virtual ~Observer() = default;
        // `trace` is still empty: its URL and start time are set.
        virtual void caseBegun(int position, const CaseDefinition &def, const Trace &trace) = 0;
        virtual void caseBatch(int position, const TraceBatch &batch) = 0;
        virtual void caseEnded(int position, const CaseResult &result) = 0;
    };

    struct Options
    {
        SessionSettings settings; // the server's URL and the connection settings
        int jobs = 1;
        QString agent; // empty: the server's Server: header, else the host
        qint64 maxTraceOctets = 256ll * 1024 * 1024; // per case
        bool keepTraces = true;       // false: a result's trace is released after caseFinished
        Observer *observer = nullptr; // not owned; must outlive the run
    };

    explicit CaseRunner(QObject *parent = nullptr);
    ~CaseRunner() override;

    void start(const QList<const CaseDefinition *> &cases, const Options &options);
    // Stops starting cases, drops the running connections; the rest are marked skipped.
    void cancel();

    [[nodiscard]] bool isRunning() const { return m_running; }
    [[nodiscard]] int total() const { return int(m_results.size()); }
    [[nodiscard]] int done() const { return m_done; }
    // One per case, in the order given; complete once caseFinished(position) was emitted.
    [[nodiscard]] const QList<CaseResult> &results() const { return m_results; }
    // The time left, estimated from the cases done so far (ms; -1 while unknown).
    [[nodiscard]] qint64 remainingMs() const;

    // The hard limit of one case: its timers, delays and timeouts plus a margin. A case still
    // running then is dropped (the run goes on).
    [[nodiscard]] static int hardLimitMs(const CaseDefinition &def,
                                         const SessionSettings &settings);

Q_SIGNALS:
    void caseStarted(int position, const QString &id);
    void caseFinished(int position);
    void finished();

private:
    struct Running;
    void launchMore();
    void launch(int position);
    void complete(Running *run);
    void skipRemaining(const QString &why);

    Options m_options;
    QList<CaseResult> m_results;
    std::vector<std::unique_ptr<Running>> m_active;
    int m_next = 0;
    int m_done = 0;
    bool m_running = false;
    bool m_stopping = false;
    QString m_agent;
    QElapsedTimer m_clock;
};

} // namespace wsi
