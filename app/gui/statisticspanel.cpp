// SPDX-License-Identifier: MIT
#include "statisticspanel.h"

#include "barchart.h"
#include "format.h"
#include "protocol/frame.h"
#include "trace/report.h"

#include <QAbstractTableModel>
#include <QApplication>
#include <QBoxLayout>
#include <QClipboard>
#include <QEvent>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsi::gui {

// One statistics table: a row per key (chop size or opcode) in ascending order, then the total.
class StatisticsPanel::TableModel final : public QAbstractTableModel
{
public:
    enum Columns { KeyColumn, CountColumn, OctetsColumn, NUM_COLUMNS };

    TableModel(bool octets, QObject *parent) : QAbstractTableModel(parent), m_octets(octets) {}

    // False when nothing changed. Same keys: the values change in place; else the model resets.
    bool setCounts(const CountMap &counts)
    {
        if (counts == m_counts)
            return false;
        const bool sameKeys =
            counts.size() == m_counts.size() &&
            std::equal(counts.begin(), counts.end(), m_counts.begin(),
                       [](const auto &a, const auto &b) { return a.first == b.first; });
        if (!sameKeys)
            beginResetModel();
        m_counts = counts;
        m_rows.assign(counts.begin(), counts.end());
        m_totalCount = 0;
        m_totalOctets = 0;
        for (const auto &[key, count] : m_rows) {
            m_totalCount += count;
            m_totalOctets += key * count;
        }
        if (sameKeys)
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
        else
            endResetModel();
        return true;
    }

    [[nodiscard]] const std::vector<std::pair<qint64, qint64>> &rows() const { return m_rows; }
    [[nodiscard]] bool isOctetTable() const { return m_octets; }

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_rows.size()) + 1;
    }

    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : (m_octets ? NUM_COLUMNS : OctetsColumn);
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid))
            return {};
        const bool total = size_t(index.row()) == m_rows.size();
        switch (role) {
        case Qt::DisplayRole:
            if (total) {
                if (index.column() == KeyColumn)
                    return StatisticsPanel::tr("Total");
                return index.column() == CountColumn ? m_totalCount : m_totalOctets;
            } else {
                const auto &[key, count] = m_rows[size_t(index.row())];
                if (index.column() == KeyColumn)
                    return key;
                return index.column() == CountColumn ? count : key * count;
            }
        case Qt::TextAlignmentRole:
            if (total && index.column() == KeyColumn)
                return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        case Qt::FontRole:
            if (total) {
                QFont bold;
                bold.setBold(true);
                return bold;
            }
            return {};
        case Qt::ToolTipRole:
            if (total)
                return {};
            return rowToolTip(m_rows[size_t(index.row())]);
        default:
            return {};
        }
    }

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
            return {};
        switch (section) {
        case KeyColumn:
            return m_octets ? StatisticsPanel::tr("Chop Size") : StatisticsPanel::tr("Opcode");
        case CountColumn:
            return StatisticsPanel::tr("Count");
        case OctetsColumn:
            return StatisticsPanel::tr("Octets");
        default:
            return {};
        }
    }

    [[nodiscard]] QString rowToolTip(const std::pair<qint64, qint64> &row) const
    {
        const auto &[key, count] = row;
        const QLocale locale;
        if (m_octets) {
            return StatisticsPanel::tr("Chop size %1: count %2, octets %3")
                .arg(locale.toString(key), locale.toString(count), locale.toString(key * count));
        }
        return StatisticsPanel::tr("Opcode %1 (%2): count %3")
            .arg(QString::number(key), opcodeName(int(key)), locale.toString(count));
    }

    [[nodiscard]] qint64 totalCount() const { return m_totalCount; }
    [[nodiscard]] qint64 totalOctets() const { return m_totalOctets; }

private:
    CountMap m_counts;
    std::vector<std::pair<qint64, qint64>> m_rows;
    qint64 m_totalCount = 0;
    qint64 m_totalOctets = 0;
    bool m_octets;
};

QString StatisticsPanel::tableTitle(Table table)
{
    // Report strings: the titles of Autobahn's wire statistics tables, deliberately untranslated.
    switch (table) {
    case OctetsReceived:
        return u"Octets Received by Chop Size"_s;
    case OctetsTransmitted:
        return u"Octets Transmitted by Chop Size"_s;
    case FramesReceived:
        return u"Frames Received by Opcode"_s;
    case FramesTransmitted:
        return u"Frames Transmitted by Opcode"_s;
    case TableCount:
        break;
    }
    return {};
}

StatisticsPanel::StatisticsPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_summary = new QLabel(this);
    m_summary->setObjectName(u"summaryLabel"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_copyButton = new QPushButton(this);
    m_copyButton->setObjectName(u"copyButton"_s);
    connect(m_copyButton, &QPushButton::clicked, this, &StatisticsPanel::copyAsText);
    top->addWidget(m_summary, 1);
    top->addWidget(m_copyButton);
    layout->addLayout(top);
    m_storage = new QLabel(this);
    m_storage->setObjectName(u"storageLabel"_s);
    m_storage->setWordWrap(true);
    m_storage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_storage->hide();
    layout->addWidget(m_storage);

    // One column of four tables (each with its chart beside it), scrolled: the panel shares the
    // window with the frame views and is often narrow.
    auto *scroll = new QScrollArea(this);
    m_scroll = scroll;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *content = new QWidget(scroll);
    auto *grid = new QGridLayout(content);
    grid->setContentsMargins(0, 0, 0, 0);
    scroll->setWidget(content);
    layout->addWidget(scroll, 1);
    const int digitWidth = fontMetrics().horizontalAdvance(u'0');
    for (int t = 0; t < TableCount; ++t) {
        Section &s = m_sections[size_t(t)];
        const bool octets = t == OctetsReceived || t == OctetsTransmitted;
        s.box = new QGroupBox(tableTitle(Table(t)), content);
        s.model = new TableModel(octets, this);
        s.view = new QTableView(s.box);
        s.view->setObjectName(u"table%1"_s.arg(t));
        s.view->setModel(s.model);
        s.view->verticalHeader()->hide();
        s.view->setSelectionBehavior(QAbstractItemView::SelectRows);
        s.view->setEditTriggers(QAbstractItemView::NoEditTriggers);
        s.view->setAlternatingRowColors(true);
        s.view->setWordWrap(false);
        s.view->horizontalHeader()->setDefaultSectionSize(digitWidth * 11);
        s.view->horizontalHeader()->setStretchLastSection(true);
        s.view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
        s.view->setMinimumWidth(digitWidth * 11 * s.model->columnCount() + 2 * digitWidth);
        s.chart = new BarChart(s.box);
        s.chart->setObjectName(u"chart%1"_s.arg(t));
        s.chart->setPlaceholderText(tr("No data yet"));
        auto *boxLayout = new QBoxLayout(QBoxLayout::LeftToRight, s.box);
        s.layout = boxLayout;
        boxLayout->addWidget(s.view, 2);
        boxLayout->addWidget(s.chart, 3);
        s.view->setMinimumHeight(fontMetrics().height() * 8);
        grid->addWidget(s.box, t + 1, 0);
    }
    // The compression figures scroll with the tables, above them (the panel is often narrow);
    // made after the tables, which stay the panel's first group boxes.
    m_deflateBox = new QGroupBox(content);
    m_deflateBox->setObjectName(u"deflateBox"_s);
    auto *deflateLayout = new QVBoxLayout(m_deflateBox);
    m_deflateAgreement = new QLabel(m_deflateBox);
    m_deflateAgreement->setObjectName(u"deflateAgreementLabel"_s);
    m_deflateAgreement->setWordWrap(true);
    m_deflateAgreement->setTextInteractionFlags(Qt::TextSelectableByMouse);
    deflateLayout->addWidget(m_deflateAgreement);
    auto *deflateGrid = new QGridLayout;
    deflateGrid->setHorizontalSpacing(fontMetrics().horizontalAdvance(u'0'));
    for (int row = 0; row < int(m_deflateCells.size()); ++row) {
        for (int column = 0; column < int(m_deflateCells[0].size()); ++column) {
            auto *cell = new QLabel(m_deflateBox);
            cell->setObjectName(u"deflateCell%1%2"_s.arg(row).arg(column));
            cell->setTextInteractionFlags(Qt::TextSelectableByMouse);
            if (row == 0 || column == 0) {
                QFont bold = cell->font();
                bold.setBold(true);
                cell->setFont(bold);
            }
            if (column > 0)
                cell->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
            deflateGrid->addWidget(cell, row, column);
            m_deflateCells[size_t(row)][size_t(column)] = cell;
        }
    }
    deflateGrid->setColumnStretch(int(m_deflateCells[0].size()), 1);
    deflateLayout->addLayout(deflateGrid);
    m_deflateBox->hide();
    grid->addWidget(m_deflateBox, 0, 0);
    retranslate();
}

StatisticsPanel::~StatisticsPanel() = default;

QAbstractItemModel *StatisticsPanel::model(Table table) const
{
    return m_sections[size_t(table)].model;
}

QTableView *StatisticsPanel::view(Table table) const
{
    return m_sections[size_t(table)].view;
}

BarChart *StatisticsPanel::chart(Table table) const
{
    return m_sections[size_t(table)].chart;
}

void StatisticsPanel::clear()
{
    setStatistics(WireStatistics());
    setStorageStop(std::nullopt, Trace::Limits());
    setDeflate(DeflateAgreement(), DeflateStatistics());
}

namespace {
bool sameStatistics(const DeflateStatistics &a, const DeflateStatistics &b)
{
    return a.rxWireOctets == b.rxWireOctets && a.rxAppOctets == b.rxAppOctets &&
           a.txWireOctets == b.txWireOctets && a.txAppOctets == b.txAppOctets &&
           a.rxCompressedMessages == b.rxCompressedMessages &&
           a.txCompressedMessages == b.txCompressedMessages &&
           a.rxFailedMessages == b.rxFailedMessages && a.txFailedMessages == b.txFailedMessages;
}

// One row of the compression figures.
struct DeflateRow
{
    qint64 wire = 0, app = 0, compressed = 0, failed = 0;
};

std::array<DeflateRow, 3> deflateRows(const DeflateStatistics &s)
{
    return {DeflateRow{s.rxWireOctets, s.rxAppOctets, s.rxCompressedMessages, s.rxFailedMessages},
            DeflateRow{s.txWireOctets, s.txAppOctets, s.txCompressedMessages, s.txFailedMessages},
            DeflateRow{s.rxWireOctets + s.txWireOctets, s.rxAppOctets + s.txAppOctets,
                       s.rxCompressedMessages + s.txCompressedMessages,
                       s.rxFailedMessages + s.txFailedMessages}};
}
} // namespace

void StatisticsPanel::setDeflate(const DeflateAgreement &agreement, const DeflateStatistics &stats)
{
    if (agreement == m_agreement && sameStatistics(stats, m_deflate))
        return;
    m_agreement = agreement;
    m_deflate = stats;
    refreshDeflate();
}

QString StatisticsPanel::deflateText() const
{
    if (!m_agreement.agreed)
        return {};
    const QLocale locale;
    const QString names[] = {tr("Received"), tr("Sent"), tr("Connection")};
    QStringList lines{tr("permessage-deflate: %1").arg(m_agreement.describe())};
    const std::array<DeflateRow, 3> rows = deflateRows(m_deflate);
    for (size_t i = 0; i < rows.size(); ++i) {
        const DeflateRow &r = rows[i];
        QString line = tr("%1: %2").arg(names[i], format::compression(r.wire, r.app));
        line += u", "_s + format::resolvePlural(tr("%1 message(s) compressed", nullptr,
                                                   format::pluralCount(r.compressed)),
                                                r.compressed)
                              .arg(locale.toString(r.compressed));
        if (r.failed > 0)
            line += u", "_s + tr("%1 not inflated").arg(locale.toString(r.failed));
        lines << line;
    }
    return lines.join(u'\n');
}

void StatisticsPanel::refreshDeflate()
{
    m_deflateBox->setVisible(m_agreement.agreed);
    m_deflateBox->setTitle(tr("Compression (permessage-deflate)"));
    if (!m_agreement.agreed)
        return;
    const QLocale locale;
    m_deflateAgreement->setText(tr("Agreed: %1. The ratio is wire octets over application "
                                   "(inflated) octets; uncompressed messages count on both sides.")
                                    .arg(m_agreement.describe()));
    // Short headers (the panel is often narrow); the tooltips say them in full.
    const QString headers[] = {QString(), tr("Wire"), tr("Inflated"), tr("Ratio"), tr("Messages")};
    const QString tips[] = {QString(), tr("Payload octets of the data messages on the wire"),
                            tr("Payload octets of the data messages as the application sees "
                               "them (inflated)"),
                            tr("Wire octets over application octets"),
                            tr("Messages compressed (RSV1 on their first frame)")};
    for (size_t c = 0; c < m_deflateCells[0].size(); ++c) {
        m_deflateCells[0][c]->setText(headers[c]);
        m_deflateCells[0][c]->setToolTip(tips[c]);
    }
    const QString names[] = {tr("Received"), tr("Sent"), tr("Connection")};
    const std::array<DeflateRow, 3> rows = deflateRows(m_deflate);
    for (size_t i = 0; i < rows.size(); ++i) {
        const DeflateRow &r = rows[i];
        const auto &cells = m_deflateCells[i + 1];
        cells[0]->setText(names[i]);
        cells[1]->setText(locale.toString(r.wire));
        cells[2]->setText(locale.toString(r.app));
        cells[3]->setText(r.app > 0 ? format::ratioPercent(double(r.wire) / double(r.app))
                                    : tr("–"));
        cells[4]->setText(r.failed > 0
                              ? tr("%1 (%2 not inflated)")
                                    .arg(locale.toString(r.compressed), locale.toString(r.failed))
                              : locale.toString(r.compressed));
        cells[4]->setToolTip(r.failed > 0 ? tr("Messages that did not inflate, or whose "
                                               "octets the trace does not hold")
                                          : QString());
    }
}

void StatisticsPanel::setStorageStop(const std::optional<Trace::StorageStop> &stop,
                                     const Trace::Limits &limits)
{
    const bool same = stop.has_value() == m_storageStop.has_value() &&
                      (!stop || (stop->streamOffset == m_storageStop->streamOffset &&
                                 stop->direction == m_storageStop->direction &&
                                 stop->limit == m_storageStop->limit)) &&
                      limits.maxStoredOctets == m_limits.maxStoredOctets &&
                      limits.maxStoredFrames == m_limits.maxStoredFrames;
    if (same)
        return;
    m_storageStop = stop;
    m_limits = limits;
    retranslate();
}

QString StatisticsPanel::storageText() const
{
    if (!m_storageStop)
        return {};
    const QLocale locale;
    const QString direction = m_storageStop->direction == Direction::Rx ? tr("RX") : tr("TX");
    const QString offset = locale.toString(m_storageStop->streamOffset);
    if (m_storageStop->limit == u"frames"_s) {
        return tr("Storage stopped at %1 octet %2: the limit of %3 stored frames is reached. "
                  "Later octets and frames are counted, not stored; the statistics stay exact.")
            .arg(direction, offset, locale.toString(m_limits.maxStoredFrames));
    }
    return tr("Storage stopped at %1 octet %2: the trace budget of %3 octets is spent. "
              "Later octets and frames are counted, not stored; the statistics stay exact.")
        .arg(direction, offset, locale.toString(m_limits.maxStoredOctets));
}

void StatisticsPanel::setStatistics(const WireStatistics &stats)
{
    updateTable(OctetsReceived, stats.rxOctets);
    updateTable(OctetsTransmitted, stats.txOctets);
    updateTable(FramesReceived, stats.rxFrames);
    updateTable(FramesTransmitted, stats.txFrames);
    if (stats.rxOctets == m_stats.rxOctets && stats.txOctets == m_stats.txOctets &&
        stats.rxFrames == m_stats.rxFrames && stats.txFrames == m_stats.txFrames)
        return;
    m_stats = stats;
    retranslate();
}

void StatisticsPanel::updateTable(Table table, const CountMap &counts)
{
    Section &s = m_sections[size_t(table)];
    if (!s.model->setCounts(counts))
        return;
    QList<BarChart::Bar> bars;
    bars.reserve(qsizetype(counts.size()));
    for (const auto &row : s.model->rows()) {
        BarChart::Bar bar;
        bar.label = s.model->isOctetTable()
                        ? QLocale().toString(row.first)
                        : QString::number(row.first) + u' ' + opcodeName(int(row.first));
        bar.value = row.second;
        bar.toolTip = s.model->rowToolTip(row);
        bars << bar;
    }
    s.chart->setBars(bars);
    arrangeSections();
}

void StatisticsPanel::arrangeSections()
{
    const int available = m_scroll->viewport()->width();
    for (Section &s : m_sections) {
        const QMargins m = s.box->contentsMargins() + s.layout->contentsMargins();
        const int beside = s.view->minimumWidth() + s.layout->spacing() +
                           s.chart->minimumSizeHint().width() + m.left() + m.right();
        const auto direction =
            beside <= available ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom;
        if (s.layout->direction() != direction)
            s.layout->setDirection(direction);
        // Below its table a chart is as tall as its rows need (the panel scrolls), so each row
        // keeps its label; beside it, it shares the table's height.
        const int tall = direction == QBoxLayout::TopToBottom ? s.chart->sizeHint().height() : 0;
        if (s.chart->minimumHeight() != tall)
            s.chart->setMinimumHeight(tall);
    }
}

void StatisticsPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    arrangeSections();
}

void StatisticsPanel::retranslate()
{
    const auto *rxOctets = m_sections[OctetsReceived].model;
    const auto *txOctets = m_sections[OctetsTransmitted].model;
    const auto *rxFrames = m_sections[FramesReceived].model;
    const auto *txFrames = m_sections[FramesTransmitted].model;
    m_copyButton->setText(tr("Copy as Text"));
    m_copyButton->setToolTip(tr("Copy the four tables as the text report prints them"));
    const QLocale locale;
    m_summary->setText(
        tr("Received: octets %1, reads %2, frames %3 · Sent: octets %4, writes %5, frames %6")
            .arg(locale.toString(rxOctets->totalOctets()), locale.toString(rxOctets->totalCount()),
                 locale.toString(rxFrames->totalCount()), locale.toString(txOctets->totalOctets()),
                 locale.toString(txOctets->totalCount()), locale.toString(txFrames->totalCount())));
    m_storage->setText(storageText());
    m_storage->setVisible(m_storageStop.has_value());
    refreshDeflate();
}

void StatisticsPanel::copyAsText() const
{
    QApplication::clipboard()->setText(statisticsText(m_stats));
}

void StatisticsPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        for (const Section &s : m_sections)
            Q_EMIT s.model->headerDataChanged(Qt::Horizontal, 0, s.model->columnCount() - 1);
    }
}

} // namespace wsi::gui
