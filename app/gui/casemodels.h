// SPDX-License-Identifier: MIT
#pragma once

#include "suite/cases.h"

#include <QAbstractItemModel>
#include <QAbstractTableModel>
#include <QList>

namespace wsi::gui {

// The case library as a tree: groups ("1 Framing"), subgroups ("1.1 Text Messages") and cases,
// with their descriptions; the tooltip adds the expectation.
class CaseTreeModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaseTreeModel)

public:
    enum Columns { IdColumn, DescriptionColumn, NUM_COLUMNS };
    enum Roles { CaseIdRole = Qt::UserRole + 100 }; // QString: the case id; groups: empty

    explicit CaseTreeModel(QObject *parent = nullptr);

    [[nodiscard]] QModelIndex index(int row, int column,
                                    const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QModelIndex parent(const QModelIndex &child) const override;
    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

    // The case behind an index, nullptr for a group.
    [[nodiscard]] const CaseDefinition *caseAt(const QModelIndex &index) const;
    // The cases under an index (the case itself for a leaf), in library order.
    [[nodiscard]] QList<const CaseDefinition *> casesUnder(const QModelIndex &index) const;
    [[nodiscard]] QModelIndex indexOf(const QString &caseId) const;

private:
    struct Node
    {
        QString id;      // "1", "1.1", "1.1.1"
        QString title;   // group title or case description
        int parent = -1; // node index, -1 for the top level
        int row = 0;     // row within the parent
        QList<int> children;
        const CaseDefinition *def = nullptr;
    };
    int addNode(const QString &id, const QString &title, int parent, const CaseDefinition *def);
    void collect(int node, QList<const CaseDefinition *> &out) const;

    QList<Node> m_nodes;
    QList<int> m_top;
};

// The results of a run: one row per selected case, filled in as the cases finish, coloured by
// verdict (Pass / Non-Strict / Info / Fail as in the reference's master table).
class CaseResultModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaseResultModel)

public:
    enum Columns {
        CaseColumn,
        ResultColumn, // Pass, Non-Strict, Info, Fail; Running…, Waiting, Skipped
        CloseColumn,  // the close cell (docs/reports.md §2.2)
        DurationColumn,
        OutcomeColumn, // result text · resultClose
        NUM_COLUMNS
    };
    enum Roles { BehaviorRole = Qt::UserRole + 100 }; // int(Verdict); invalid = not done

    explicit CaseResultModel(QObject *parent = nullptr);

    void reset(const QList<const CaseDefinition *> &cases);
    void setRunning(int position);
    void setResult(int position, const CaseResult &result);

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

    [[nodiscard]] const CaseResult *resultAt(int row) const;
    [[nodiscard]] QList<CaseResult> results() const;

    // The master table's words and colours (docs/reports.md §2.1), for the content verdict.
    [[nodiscard]] static QString cellText(std::optional<Verdict> behavior);
    // The close cell: remoteCloseCode for OK / FAILED BY CLIENT / WRONG CODE / INFORMATIONAL,
    // "Unclean" for UNCLEAN, "Fail" otherwise.
    [[nodiscard]] static QString closeCellText(const CaseResult &result);
    [[nodiscard]] static QColor verdictBackground(VerdictTone tone);

private:
    struct Row
    {
        const CaseDefinition *def = nullptr;
        bool running = false;
        bool done = false;
        CaseResult result;
    };
    QList<Row> m_rows;
};

} // namespace wsi::gui
