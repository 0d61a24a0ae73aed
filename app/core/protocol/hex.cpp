// SPDX-License-Identifier: MIT
#include "protocol/hex.h"

using namespace Qt::StringLiterals;

namespace wsi {

QString HexError::message() const
{
    switch (kind) {
    case Kind::None:
        break;
    case Kind::BadCharacter:
        return u"'"_s + QString::fromUcs4(&character, 1) + u"' is not a hex digit (position "_s +
               QString::number(position) + u')';
    case Kind::OddDigitCount:
        return u"odd number of hex digits (%1): every octet needs two"_s.arg(digits);
    }
    return {};
}

HexError parseHex(QStringView text, QByteArray &out)
{
    HexError error;
    QByteArray octets;
    octets.reserve(text.size() / 2);
    int high = -1; // the first digit of an octet, while waiting for the second
    qsizetype digits = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        const int value = hexDigitValue(c.unicode());
        if (value >= 0) {
            ++digits;
            if (high < 0) {
                high = value;
            } else {
                octets.append(char(high << 4 | value));
                high = -1;
            }
            continue;
        }
        if (c.isSpace())
            continue;
        error.kind = HexError::Kind::BadCharacter;
        error.position = i + 1;
        error.character = c.unicode();
        if (c.isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate())
            error.character = QChar::surrogateToUcs4(c, text[i + 1]);
        return error;
    }
    if (high >= 0) {
        error.kind = HexError::Kind::OddDigitCount;
        error.digits = digits;
        return error;
    }
    out = octets;
    return error;
}

bool isHexDigits(QStringView text)
{
    if (text.isEmpty())
        return false;
    for (const QChar c : text) {
        if (hexDigitValue(c.unicode()) < 0)
            return false;
    }
    return true;
}

std::optional<quint32> parseMaskKey(QStringView text)
{
    QByteArray octets;
    if (!parseHex(text, octets).ok() || octets.size() != 4)
        return std::nullopt;
    return quint32(uchar(octets[0])) << 24 | quint32(uchar(octets[1])) << 16 |
           quint32(uchar(octets[2])) << 8 | quint32(uchar(octets[3]));
}

} // namespace wsi
