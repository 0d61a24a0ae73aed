// SPDX-License-Identifier: MIT
#include "stepdescription.h"

#include "format.h"
#include "protocol/frame.h"
#include "protocol/utf8validator.h"

#include <QLocale>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

[[nodiscard]] QString maskKeyHex(quint32 key)
{
    return u"%1"_s.arg(key, 8, 16, QLatin1Char('0'));
}

} // namespace

QString StepDescription::opcodeName(int opcode)
{
    switch (opcode) {
    case 0x0:
        return tr("Continuation");
    case 0x1:
        return tr("Text");
    case 0x2:
        return tr("Binary");
    case 0x8:
        return tr("Close");
    case 0x9:
        return tr("Ping");
    case 0xA:
        return tr("Pong");
    default:
        break;
    }
    if (opcode < 0 || opcode > 15)
        return tr("Invalid %1").arg(opcode);
    return tr("Reserved %1").arg(opcode);
}

QString StepDescription::opcodeLabel(int opcode)
{
    const QString label =
        u"0x"_s + QString::number(opcode, 16).toUpper() + u"  "_s + opcodeName(opcode);
    return isReservedOpcode(opcode) ? label + u" \u26A0"_s : label;
}

QString StepDescription::closeCodeName(int code)
{
    // RFC 6455 §7.4.1 and the IANA registry, as wsi::closeCodeName(), but translated.
    switch (code) {
    case 1000:
        return tr("Normal Closure");
    case 1001:
        return tr("Going Away");
    case 1002:
        return tr("Protocol Error");
    case 1003:
        return tr("Unsupported Data");
    case 1004:
        return tr("Reserved");
    case 1005:
        return tr("No Status Received");
    case 1006:
        return tr("Abnormal Closure");
    case 1007:
        return tr("Invalid Frame Payload Data");
    case 1008:
        return tr("Policy Violation");
    case 1009:
        return tr("Message Too Big");
    case 1010:
        return tr("Mandatory Extension");
    case 1011:
        return tr("Internal Error");
    case 1012:
        return tr("Service Restart");
    case 1013:
        return tr("Try Again Later");
    case 1014:
        return tr("Bad Gateway");
    case 1015:
        return tr("TLS Handshake");
    default:
        break;
    }
    if (code >= 3000 && code <= 3999)
        return tr("Registered");
    if (code >= 4000 && code <= 4999)
        return tr("Private Use");
    return tr("not a close code");
}

QString StepDescription::closeCodeLabel(int code)
{
    const QString label = QString::number(code) + u' ' + closeCodeName(code);
    if (isValidReceivedCloseCode(code))
        return label;
    return label + u' ' + tr("(invalid on the wire)");
}

QString StepDescription::describe(const wsi::Step &step)
{
    QStringList parts;
    QString preview;
    const auto addWrites = [&parts](int chopSize, int chopDelayMs, bool sync) {
        if (chopSize > 0)
            parts << tr("chop %1").arg(chopSize);
        if (chopDelayMs > 0)
            parts << tr("%1 ms between chops").arg(chopDelayMs);
        if (sync)
            parts << tr("sync");
    };

    switch (step.kind) {
    case Step::Kind::Frame: {
        const FrameSpec &f = step.frame;
        parts << opcodeName(f.opcode) << tr("FIN=%1").arg(f.fin ? 1 : 0);
        if (f.rsv != 0)
            parts << tr("RSV=%1").arg(f.rsv);
        switch (f.maskMode) {
        case MaskMode::Random:
            break;
        case MaskMode::Fixed:
            parts << tr("key %1").arg(maskKeyHex(f.maskKey));
            break;
        case MaskMode::None:
            parts << tr("unmasked");
            break;
        case MaskMode::BitOnly:
            parts << tr("mask bit without key");
            break;
        }
        if (f.repeatLength)
            parts << tr("%1 repeating a pattern of %2")
                         .arg(format::octets(f.wirePayloadLength()),
                              format::octets(f.payload.size()));
        else
            parts << format::octets(f.payload.size());
        switch (f.lengthEncoding) {
        case LengthEncoding::Auto:
            break;
        case LengthEncoding::Bits7:
            parts << tr("7-bit length");
            break;
        case LengthEncoding::Bits16:
            parts << tr("16-bit length");
            break;
        case LengthEncoding::Bits64:
            parts << tr("64-bit length");
            break;
        }
        if (f.declaredLength)
            parts << tr("declares %1").arg(QLocale().toString(qulonglong(*f.declaredLength)));
        addWrites(f.chopSize, step.chopDelayMs, f.sync);
        preview = format::quotedPreview(f.payload);
        return tr("Frame: %1").arg(parts.join(u", "_s)) +
               (preview.isEmpty() ? QString() : u" \u2014 "_s + preview);
    }
    case Step::Kind::Message:
        parts << (step.binary ? tr("Binary message") : tr("Text message"))
              << format::octets(step.payload.size());
        if (step.fragmentSize > 0)
            parts << tr("fragments of %1").arg(step.fragmentSize);
        addWrites(step.chopSize, step.chopDelayMs, step.sync);
        preview = format::quotedPreview(step.payload);
        break;
    case Step::Kind::Ping:
    case Step::Kind::Pong:
        parts << (step.kind == Step::Kind::Ping ? tr("Ping") : tr("Pong"))
              << format::octets(step.payload.size());
        addWrites(step.chopSize, step.chopDelayMs, step.sync);
        preview = format::quotedPreview(step.payload);
        break;
    case Step::Kind::Delay:
        if (step.tag.isEmpty())
            return tr("Delay %1").arg(format::seconds(step.seconds));
        return tr("Delay %1 (tag %2)").arg(format::seconds(step.seconds), step.tag);
    case Step::Kind::Close:
        parts << (step.closeCode ? tr("Close %1").arg(closeCodeLabel(*step.closeCode))
                                 : tr("Close without a code"));
        if (!step.closeReason.isEmpty()) {
            const QString reason = format::quotedPreview(step.closeReason, 40);
            parts << (reason.isEmpty()
                          ? tr("reason of %1").arg(format::octets(step.closeReason.size()))
                          : tr("reason %1").arg(reason));
        }
        break;
    case Step::Kind::Fail:
        return tr("Fail the connection");
    case Step::Kind::Drop:
        return tr("Drop TCP");
    case Step::Kind::HalfClose:
        return tr("Half-close (TCP FIN)");
    case Step::Kind::CloseAfter:
        return tr("Timer: close after %1").arg(format::seconds(step.seconds));
    case Step::Kind::FailAfter:
        return tr("Timer: fail after %1").arg(format::seconds(step.seconds));
    case Step::Kind::TimeoutEvent:
        return tr("Record timeout %1 while open, else stop").arg(step.tag);
    case Step::Kind::FrameHeader: {
        const FrameSpec &f = step.frame;
        const qulonglong declared = f.declaredLength
                                        ? qulonglong(*f.declaredLength)
                                        : qulonglong(f.repeatLength.value_or(f.payload.size()));
        return tr("Frame header only: %1, FIN %2, declares %3")
            .arg(opcodeName(f.opcode), f.fin ? tr("set") : tr("clear"),
                 QLocale().toString(declared));
    }
    case Step::Kind::FrameData:
        parts << tr("Frame data") << format::octets(step.payload.size());
        preview = format::quotedPreview(step.payload);
        break;
    }
    return parts.join(u", "_s) + (preview.isEmpty() ? QString() : u" \u2014 "_s + preview);
}

} // namespace wsi::gui
