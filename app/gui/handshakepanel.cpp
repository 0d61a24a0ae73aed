// SPDX-License-Identifier: MIT
#include "handshakepanel.h"
#include "monospacefont.h"

#include "ui_handshakepanel.h"

#include <QFontDatabase>

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

} // namespace

HandshakePanel::HandshakePanel(QWidget *parent)
    : QWidget(parent), m_ui(std::make_unique<Ui::HandshakePanel>())
{
    m_ui->setupUi(this);
    const QFont fixed = monospaceFont();
    m_ui->requestEdit->setFont(fixed);
    m_ui->responseEdit->setFont(fixed);
    m_ui->requestEdit->setPlaceholderText(tr("No request sent yet."));
    m_ui->responseEdit->setPlaceholderText(tr("No response received yet."));
    // A few errors at most: the list stays small and the heads get the room.
    m_ui->certificateList->setMaximumHeight(fontMetrics().height() * 6);
    clear();
}

HandshakePanel::~HandshakePanel() = default;

void HandshakePanel::clear()
{
    setHandshake({}, {});
}

void HandshakePanel::setTrace(const Trace &trace)
{
    QString request;
    QString response;
    QString failure;
    QStringList certificateErrors;
    for (const TraceEvent &event : trace.events()) {
        using Kind = TraceEvent::Kind;
        switch (event.kind) {
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
}

void HandshakePanel::setHandshake(const QString &request, const QString &response,
                                  const QString &failure, const QStringList &certificateErrors)
{
    setTextIfChanged(m_ui->requestEdit, displayHead(request));
    setTextIfChanged(m_ui->responseEdit, displayHead(response));
    m_failure = failure;
    showFailure();
    if (certificateErrors != m_certificateErrors) {
        m_certificateErrors = certificateErrors;
        m_ui->certificateList->clear();
        m_ui->certificateList->addItems(certificateErrors);
    }
    m_ui->certificateBox->setVisible(!m_certificateErrors.isEmpty());
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
    const bool dark = pal.color(QPalette::Window).lightnessF() < 0.5;
    pal.setColor(QPalette::WindowText, dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xcf, 0x22, 0x2e));
    m_ui->failureLabel->setPalette(pal);
}

void HandshakePanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange) {
        m_ui->retranslateUi(this);
        showFailure();
    } else if (event->type() == QEvent::PaletteChange) {
        showFailure();
    }
}

} // namespace wsi::gui
