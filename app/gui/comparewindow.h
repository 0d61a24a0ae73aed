// SPDX-License-Identifier: MIT
#pragma once

#include "trace/framediff.h"

#include <QAbstractTableModel>
#include <QFont>
#include <QWidget>

#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QAction;
class QCheckBox;
class QLabel;
class QTableView;
QT_END_NAMESPACE

namespace wsi::gui {

// One connection as the Compare view sees it: its name in the Connections list, a trace of its
// own (the view outlives any change to the list) and its closing as the window shows it.
struct CompareSide
{
    QString name;
    std::shared_ptr<const Trace> trace;
    ClosingSide closing;
};

// The rows of a frame comparison (the core's FrameDiff), the left connection's frames beside the
// right one's; the cells that differ are tinted. "Only differences" hides the equal rows.
class CompareModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CompareModel)

public:
    // The columns of one side, in order; the left side's come first, then the direction, then
    // the right side's.
    enum SideColumn {
        NumberColumn,
        OpcodeColumn,
        FinColumn,
        RsvColumn,
        MaskColumn,
        LengthColumn,
        PayloadColumn,
        ViolationsColumn,
        SideColumnCount
    };
    static constexpr int kDirectionColumn = SideColumnCount;
    static constexpr int kColumnCount = 2 * SideColumnCount + 1;
    [[nodiscard]] static int leftColumn(SideColumn c) { return c; }
    [[nodiscard]] static int rightColumn(SideColumn c) { return kDirectionColumn + 1 + c; }

    CompareModel(CompareSide left, CompareSide right, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

    [[nodiscard]] const FrameDiff &diff() const { return m_diff; }
    [[nodiscard]] const CompareSide &left() const { return m_left; }
    [[nodiscard]] const CompareSide &right() const { return m_right; }
    void setOnlyDifferences(bool only);
    [[nodiscard]] bool onlyDifferences() const { return m_onlyDifferences; }
    // The comparison row behind a table row, and back (-1 when it is not shown).
    [[nodiscard]] const FrameDiffRow &rowAt(int row) const;
    [[nodiscard]] int diffIndexOf(int row) const { return m_shown[size_t(row)]; }
    [[nodiscard]] int rowOfDiffIndex(int diffIndex) const;
    // What differs in a row, in words: "RSV1: 0 ↔ 1; payload differs from octet 12: 0x41 ↔
    // 0x42".
    [[nodiscard]] QString describe(int row) const;
    // The counts, in one line; the closing differences, in another.
    [[nodiscard]] QString summaryText() const;
    [[nodiscard]] QString closingText() const;

private:
    [[nodiscard]] QVariant cellText(const FrameDiffRow &row, int column) const;
    [[nodiscard]] QVariant cellTint(const FrameDiffRow &row, int column) const;
    [[nodiscard]] QVariant cellToolTip(const FrameDiffRow &row, int column) const;
    void rebuildShown();

    CompareSide m_left;
    CompareSide m_right;
    FrameDiff m_diff;
    std::vector<ClosingDifference> m_closing;
    std::vector<int> m_shown; // diff rows shown, in order
    bool m_onlyDifferences = false;
    QFont m_fixedFont;
};

// The Compare view of two connections: their frames side by side, aligned, the differing cells
// tinted, a summary line and the closing differences above, and below the words for what
// differs in the selected row. F8 and Shift+F8 go to the next and the previous difference.
class CompareWindow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CompareWindow)

public:
    CompareWindow(CompareSide left, CompareSide right, QWidget *parent = nullptr);

    [[nodiscard]] CompareModel *model() const { return m_model; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    [[nodiscard]] QCheckBox *onlyDifferencesBox() const { return m_onlyDifferences; }
    [[nodiscard]] QAction *nextDifferenceAction() const { return m_next; }
    [[nodiscard]] QAction *previousDifferenceAction() const { return m_previous; }
    [[nodiscard]] QString summaryText() const;
    [[nodiscard]] QString detailText() const;

    // Selects the next (or previous) row that differs after (before) the current one; false
    // when there is none.
    bool goToDifference(bool forward);

protected:
    void changeEvent(QEvent *event) override;

private:
    void showDetail();

    CompareModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_closing = nullptr;
    QLabel *m_detail = nullptr;
    QCheckBox *m_onlyDifferences = nullptr;
    QAction *m_next = nullptr;
    QAction *m_previous = nullptr;
};

} // namespace wsi::gui
