// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>

class QHeaderView;
class QMenu;
class QWidget;

namespace wsi::gui {

// Show and hide a table's columns: a right click on its header opens a checkable list of the
// columns (their header texts), as in Wireshark and DevTools. One column always stays visible
// (its entry is disabled). What is hidden is the header's own state, so it survives the view
// switching between a model and a proxy of the same columns, and saveState()/restoreState()
// (QHeaderView's) keep it, with the widths and the order, across sessions (QSettings).
class ColumnChooser final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ColumnChooser)

public:
    // `parent` defaults to the header.
    explicit ColumnChooser(QHeaderView *header, QObject *parent = nullptr);

    // The checkable list, one action a column in the header's order; toggling one shows or
    // hides that column.
    [[nodiscard]] QMenu *createMenu(QWidget *parent) const;

    // Hiding the last visible column is refused (returns false).
    bool setColumnVisible(int logicalIndex, bool visible);
    [[nodiscard]] bool isColumnVisible(int logicalIndex) const;
    [[nodiscard]] int visibleColumnCount() const;

    [[nodiscard]] QByteArray saveState() const;
    // False (and nothing changed) for a state that does not fit the header; a state that would
    // hide every column shows the first one again.
    bool restoreState(const QByteArray &state);

Q_SIGNALS:
    void columnVisibilityChanged(int logicalIndex, bool visible);

private:
    void showMenu(const QPoint &pos);

    QPointer<QHeaderView> m_header;
};

} // namespace wsi::gui
