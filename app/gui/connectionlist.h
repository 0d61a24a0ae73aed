// SPDX-License-Identifier: MIT
#pragma once

#include "capture/pcapimport.h"
#include "suite/cases.h"
#include "trace/trace.h"
#include "trace/verdict.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QFont>

#include <memory>
#include <optional>
#include <vector>

namespace wsi::gui {

class CaptureLoader;

// One connection the window keeps: a live one, a case's, or one opened from a file.
struct KeptConnection
{
    enum class Source : quint8 { Live, Case, Capture };

    Source source = Source::Live;
    QString name; // the list's first column: the URL, "Case 1.1.1", the file; the user renames it
    QString url;
    QDateTime started;
    std::optional<CaseResult> caseResult; // a case's result, with its own verdicts
    QString capturePath;                  // where it is recorded, or the file it came from
    bool readOnly = false;                // opened from a file: nothing can be sent on it
    bool endedEarly = false; // the window ended it before it closed; the rest is not recorded
    // The trace while another connection is shown (the shown one's is the TraceStore's; a
    // case's stays with its result).
    std::shared_ptr<Trace> trace;
    // While its file is still being read (the list says "loading NN %"): the reader.
    CaptureLoader *loader = nullptr;
    int loadingPercent = 0;
    // Opened from another tool's capture: the file's TCP streams, and the one shown (-1: not
    // such a capture), so that the others can be opened too.
    QList<capture::ImportedStream> streams;
    int stream = -1;

    // What the list shows, as of the last refresh.
    SessionState state = SessionState::Idle;
    CloseVerdict verdict = CloseVerdict::Pending;
    std::optional<Verdict> behavior; // a case's content verdict
    qint64 frames[2] = {0, 0};       // by Direction
    qint64 octets[2] = {0, 0};
};

// The Connections list: every connection of the session, newest last. The current row is the
// one the views show.
class ConnectionListModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionListModel)

public:
    enum Column {
        NameColumn,
        StartedColumn,
        StateColumn,
        VerdictColumn,
        FramesColumn,
        OctetsColumn,
        ColumnCount
    };

    explicit ConnectionListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;
    [[nodiscard]] Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;

    // Appends and returns its row.
    int append(KeptConnection connection);
    void remove(int row);
    [[nodiscard]] KeptConnection &at(int row) { return m_rows[size_t(row)]; }
    [[nodiscard]] const KeptConnection &at(int row) const { return m_rows[size_t(row)]; }
    [[nodiscard]] int current() const { return m_current; }
    void setCurrent(int row);
    // Refreshes the list's columns of `row` from `trace` (the shown trace or its own).
    void summarize(int row, const Trace &trace, CloseVerdict verdict);
    // The state column says "loading NN %" while `row` is read from its file.
    void setLoading(int row, int percent);
    // The octets kept in memory by the connections not shown (their traces' stored cost).
    [[nodiscard]] qint64 keptCost() const;

private:
    std::vector<KeptConnection> m_rows;
    int m_current = -1;
    QFont m_bold;
};

} // namespace wsi::gui
