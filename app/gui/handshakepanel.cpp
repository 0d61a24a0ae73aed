// SPDX-License-Identifier: MIT
#include "handshakepanel.h"
#include "monospacefont.h"
#include "protocol/textescape.h"
#include "theme.h"

#include "ui_handshakepanel.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLocale>
#include <QStyle>

#include <algorithm>
#include <iterator>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

// A raw HTTP head for display: one line per header, without the CRs.
QString displayHead(const QString &raw)
{
    QString text = raw;
    text.replace(u"\r\n"_s, u"\n"_s);
    text.replace(u'\r', u'\n');
    while (text.endsWith(u'\n'))
        text.chop(1);
    return text;
}

void setTextIfChanged(QPlainTextEdit *edit, const QString &text)
{
    // Unchanged text is not set again, so live updates keep the user's scroll position.
    if (edit->toPlainText() != text)
        edit->setPlainText(text);
}

bool sameTls(const TlsInfo &a, const TlsInfo &b)
{
    return a.protocol == b.protocol && a.cipher == b.cipher && a.chain == b.chain &&
           a.certificateErrors == b.certificateErrors && a.errorsIgnored == b.errorsIgnored &&
           a.sni == b.sni && a.alpnOffered == b.alpnOffered && a.alpn == b.alpn &&
           a.clientCertificate == b.clientCertificate && a.versionAsked == b.versionAsked;
}

// A status line's code: "HTTP/1.1 400 Bad Request" → 400 (0 when there is none).
int statusCodeOf(const QString &head)
{
    const QString firstLine = head.section(u'\n', 0, 0).trimmed();
    return firstLine.section(u' ', 1, 1, QString::SectionSkipEmpty).toInt();
}

} // namespace

HandshakePanel::HandshakePanel(QWidget *parent)
    : QWidget(parent), m_ui(std::make_unique<Ui::HandshakePanel>())
{
    m_ui->setupUi(this);
    const QFont fixed = monospaceFont();
    m_ui->requestEdit->setFont(fixed);
    m_ui->responseEdit->setFont(fixed);
    m_ui->bodyEdit->setFont(fixed);
    m_ui->requestEdit->setPlaceholderText(tr("No request sent yet."));
    m_ui->responseEdit->setPlaceholderText(tr("No response received yet."));
    // The heads get the room: the body, the errors and the chain stay compact (they scroll).
    const int line = fontMetrics().lineSpacing();
    m_ui->bodyEdit->setMaximumHeight(line * 8);
    m_ui->chainTree->header()->setStretchLastSection(true);
    m_ui->chainTree->setTextElideMode(Qt::ElideNone);
    clear();
}

HandshakePanel::~HandshakePanel() = default;

void HandshakePanel::clear()
{
    setHandshake({}, {});
    setResponseBody({});
    m_tls.reset();
    m_connected = false;
    showTls(); // hidden, also right after construction: the layout starts without it
    showWarnings();
    m_bodySourceOctets = -1;
}

void HandshakePanel::setTrace(const Trace &trace)
{
    QString request;
    QString response;
    QString failure;
    QStringList certificateErrors;
    const TlsInfo *tls = nullptr;
    bool connected = false;
    for (const TraceEvent &event : trace.events()) {
        using Kind = TraceEvent::Kind;
        switch (event.kind) {
        case Kind::Connected:
            connected = true;
            tls = event.tls.data();
            break;
        case Kind::HandshakeRequest:
            if (request.isEmpty())
                request = event.text;
            break;
        case Kind::HandshakeResponse:
            if (response.isEmpty())
                response = event.text;
            break;
        case Kind::HandshakeFailed:
            if (failure.isEmpty())
                failure = event.text;
            break;
        case Kind::CertificateError:
            certificateErrors << event.text;
            break;
        default:
            break;
        }
        // Once OPEN (or failed), no later event belongs to the opening handshake.
        if ((event.kind == Kind::StateChanged && event.state == SessionState::Open) ||
            event.kind == Kind::HandshakeFailed)
            break;
    }
    setHandshake(request, response, failure, certificateErrors);
    setTls(tls, connected);

    // A response that is not 101 may carry a body (an error page, a JSON reason): the RX octets
    // after its head, as far as they arrived before the connection ended.
    const qint64 rx = trace.octetCount(Direction::Rx);
    if (response.isEmpty() || statusCodeOf(response) == 101) {
        if (m_bodySourceOctets != -1)
            setResponseBody({});
        m_bodySourceOctets = -1;
    } else if (rx != m_bodySourceOctets) {
        m_bodySourceOctets = rx;
        const qint64 headSize = response.size(); // the head event holds its octets as Latin-1
        const qint64 available = std::max<qint64>(0, rx - headSize);
        const qint64 size = std::min(available, kMaxBodyOctets);
        setResponseBody(trace.streamOctets(Direction::Rx, headSize, size), available > size);
    }
}

void HandshakePanel::setHandshake(const QString &request, const QString &response,
                                  const QString &failure, const QStringList &certificateErrors)
{
    setTextIfChanged(m_ui->requestEdit, displayHead(request));
    setTextIfChanged(m_ui->responseEdit, displayHead(response));
    m_failure = failure;
    showFailure();
    const QString source = request + QChar(0) + response;
    if (source != m_warningSource) {
        m_warningSource = source;
        m_warnings = handshakeWarnings(request.toLatin1(), response.toLatin1());
        m_hasRequest = !request.isEmpty();
        m_hasResponse = !response.isEmpty();
        m_deflate = m_hasRequest && m_hasResponse
                        ? negotiateDeflate(request.toLatin1(), response.toLatin1())
                        : DeflateNegotiation();
        if (m_hasRequest && !m_hasResponse)
            m_deflate.offered = negotiateDeflate(request.toLatin1(), QByteArray()).offered;
        showWarnings();
        showDeflate();
    }
    if (certificateErrors != m_certificateErrors) {
        m_certificateErrors = certificateErrors;
        showTls();
    }
}

void HandshakePanel::setTls(const TlsInfo *info, bool connected)
{
    const bool changed = connected != m_connected || bool(info) != m_tls.has_value() ||
                         (info && !sameTls(*info, *m_tls));
    if (!changed)
        return;
    m_connected = connected;
    if (info)
        m_tls.emplace(*info);
    else
        m_tls.reset();
    showTls();
}

void HandshakePanel::setResponseBody(const QByteArray &body, bool truncated)
{
    QString text = displayBody(body);
    if (truncated)
        text +=
            u'\n' +
            tr("(only the first %1 octets are shown)").arg(QLocale().toString(qint64(body.size())));
    setTextIfChanged(m_ui->bodyEdit, text);
    m_ui->bodyBox->setVisible(!body.isEmpty());
    relayout();
}

QString HandshakePanel::responseBodyText() const
{
    return m_ui->bodyBox->isHidden() ? QString() : m_ui->bodyEdit->toPlainText();
}

QString HandshakePanel::displayBody(const QByteArray &body)
{
    QString text = QString::fromUtf8(body);
    text.replace(u"\r\n"_s, u"\n"_s);
    QStringList lines = text.split(u'\n');
    for (QString &line : lines)
        line = escapeControls(line);
    return lines.join(u'\n');
}

QString HandshakePanel::requestText() const
{
    return m_ui->requestEdit->toPlainText();
}

QString HandshakePanel::responseText() const
{
    return m_ui->responseEdit->toPlainText();
}

void HandshakePanel::showFailure()
{
    m_ui->failureLabel->setVisible(!m_failure.isEmpty());
    if (m_failure.isEmpty())
        return;
    m_ui->failureLabel->setText(tr("The opening handshake failed: %1").arg(m_failure));
    QPalette pal = palette();
    pal.setColor(QPalette::WindowText, theme::errorText(pal));
    m_ui->failureLabel->setPalette(pal);
}

QString HandshakePanel::warningText(const HandshakeWarningInfo &warning) const
{
    switch (warning.warning) {
    case HandshakeWarning::SubprotocolIgnored:
        return tr("Warning: the server selected none of the requested subprotocols (%1); its "
                  "response has no Sec-WebSocket-Protocol header.")
            .arg(warning.requested.join(u", "_s));
    case HandshakeWarning::ExtensionsIgnored:
        return tr("Warning: the server accepted none of the requested extensions (%1); its "
                  "response has no Sec-WebSocket-Extensions header.")
            .arg(warning.requested.join(u", "_s));
    case HandshakeWarning::SomeExtensionsIgnored:
        return tr("Warning: the server accepted only some of the requested extensions; it "
                  "ignored %1.")
            .arg(warning.ignored.join(u", "_s));
    }
    return warning.text;
}

void HandshakePanel::showWarnings()
{
    QStringList lines;
    for (const HandshakeWarningInfo &warning : std::as_const(m_warnings))
        lines << warningText(warning);
    m_ui->warningLabel->setText(lines.join(u'\n'));
    m_ui->warningLabel->setVisible(!lines.isEmpty());
    relayout();
    QPalette pal = palette();
    pal.setColor(QPalette::WindowText, theme::warningText(pal));
    m_ui->warningLabel->setPalette(pal);
}

QString HandshakePanel::deflateText() const
{
    if (!m_hasRequest)
        return {};
    // A response that breaks the rules says so first: also one that accepts an extension we did
    // not offer.
    if (m_hasResponse && !m_deflate.ok())
        return tr("permessage-deflate: the server's answer breaks RFC 7692: %1")
            .arg(m_deflate.failure);
    if (!m_deflate.offered)
        return tr("permessage-deflate: not offered.");
    if (!m_hasResponse)
        return tr("permessage-deflate: offered; no response yet.");
    const DeflateAgreement &a = m_deflate.agreement;
    if (!a.agreed)
        return tr("permessage-deflate: offered, declined by the server.");
    return tr("permessage-deflate agreed: %1. The server accepted “%2” (answering offer %3).")
        .arg(a.describe(), a.accepted)
        .arg(a.offerIndex + 1);
}

void HandshakePanel::showDeflate()
{
    const QString text = deflateText();
    m_ui->deflateLabel->setText(text);
    m_ui->deflateLabel->setVisible(!text.isEmpty());
    QPalette pal = palette();
    if (!m_deflate.ok())
        pal.setColor(QPalette::WindowText, theme::errorText(pal));
    m_ui->deflateLabel->setPalette(pal);
    relayout();
}

void HandshakePanel::showTls()
{
    // Certificate errors are recorded before the handshake completes (or fails): shown even
    // when TLS never got up, with the errors from the events when there is no TLS record.
    const QStringList errors = m_tls ? m_tls->certificateErrors : m_certificateErrors;
    const bool tlsShown = m_tls.has_value() || m_connected || !errors.isEmpty();
    if (!tlsShown) {
        m_ui->tlsBox->setVisible(false);
        return;
    }
    // The section is shown once its contents are set: showing it activates the layout at once,
    // and with every child still visible it would claim the height of all of them.
    const bool noTls = !m_tls && m_connected;
    m_ui->noTlsLabel->setVisible(noTls || (!m_tls && !errors.isEmpty()));
    if (noTls)
        m_ui->noTlsLabel->setText(tr("No TLS: a ws:// connection is not encrypted."));
    else if (!m_tls)
        m_ui->noTlsLabel->setText(tr("The TLS handshake did not complete."));

    const bool haveSession = m_tls.has_value();
    const QList<QWidget *> sessionWidgets{m_ui->tlsProtocolLabel,     m_ui->tlsProtocolValue,
                                          m_ui->tlsCipherLabel,       m_ui->tlsCipherValue,
                                          m_ui->tlsSniLabel,          m_ui->tlsSniValue,
                                          m_ui->tlsAlpnLabel,         m_ui->tlsAlpnValue,
                                          m_ui->tlsClientCertLabel,   m_ui->tlsClientCertValue,
                                          m_ui->tlsVersionAskedLabel, m_ui->tlsVersionAskedValue,
                                          m_ui->chainCaption,         m_ui->chainTree};
    for (QWidget *w : sessionWidgets)
        w->setVisible(haveSession);
    m_ui->certificateLabel->setVisible(!errors.isEmpty());
    m_ui->certificateList->setVisible(!errors.isEmpty());
    m_ui->certificateLabel->setText(m_tls && m_tls->errorsIgnored
                                        ? tr("Certificate errors (ignored):")
                                        : tr("Certificate errors:"));
    QStringList shown;
    for (int i = 0; i < m_ui->certificateList->count(); ++i)
        shown << m_ui->certificateList->item(i)->text();
    if (shown != errors) {
        m_ui->certificateList->clear();
        m_ui->certificateList->addItems(errors);
        // A line an error, three at most (more scroll).
        const int line = m_ui->certificateList->fontMetrics().lineSpacing() + 2;
        m_ui->certificateList->setMaximumHeight(std::clamp(int(errors.size()), 1, 3) * line +
                                                2 * m_ui->certificateList->frameWidth() + 4);
    }
    if (!haveSession) {
        m_ui->chainTree->clear();
        m_ui->tlsBox->setVisible(true);
        relayout();
        return;
    }
    m_ui->tlsProtocolValue->setText(tlsProtocolDisplayName(m_tls->protocol));
    m_ui->tlsCipherValue->setText(m_tls->cipher);
    m_ui->tlsSniValue->setText(m_tls->sni.isEmpty() ? tr("none sent") : m_tls->sni);
    const QString offered = m_tls->alpnOffered.join(u", "_s);
    m_ui->tlsAlpnValue->setText(offered.isEmpty() ? tr("none offered")
                                : m_tls->alpn.isEmpty()
                                    ? tr("none selected (offered: %1)").arg(offered)
                                    : tr("%1 (offered: %2)").arg(m_tls->alpn, offered));
    m_ui->tlsClientCertValue->setText(
        m_tls->clientCertificate.isEmpty() ? tr("none presented") : m_tls->clientCertificate);
    m_ui->tlsVersionAskedValue->setText(m_tls->versionAsked.isEmpty()
                                            ? tr("any (TLS 1.2 or 1.3)")
                                            : tlsProtocolDisplayName(m_tls->versionAsked));
    m_ui->chainTree->clear();
    const auto when = [this](const QDateTime &utc) {
        return utc.isValid() ? tr("%1 UTC").arg(utc.toUTC().toString(u"yyyy-MM-dd HH:mm:ss"_s))
                             : tr("unknown");
    };
    // One entry a certificate (its subject), its facts below it: the fingerprint gets the
    // tree's whole width.
    const QFont fixed = monospaceFont();
    QFont bold = m_ui->chainTree->font();
    bold.setBold(true);
    int rows = 0;
    for (qsizetype i = 0; i < m_tls->chain.size(); ++i) {
        const TlsCertificateInfo &cert = m_tls->chain.at(i);
        auto *item =
            new QTreeWidgetItem(m_ui->chainTree, {tr("%1. %2").arg(i + 1).arg(cert.subject)});
        item->setFirstColumnSpanned(true);
        item->setFont(0, bold);
        const std::pair<QString, QString> fields[] = {
            {tr("Subject"), cert.subject},
            {tr("Issuer"), cert.issuer},
            {tr("Valid from"), when(cert.notBefore)},
            {tr("Valid to"), when(cert.notAfter)},
            {tr("SHA-256"), cert.sha256},
        };
        for (const auto &[name, value] : fields) {
            auto *field = new QTreeWidgetItem(item, {name, value});
            field->setToolTip(1, value);
        }
        item->child(4)->setFont(1, fixed);
        item->setExpanded(true);
        rows += 1 + int(std::size(fields));
    }
    m_ui->chainTree->resizeColumnToContents(0);
    // The values whole (a SHA-256 fingerprint is 95 characters): the tree scrolls sideways
    // rather than eliding them.
    m_ui->chainTree->resizeColumnToContents(1);
    // As tall as its rows (a long chain scrolls, a narrow tab scrolls sideways): the heads above
    // keep the room.
    const int rowHeight =
        std::max(m_ui->chainTree->sizeHintForRow(0), QFontMetrics(fixed).lineSpacing());
    m_ui->chainTree->setMaximumHeight(
        std::min(rows, 12) * rowHeight + 2 * m_ui->chainTree->frameWidth() +
        m_ui->chainTree->style()->pixelMetric(QStyle::PM_ScrollBarExtent));
    // In a short tab it gives way first, down to three rows.
    m_ui->chainTree->setMinimumHeight(std::min(rows, 3) * rowHeight +
                                      2 * m_ui->chainTree->frameWidth());
    m_ui->tlsBox->setVisible(true);
    relayout();
}

void HandshakePanel::relayout()
{
    // Sections shown, hidden or resized change the panel's layout: redo it from scratch (the
    // box layout keeps the old height of a section whose contents changed while it was hidden).
    m_ui->tlsBox->updateGeometry();
    m_ui->mainLayout->invalidate();
}

void HandshakePanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange) {
        m_ui->retranslateUi(this);
        showFailure();
        showWarnings();
        showDeflate();
        showTls();
    } else if (event->type() == QEvent::PaletteChange) {
        showFailure();
        showWarnings();
        showDeflate();
    }
}

} // namespace wsi::gui
