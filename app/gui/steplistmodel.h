// SPDX-License-Identifier: MIT
#pragma once

#include "session/step.h"

#include <QAbstractListModel>
#include <QPersistentModelIndex>

namespace wsi::gui {

// The sequence editor's steps, in run order: one row per step, shown as a one-line description.
// Rows can be moved by drag and drop (moveRows, or a JSON drag of the steps themselves), and the
// seconds of delays and timers can be edited in place (Qt::EditRole is a double).
class StepListModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StepListModel)

public:
    enum Roles {
        StepRole = Qt::UserRole, // QVariant::fromValue(wsi::Step)
        KindRole,                // int(wsi::Step::Kind)
        DescriptionRole,         // the one-line description (as Qt::DisplayRole)
        RunningRole,             // bool: the step a running sequence is at (also bold)
    };

    // MIME type of dragged steps: a JSON array of scenario step objects (docs/scenario.md).
    static constexpr const char *MimeType = "application/x-wsinspector-steps+json";

    explicit StepListModel(QObject *parent = nullptr);

    [[nodiscard]] const wsi::StepList &steps() const { return m_steps; }
    void setSteps(const wsi::StepList &steps);
    [[nodiscard]] const wsi::Step &step(int row) const { return m_steps.at(row); }
    [[nodiscard]] int count() const { return int(m_steps.size()); }

    void appendStep(const wsi::Step &step);
    void insertStep(int row, const wsi::Step &step);
    // Returns false for a row out of range.
    bool replaceStep(int row, const wsi::Step &step);
    bool removeStep(int row);
    // Moves one row so that it ends up at `to` (0 ≤ to < count()).
    bool moveStep(int from, int to);
    // Inserts a copy of `row` right after it.
    bool duplicateStep(int row);
    void clear();

    // The row a running sequence is at (it follows the step when rows move), -1 for none.
    // Changes emit dataChanged() with RunningRole and Qt::FontRole only.
    void setRunningRow(int row);
    [[nodiscard]] int runningRow() const { return m_running.isValid() ? m_running.row() : -1; }

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    [[nodiscard]] Qt::ItemFlags flags(const QModelIndex &index) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    bool removeRows(int row, int count, const QModelIndex &parent = QModelIndex()) override;
    bool moveRows(const QModelIndex &sourceParent, int sourceRow, int count,
                  const QModelIndex &destinationParent, int destinationChild) override;

    [[nodiscard]] Qt::DropActions supportedDropActions() const override;
    [[nodiscard]] Qt::DropActions supportedDragActions() const override;
    [[nodiscard]] QStringList mimeTypes() const override;
    [[nodiscard]] QMimeData *mimeData(const QModelIndexList &indexes) const override;
    [[nodiscard]] bool canDropMimeData(const QMimeData *data, Qt::DropAction action, int row,
                                       int column, const QModelIndex &parent) const override;
    bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                      const QModelIndex &parent) override;

    // Delays and timers are edited in place; other steps go to the composer.
    [[nodiscard]] static bool hasEditableSeconds(const wsi::Step &step);

private:
    [[nodiscard]] static bool decodeSteps(const QMimeData *data, wsi::StepList *out);

    wsi::StepList m_steps;
    QPersistentModelIndex m_running;
};

} // namespace wsi::gui
