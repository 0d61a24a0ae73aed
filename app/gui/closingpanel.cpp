// SPDX-License-Identifier: MIT
#include "closingpanel.h"

#include "format.h"
#include "theme.h"

#include "ui_closingpanel.h"

#include <QHeaderView>
#include <QLocale>
#include <QTableWidgetItem>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

enum Columns { KeyColumn, ValueColumn, DescriptionColumn };

} // namespace

ClosingPanel::ClosingPanel(QWidget *parent)
    : QWidget(parent), m_ui(std::make_unique<Ui::ClosingPanel>())
{
    m_ui->setupUi(this);
    // The headline says in the window's language what the verdict means; the line below is the
    // report's own "Case Closing Behavior" line, word for word as in the reports.
    QFont bold = m_ui->headlineLabel->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_ui->headlineLabel->setFont(bold);
    m_ui->headlineLabel->setObjectName(u"headlineLabel"_s);

    QTableWidget *table = m_ui->fieldsTable;
    const QList<ClosingField> fields = closingFields();
    table->setRowCount(int(fields.size()));
    for (int row = 0; row < fields.size(); ++row) {
        // Keys and descriptions are report strings (Autobahn's "Closing Behavior" table), kept
        // untranslated so that they read exactly as in the reports.
        auto *key = new QTableWidgetItem(QString::fromLatin1(fields[row].key));
        auto *value = new QTableWidgetItem;
        auto *description = new QTableWidgetItem(QString::fromUtf8(fields[row].description));
        key->setToolTip(description->text());
        value->setToolTip(description->text());
        description->setToolTip(description->text());
        table->setItem(row, KeyColumn, key);
        table->setItem(row, ValueColumn, value);
        table->setItem(row, DescriptionColumn, description);
    }
    QHeaderView *header = table->horizontalHeader();
    header->setSectionResizeMode(KeyColumn, QHeaderView::ResizeToContents);
    // Values can be long ("peer dropped the TCP connection without …"): they get the room the
    // description does not need, and wrap.
    header->setSectionResizeMode(ValueColumn, QHeaderView::Stretch);
    table->setWordWrap(true);
    header->setSectionResizeMode(DescriptionColumn, QHeaderView::Stretch);
    table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    clear();
}

ClosingPanel::~ClosingPanel() = default;

void ClosingPanel::clear()
{
    setClosing(ClosingBehavior(), std::nullopt);
}

void ClosingPanel::setClosing(const ClosingBehavior &behavior,
                              const std::optional<ClosingVerdict> &verdict,
                              const ClosingProgress &progress)
{
    m_behavior = behavior;
    m_verdict = verdict;
    m_progress = progress;
    QTableWidget *table = m_ui->fieldsTable;
    const QList<ClosingField> fields = closingFields();
    for (int row = 0; row < fields.size(); ++row) {
        QTableWidgetItem *item = table->item(row, ValueColumn);
        const QString value = closingFieldValue(behavior, fields[row].key);
        if (item->text() != value)
            item->setText(value);
    }
    showVerdict();
    showTimings();
}

QString ClosingPanel::verdictText() const
{
    return m_ui->verdictLabel->text();
}

QColor ClosingPanel::verdictColor(CloseVerdict verdict, const QPalette &palette)
{
    return theme::toneText(verdictTone(verdict), palette);
}

QString ClosingPanel::headlineText(std::optional<CloseVerdict> verdict)
{
    if (!verdict)
        return tr("No verdict yet");
    switch (*verdict) {
    case CloseVerdict::Pending:
        return tr("Closing in progress");
    case CloseVerdict::Ok:
        return tr("Closed as required");
    case CloseVerdict::Failed:
        return tr("Closing failed");
    case CloseVerdict::Unclean:
        return tr("Not closed cleanly");
    case CloseVerdict::WrongCode:
        return tr("Wrong close code");
    case CloseVerdict::FailedByClient:
        return tr("Failed by the client");
    case CloseVerdict::Informational:
        return tr("Informational");
    }
    return wsi::verdictText(*verdict);
}

QString ClosingPanel::headline() const
{
    return m_ui->headlineLabel->text();
}

void ClosingPanel::showVerdict()
{
    QString text;
    if (!m_verdict) {
        text = m_behavior.tcpClosed ? tr("No verdict.")
                                    : tr("No verdict yet: the connection is not closed.");
    } else if (m_verdict->verdict == CloseVerdict::Pending) {
        text = progressText(m_progress);
    } else {
        // The report's "Case Closing Behavior" line: "<resultClose> (<behaviorClose>)".
        text = m_verdict->text + u" ("_s + wsi::verdictText(m_verdict->verdict) + u')';
    }
    m_ui->verdictLabel->setText(text);
    const bool judged = m_verdict && m_verdict->verdict != CloseVerdict::Pending;
    const std::optional<CloseVerdict> verdict =
        m_verdict ? std::optional(m_verdict->verdict) : std::nullopt;
    m_ui->headlineLabel->setText(headlineText(verdict));
    m_ui->headlineLabel->setVisible(judged);
    m_ui->headlineLabel->setToolTip(judged ? text : QString());
    QPalette pal = palette();
    pal.setColor(QPalette::WindowText, verdict ? verdictColor(*verdict, palette())
                                               : palette().color(QPalette::WindowText));
    m_ui->headlineLabel->setPalette(pal);
}

QString ClosingPanel::tcpEndWords(TcpEnd end, const QString &socketText)
{
    switch (end) {
    case TcpEnd::PeerFin:
        return tr("the server closed TCP (FIN)");
    case TcpEnd::PeerReset:
        return tr("the server reset the connection (RST)");
    case TcpEnd::PeerTls:
        return tr("the server ended the TLS session (close_notify), then TCP closed");
    case TcpEnd::OurClose:
        return tr("we closed TCP (FIN)");
    case TcpEnd::OurAbort:
        return tr("we aborted TCP");
    case TcpEnd::SocketError:
        return tr("the connection failed: %1").arg(socketText);
    case TcpEnd::NoConnection:
        return socketText.isEmpty() ? tr("no connection") : tr("no connection: %1").arg(socketText);
    case TcpEnd::Unknown:
        break;
    }
    return socketText;
}

QString ClosingPanel::progressText(const ClosingProgress &p)
{
    using P = ClosingProgress::Phase;
    const bool timed = p.timeoutMs > 0;
    const QString elapsed = QLocale().toString(p.elapsedMs);
    const QString timeout = QLocale().toString(p.timeoutMs);
    switch (p.phase) {
    case P::NotStarted:
        return tr("Not connected.");
    case P::Connecting:
        return timed ? tr("Connecting: waiting for the opening handshake, %1 of %2 ms")
                           .arg(elapsed, timeout)
                     : tr("Connecting: waiting for the opening handshake");
    case P::Open:
        return tr("Open: no verdict before the connection is closed.");
    case P::HalfClosed:
        return timed ? tr("Half-closed: waiting for the server to drop TCP, %1 of %2 ms")
                           .arg(elapsed, timeout)
                     : tr("Half-closed: waiting for the server to drop TCP");
    case P::WaitingForClose:
        return timed ? tr("Closing: waiting for the server's close, %1 of %2 ms")
                           .arg(elapsed, timeout)
                     : tr("Closing: waiting for the server's close");
    case P::WaitingForDrop:
        return timed ? tr("Closing: waiting for the server to drop TCP, %1 of %2 ms")
                           .arg(elapsed, timeout)
                     : tr("Closing: waiting for the server to drop TCP");
    case P::Closed:
        break;
    }
    return tr("No verdict yet: the connection is not closed.");
}

void ClosingPanel::showTimings()
{
    const ClosingBehavior &b = m_behavior;
    const auto at = [](qint64 ns) -> QString {
        return ns >= 0 ? tr("%1 ms").arg(format::milliseconds(ns)) : tr("—");
    };
    m_ui->openedLabel->setText(at(b.openedNs));
    m_ui->closeSentLabel->setText(at(b.closeSentNs));
    m_ui->closeReceivedLabel->setText(at(b.closeReceivedNs));
    m_ui->tcpClosedLabel->setText(at(b.tcpClosedNs));

    const bool sent = b.closeSentNs >= 0;
    const bool received = b.closeReceivedNs >= 0;
    if (sent && received) {
        // Whoever sent first started the handshake; the other close is the reply.
        if (b.closeSentNs <= b.closeReceivedNs)
            m_ui->handshakeLabel->setText(
                tr("took %1 ms (our close until the server's reply)")
                    .arg(format::milliseconds(b.closeReceivedNs - b.closeSentNs)));
        else
            m_ui->handshakeLabel->setText(
                tr("took %1 ms (the server's close until our reply)")
                    .arg(format::milliseconds(b.closeSentNs - b.closeReceivedNs)));
    } else if (sent) {
        m_ui->handshakeLabel->setText(b.tcpClosedNs >= 0 ? tr("no close received from the server")
                                                         : tr("waiting for the server's close"));
    } else if (received) {
        m_ui->handshakeLabel->setText(tr("the server's close was not answered"));
    } else {
        m_ui->handshakeLabel->setText(tr("—"));
    }

    QString drop = tr("—");
    if (b.tcpClosedNs >= 0) {
        const qint64 last = std::max(b.closeSentNs, b.closeReceivedNs);
        const QString after = last >= 0 ? format::milliseconds(b.tcpClosedNs - last) : QString();
        if (b.connectError) {
            drop = tr("no connection: %1").arg(*b.connectError);
        } else if (b.tlsFailure) {
            drop = tr("TLS handshake failed: %1").arg(*b.tlsFailure);
        } else if (b.droppedByMe) {
            // Closed (FIN) or aborted when the trace says which; "dropped" when it does not.
            if (last < 0) {
                drop = b.tcpEnd == TcpEnd::OurAbort ? tr("we aborted TCP without a close handshake")
                       : b.tcpEnd == TcpEnd::OurClose
                           ? tr("we closed TCP without a close handshake")
                           : tr("we dropped TCP without a close handshake");
            } else {
                drop = b.tcpEnd == TcpEnd::OurAbort
                           ? tr("we aborted TCP %1 ms after the last close frame").arg(after)
                       : b.tcpEnd == TcpEnd::OurClose
                           ? tr("we closed TCP %1 ms after the last close frame").arg(after)
                           : tr("we dropped TCP %1 ms after the last close frame").arg(after);
            }
        } else if (last < 0) {
            switch (b.tcpEnd) {
            case TcpEnd::PeerReset:
                drop = tr("the server reset the connection (RST) without a close handshake");
                break;
            case TcpEnd::PeerTls:
                drop = tr("the server ended the TLS session (close_notify) without a close "
                          "handshake");
                break;
            case TcpEnd::SocketError:
                drop = tr("the connection failed: %1").arg(b.tcpEndText);
                break;
            case TcpEnd::PeerFin:
                drop = b.halfClosed ? tr("the server closed TCP (FIN) after our half-close")
                                    : tr("the server closed TCP (FIN) without a close handshake");
                break;
            default:
                drop = tr("the server dropped TCP without a close handshake");
                break;
            }
        } else {
            switch (b.tcpEnd) {
            case TcpEnd::PeerReset:
                drop = tr("the server reset the connection (RST) %1 ms after the last close "
                          "frame")
                           .arg(after);
                break;
            case TcpEnd::PeerTls:
                drop = tr("the server ended the TLS session (close_notify) %1 ms after the last "
                          "close frame")
                           .arg(after);
                break;
            case TcpEnd::PeerFin:
                drop =
                    tr("the server closed TCP (FIN) %1 ms after the last close frame").arg(after);
                break;
            default: // the trace does not say how (an imported capture)
                drop = tr("the server dropped TCP %1 ms after the last close frame").arg(after);
                break;
            }
        }
    } else if (sent && received) {
        drop = tr("waiting for the server to drop TCP");
    }
    m_ui->dropLabel->setText(drop);
}

// The descriptions are always the rows' tooltips; as a column they need room, so they are shown
// only when the panel is wide enough to keep every row on one or two lines.
void ClosingPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    QTableWidget *table = m_ui->fieldsTable;
    const bool wide = width() >= 640;
    if (table->isColumnHidden(DescriptionColumn) == wide) {
        table->setColumnHidden(DescriptionColumn, !wide);
        table->horizontalHeader()->setSectionResizeMode(
            ValueColumn, wide ? QHeaderView::ResizeToContents : QHeaderView::Stretch);
        table->resizeRowsToContents();
    }
}

void ClosingPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange) {
        m_ui->retranslateUi(this);
        showVerdict();
        showTimings();
    } else if (event->type() == QEvent::PaletteChange) {
        showVerdict();
    }
}

} // namespace wsi::gui
