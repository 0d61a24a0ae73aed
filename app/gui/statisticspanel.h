// SPDX-License-Identifier: MIT
#pragma once

#include "trace/inflation.h"
#include "trace/trace.h"

#include <QWidget>

#include <array>
#include <optional>

class QAbstractItemModel;
class QBoxLayout;
class QGroupBox;
class QLabel;
class QPushButton;
class QScrollArea;
class QTableView;

namespace wsi::gui {

class BarChart;

// The four wire-statistics tables of the report (docs/reports.md §3.1, §3.2), each with
// its total row and a bar chart of its counts. setStatistics() is cheap enough to call on every
// refresh tick (~100 ms): unchanged tables are not touched, changed ones update in place.
class StatisticsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatisticsPanel)

public:
    enum Table { OctetsReceived, OctetsTransmitted, FramesReceived, FramesTransmitted, TableCount };

    explicit StatisticsPanel(QWidget *parent = nullptr);
    ~StatisticsPanel() override;

    void setStatistics(const WireStatistics &stats);
    // Where the trace stopped storing (none: it did not). The tables stay exact past it: they
    // are counted, not derived from what is stored.
    void setStorageStop(const std::optional<Trace::StorageStop> &stop, const Trace::Limits &limits);
    [[nodiscard]] QString storageText() const;
    // permessage-deflate in figures (RFC 7692): wire and application octets, their ratio and the
    // messages compressed, per direction and for the connection. Hidden while not agreed.
    void setDeflate(const DeflateAgreement &agreement, const DeflateStatistics &stats);
    // The compression group as text ("Received: 312 → 1,024 octets, 30.5 %, 3 messages
    // compressed"; a line each for Sent and the connection), empty while not agreed.
    [[nodiscard]] QString deflateText() const;
    void clear();
    [[nodiscard]] const WireStatistics &statistics() const { return m_stats; }

    // "Octets Received by Chop Size", …: report strings, as the reference report titles them.
    [[nodiscard]] static QString tableTitle(Table table);
    // Rows: one per key in ascending order, then the total row. Columns: Chop Size, Count,
    // Octets (octet tables) or Opcode, Count (frame tables).
    [[nodiscard]] QAbstractItemModel *model(Table table) const;
    [[nodiscard]] QTableView *view(Table table) const;
    [[nodiscard]] BarChart *chart(Table table) const;

public Q_SLOTS:
    // The four tables as the text report prints them.
    void copyAsText() const;

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    class TableModel;

    void retranslate();
    void updateTable(Table table, const CountMap &counts);
    // Each chart beside its table while both fit whole, below it when the panel is narrower.
    void arrangeSections();

    struct Section
    {
        QGroupBox *box = nullptr;
        QTableView *view = nullptr;
        BarChart *chart = nullptr;
        TableModel *model = nullptr;
        QBoxLayout *layout = nullptr;
    };
    std::array<Section, TableCount> m_sections;
    QScrollArea *m_scroll = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_storage = nullptr; // "Storage stopped at …", hidden until it did
    std::optional<Trace::StorageStop> m_storageStop;
    Trace::Limits m_limits;
    QPushButton *m_copyButton = nullptr;
    WireStatistics m_stats;
    // The compression group: a row each for received, sent and the connection.
    QGroupBox *m_deflateBox = nullptr;
    QLabel *m_deflateAgreement = nullptr;
    std::array<std::array<QLabel *, 5>, 4> m_deflateCells{}; // [header + 3 rows][columns]
    DeflateAgreement m_agreement;
    DeflateStatistics m_deflate;
    void refreshDeflate();
};

} // namespace wsi::gui
