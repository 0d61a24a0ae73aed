// SPDX-License-Identifier: MIT
#include "steplistmodel.h"

#include "stepdescription.h"
#include "suite/scenario.h"

#include <QFont>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMimeData>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

[[nodiscard]] QString mimeType()
{
    return QString::fromLatin1(StepListModel::MimeType);
}

} // namespace

StepListModel::StepListModel(QObject *parent) : QAbstractListModel(parent) {}

bool StepListModel::hasEditableSeconds(const Step &step)
{
    return step.kind == Step::Kind::Delay || step.kind == Step::Kind::CloseAfter ||
           step.kind == Step::Kind::FailAfter;
}

void StepListModel::setSteps(const StepList &steps)
{
    beginResetModel();
    m_steps = steps;
    endResetModel();
}

void StepListModel::appendStep(const Step &step)
{
    insertStep(count(), step);
}

void StepListModel::insertStep(int row, const Step &step)
{
    row = std::clamp(row, 0, count());
    beginInsertRows(QModelIndex(), row, row);
    m_steps.insert(row, step);
    endInsertRows();
}

bool StepListModel::replaceStep(int row, const Step &step)
{
    if (row < 0 || row >= count())
        return false;
    m_steps[row] = step;
    const QModelIndex changed = index(row);
    Q_EMIT dataChanged(changed, changed);
    return true;
}

bool StepListModel::removeStep(int row)
{
    return removeRows(row, 1);
}

bool StepListModel::moveStep(int from, int to)
{
    if (from < 0 || from >= count() || to < 0 || to >= count() || from == to)
        return false;
    // moveRows() takes the row *before which* the moved row lands, counted before the move.
    return moveRows(QModelIndex(), from, 1, QModelIndex(), to > from ? to + 1 : to);
}

bool StepListModel::duplicateStep(int row)
{
    if (row < 0 || row >= count())
        return false;
    insertStep(row + 1, m_steps.at(row));
    return true;
}

void StepListModel::clear()
{
    if (m_steps.isEmpty())
        return;
    beginRemoveRows(QModelIndex(), 0, count() - 1);
    m_steps.clear();
    endRemoveRows();
}

int StepListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : count();
}

QVariant StepListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Step &step = m_steps.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case DescriptionRole:
        // No row number here: it would change under every other row's insert, move or removal.
        // The sequence view's delegate paints it.
        return StepDescription::describe(step);
    case Qt::EditRole:
        if (hasEditableSeconds(step))
            return step.seconds;
        return {};
    case Qt::ToolTipRole: {
        QString json =
            QString::fromUtf8(QJsonDocument(stepToJson(step)).toJson(QJsonDocument::Compact));
        if (json.size() > 400)
            json = json.left(400) + u'\u2026';
        const QString hint = hasEditableSeconds(step)
                                 ? tr("Double-click to change the seconds")
                                 : tr("Double-click to edit the step in the composer");
        return QString(StepDescription::describe(step) + u'\n' + json + u'\n' + hint);
    }
    case StepRole:
        return QVariant::fromValue(step);
    case KindRole:
        return int(step.kind);
    case RunningRole:
        return m_running == index;
    case Qt::FontRole:
        if (m_running == index) {
            QFont bold; // only the weight: the rest comes from the view
            bold.setBold(true);
            return bold;
        }
        return {};
    default:
        return {};
    }
}

void StepListModel::setRunningRow(int row)
{
    const QModelIndex next = row >= 0 && row < count() ? index(row) : QModelIndex();
    if (m_running == next)
        return;
    const QModelIndex previous = m_running;
    m_running = QPersistentModelIndex(next);
    for (const QModelIndex &changed : {previous, next})
        if (changed.isValid())
            Q_EMIT dataChanged(changed, changed, {RunningRole, Qt::FontRole});
}

bool StepListModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    Step &step = m_steps[index.row()];
    if (!hasEditableSeconds(step))
        return false;
    bool ok = false;
    const double seconds = value.toDouble(&ok);
    if (!ok || !std::isfinite(seconds) || seconds < 0)
        return false;
    step.seconds = seconds;
    Q_EMIT dataChanged(index, index);
    return true;
}

Qt::ItemFlags StepListModel::flags(const QModelIndex &index) const
{
    // Drops only land between rows (on the root), never onto a step.
    if (!index.isValid())
        return Qt::ItemIsDropEnabled;
    Qt::ItemFlags f =
        Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemIsDragEnabled | Qt::ItemNeverHasChildren;
    if (index.row() < count() && hasEditableSeconds(m_steps.at(index.row())))
        f |= Qt::ItemIsEditable;
    return f;
}

QHash<int, QByteArray> StepListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(StepRole, "step");
    names.insert(KindRole, "kind");
    names.insert(DescriptionRole, "description");
    return names;
}

bool StepListModel::removeRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || row < 0 || count <= 0 || row + count > this->count())
        return false;
    beginRemoveRows(QModelIndex(), row, row + count - 1);
    m_steps.remove(row, count);
    endRemoveRows();
    return true;
}

bool StepListModel::moveRows(const QModelIndex &sourceParent, int sourceRow, int count,
                             const QModelIndex &destinationParent, int destinationChild)
{
    if (sourceParent.isValid() || destinationParent.isValid() || count <= 0 || sourceRow < 0 ||
        sourceRow + count > this->count() || destinationChild < 0 ||
        destinationChild > this->count())
        return false;
    // Moving a block onto itself (or right behind itself) is no move; beginMoveRows refuses it.
    if (destinationChild >= sourceRow && destinationChild <= sourceRow + count)
        return false;
    if (!beginMoveRows(QModelIndex(), sourceRow, sourceRow + count - 1, QModelIndex(),
                       destinationChild))
        return false;
    const StepList moving = m_steps.mid(sourceRow, count);
    m_steps.remove(sourceRow, count);
    const int insertAt = destinationChild > sourceRow ? destinationChild - count : destinationChild;
    for (int i = 0; i < count; ++i)
        m_steps.insert(insertAt + i, moving.at(i));
    endMoveRows();
    return true;
}

Qt::DropActions StepListModel::supportedDropActions() const
{
    return Qt::MoveAction | Qt::CopyAction;
}

Qt::DropActions StepListModel::supportedDragActions() const
{
    return Qt::MoveAction | Qt::CopyAction;
}

QStringList StepListModel::mimeTypes() const
{
    return {mimeType()};
}

QMimeData *StepListModel::mimeData(const QModelIndexList &indexes) const
{
    QList<int> rows;
    for (const QModelIndex &index : indexes) {
        if (index.isValid() && index.model() == this && index.row() < count())
            rows << index.row();
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    if (rows.isEmpty())
        return nullptr;
    QJsonArray array;
    QStringList lines;
    for (int row : std::as_const(rows)) {
        array.append(stepToJson(m_steps.at(row)));
        lines << StepDescription::describe(m_steps.at(row));
    }
    auto *mime = new QMimeData;
    mime->setData(mimeType(), QJsonDocument(array).toJson(QJsonDocument::Compact));
    mime->setText(lines.join(u'\n'));
    return mime;
}

bool StepListModel::decodeSteps(const QMimeData *data, StepList *out)
{
    if (!data || !data->hasFormat(mimeType()))
        return false;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(data->data(mimeType()), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
        return false;
    const QJsonArray array = doc.array();
    for (qsizetype i = 0; i < array.size(); ++i) {
        Step step;
        if (!array.at(i).isObject() ||
            !stepFromJson(array.at(i).toObject(), step, u"steps[%1]"_s.arg(i)).isEmpty())
            return false;
        if (out)
            out->append(step);
    }
    return true;
}

bool StepListModel::canDropMimeData(const QMimeData *data, Qt::DropAction action, int row,
                                    int column, const QModelIndex &parent) const
{
    Q_UNUSED(row)
    if (parent.isValid() || column > 0)
        return false;
    if (action != Qt::MoveAction && action != Qt::CopyAction)
        return false;
    return data && data->hasFormat(mimeType());
}

bool StepListModel::dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                                 const QModelIndex &parent)
{
    if (action == Qt::IgnoreAction)
        return true;
    if (!canDropMimeData(data, action, row, column, parent))
        return false;
    StepList dropped;
    if (!decodeSteps(data, &dropped) || dropped.isEmpty())
        return false;
    const int at = (row < 0 || row > count()) ? count() : row;
    beginInsertRows(QModelIndex(), at, at + int(dropped.size()) - 1);
    for (qsizetype i = 0; i < dropped.size(); ++i)
        m_steps.insert(at + i, dropped.at(i));
    endInsertRows();
    return true;
}

} // namespace wsi::gui
