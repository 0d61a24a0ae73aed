// SPDX-License-Identifier: MIT
#pragma once

#include "capture/capturefile.h"
#include "session/session.h"
#include "suite/caserunner.h"

#include <QString>

#include <functional>
#include <map>
#include <memory>

namespace wsi::cli {

// `run --capture-dir DIR`: each case's capture, written as the case runs (appended and flushed
// after every batch, as `send --capture` does), with the case annotation (docs/captures.md
// §3.4) when it ends. A file is named like the case's reports, AGENT_case_ID.pcapng. Until a case
// ends its agent may not be known (the first case finds it in the Server: header), so a file
// starts under the name known then (--agent, the agent of a case that ended, else the host) and
// is renamed when the case ends under another. When a write fails (a full or unwritable folder)
// the run goes on: `stopped` is called once with why, and no further captures are written.
class CaseCaptures final : public CaseRunner::Observer
{
public:
    CaseCaptures(QString dir, SessionSettings settings, QString agent,
                 std::function<void(const QString &why)> stopped);
    ~CaseCaptures() override;
    CaseCaptures(const CaseCaptures &) = delete;
    CaseCaptures &operator=(const CaseCaptures &) = delete;

    [[nodiscard]] bool failed() const { return m_failed; }
    // The file of a case: AGENT_case_ID.pcapng in the folder.
    [[nodiscard]] QString pathOf(const QString &agent, const QString &caseId) const;

    void caseBegun(int position, const CaseDefinition &def, const Trace &trace) override;
    void caseBatch(int position, const TraceBatch &batch) override;
    void caseEnded(int position, const CaseResult &result) override;

private:
    void stop(const capture::CaptureRecorder &recorder);
    void stop(const QString &why);

    QString m_dir;
    SessionSettings m_settings;
    QString m_agent; // --agent, else the first finished case's
    std::function<void(const QString &)> m_stopped;
    std::map<int, std::unique_ptr<capture::CaptureRecorder>> m_open; // by position
    bool m_failed = false;
};

} // namespace wsi::cli
