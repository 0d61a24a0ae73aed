// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>

namespace wsi::test {

// "81 05 48 65" → octets; spaces ignored.
inline QByteArray hex(const char *spaced)
{
    return QByteArray::fromHex(QByteArray(spaced).replace(' ', QByteArray()));
}

} // namespace wsi::test
