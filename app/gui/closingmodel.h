// SPDX-License-Identifier: MIT
#pragma once

#include "modelroles.h"
#include "trace/closing.h"
#include "tracestore.h"

#include <QAbstractTableModel>
#include <QStringList>

namespace wsi::gui {

// The report's "Closing Behavior" table (docs/closing.md §1.1): the 13 fields of the
// store's closing() in closingFields() order, as key, value (True/False/None, as the report
// prints them) and description. Rows never change; values change with dataChanged().
class ClosingModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClosingModel)

public:
    enum Columns { KeyColumn, ValueColumn, DescriptionColumn, NUM_COLUMNS };
    enum Roles {
        KeyRole = gui::KeyRole, // QString: the field's key, e.g. "wasClean"
    };

    explicit ClosingModel(const TraceStore *store, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

    // The row of a field key, or -1.
    [[nodiscard]] int rowOf(const QString &key) const;

private:
    void refresh();
    void onAboutToReset();
    void onResetDone();
    [[nodiscard]] QStringList currentValues() const;
    // A value that means something went wrong (an unclean close, a timeout, a reason given).
    [[nodiscard]] bool isWarning(int row) const;
    [[nodiscard]] bool isGood(int row) const;

    const TraceStore *m_store;
    QList<ClosingField> m_fields;
    QStringList m_values;
};

} // namespace wsi::gui
