// SPDX-License-Identifier: MIT
#include "cli/casecaptures.h"

#include "suite/caseannotation.h"
#include "suite/casereport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace wsi::cli {

CaseCaptures::CaseCaptures(QString dir, SessionSettings settings, QString agent,
                           std::function<void(const QString &)> stopped)
    : m_dir(std::move(dir)), m_settings(std::move(settings)), m_agent(std::move(agent)),
      m_stopped(std::move(stopped))
{
    if (!QDir().mkpath(m_dir)) {
        stop(u"cannot create the capture directory "_s + QDir::toNativeSeparators(m_dir));
    } else if (!QFileInfo(m_dir).isWritable()) {
        stop(u"cannot write into the capture directory "_s + QDir::toNativeSeparators(m_dir) +
             u": permission denied"_s);
    }
}

CaseCaptures::~CaseCaptures()
{
    // Cases still open (a run torn down early): what they wrote stays readable.
    for (auto &[position, recorder] : m_open)
        static_cast<void>(recorder->finish());
}

QString CaseCaptures::pathOf(const QString &agent, const QString &caseId) const
{
    return QDir(m_dir).filePath(caseReportFileName(agent, caseId, u"pcapng"_s));
}

void CaseCaptures::caseBegun(int position, const CaseDefinition &def, const Trace &trace)
{
    if (m_failed)
        return;
    const QString agent = m_agent.isEmpty() ? QUrl(trace.url()).host() : m_agent;
    auto recorder = std::make_unique<capture::CaptureRecorder>(pathOf(agent, def.id));
    if (!recorder->begin(capture::connectionRecordOf(trace, caseScenarioJson(def, m_settings)))) {
        stop(*recorder);
        return;
    }
    m_open.emplace(position, std::move(recorder));
}

void CaseCaptures::caseBatch(int position, const TraceBatch &batch)
{
    const auto it = m_open.find(position);
    if (it != m_open.end() && !it->second->append(batch))
        stop(*it->second);
}

void CaseCaptures::caseEnded(int position, const CaseResult &result)
{
    const auto it = m_open.find(position);
    if (it == m_open.end())
        return;
    std::unique_ptr<capture::CaptureRecorder> recorder = std::move(it->second);
    m_open.erase(it);
    if (m_agent.isEmpty())
        m_agent = result.agent; // the later cases start under their final names
    if (!recorder->annotate({kCaseAnnotationKind.toString(), caseAnnotation(result)}) ||
        !recorder->finish()) {
        stop(*recorder);
        return;
    }
    const QString target = pathOf(result.agent, result.definition->id);
    if (recorder->path() == target)
        return;
    // The run replaces its files, as it does the reports.
    QFile::remove(target);
    QFile file(recorder->path());
    if (!file.rename(target)) {
        stop(u"cannot rename the capture "_s + QDir::toNativeSeparators(recorder->path()) +
             u" to "_s + QDir::toNativeSeparators(target) + u": "_s + file.errorString());
    }
}

void CaseCaptures::stop(const capture::CaptureRecorder &recorder)
{
    stop(u"cannot write the capture "_s + QDir::toNativeSeparators(recorder.path()) + u": "_s +
         recorder.errorString());
}

void CaseCaptures::stop(const QString &why)
{
    if (m_failed)
        return;
    m_failed = true;
    // What the open captures hold so far stays readable; nothing more is written.
    for (auto &[position, recorder] : m_open)
        static_cast<void>(recorder->finish());
    m_open.clear();
    if (m_stopped)
        m_stopped(why);
}

} // namespace wsi::cli
