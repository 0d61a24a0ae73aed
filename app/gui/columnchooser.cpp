// SPDX-License-Identifier: MIT
#include "columnchooser.h"

#include <QAction>
#include <QHeaderView>
#include <QMenu>

namespace wsi::gui {

ColumnChooser::ColumnChooser(QHeaderView *header, QObject *parent)
    : QObject(parent ? parent : header), m_header(header)
{
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QWidget::customContextMenuRequested, this, &ColumnChooser::showMenu);
}

QMenu *ColumnChooser::createMenu(QWidget *parent) const
{
    auto *menu = new QMenu(parent);
    if (!m_header || !m_header->model())
        return menu;
    const QAbstractItemModel *model = m_header->model();
    const bool lastOne = visibleColumnCount() <= 1;
    for (int visual = 0; visual < m_header->count(); ++visual) {
        const int logical = m_header->logicalIndex(visual);
        const QString title =
            model->headerData(logical, m_header->orientation(), Qt::DisplayRole).toString();
        QAction *action = menu->addAction(title);
        action->setCheckable(true);
        const bool visible = !m_header->isSectionHidden(logical);
        action->setChecked(visible);
        // The one column left cannot go: a table without columns shows nothing to click on.
        action->setEnabled(!(visible && lastOne));
        connect(action, &QAction::toggled, this, [this, logical](bool on) {
            const_cast<ColumnChooser *>(this)->setColumnVisible(logical, on);
        });
    }
    return menu;
}

void ColumnChooser::showMenu(const QPoint &pos)
{
    if (!m_header)
        return;
    QMenu *menu = createMenu(m_header);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(m_header->viewport()->mapToGlobal(pos));
}

int ColumnChooser::visibleColumnCount() const
{
    return m_header ? m_header->count() - m_header->hiddenSectionCount() : 0;
}

bool ColumnChooser::isColumnVisible(int logicalIndex) const
{
    return m_header && logicalIndex >= 0 && logicalIndex < m_header->count() &&
           !m_header->isSectionHidden(logicalIndex);
}

bool ColumnChooser::setColumnVisible(int logicalIndex, bool visible)
{
    if (!m_header || logicalIndex < 0 || logicalIndex >= m_header->count())
        return false;
    if (visible == isColumnVisible(logicalIndex))
        return true;
    if (!visible && visibleColumnCount() <= 1)
        return false;
    m_header->setSectionHidden(logicalIndex, !visible);
    // A column shown again after the view was made narrow may have no width left.
    if (visible && m_header->sectionSize(logicalIndex) < m_header->minimumSectionSize())
        m_header->resizeSection(logicalIndex, m_header->defaultSectionSize());
    Q_EMIT columnVisibilityChanged(logicalIndex, visible);
    return true;
}

QByteArray ColumnChooser::saveState() const
{
    return m_header ? m_header->saveState() : QByteArray();
}

bool ColumnChooser::restoreState(const QByteArray &state)
{
    if (!m_header || state.isEmpty() || !m_header->restoreState(state))
        return false;
    if (m_header->count() > 0 && visibleColumnCount() == 0)
        m_header->setSectionHidden(m_header->logicalIndex(0), false);
    return true;
}

} // namespace wsi::gui
