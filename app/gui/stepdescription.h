// SPDX-License-Identifier: MIT
#pragma once

#include "session/step.h"

#include <QCoreApplication>
#include <QString>

namespace wsi::gui {

// One-line, translated descriptions of steps, opcodes and close codes, shared by the composer and
// the sequence editor so that both speak about a frame in the same words.
class StepDescription final
{
    Q_DECLARE_TR_FUNCTIONS(wsi::gui::StepDescription)

public:
    StepDescription() = delete;

    // "Frame: Text, FIN=0, RSV=6, 9 octets, chop 1, sync — “fragment1”"
    [[nodiscard]] static QString describe(const wsi::Step &step);
    // "Text", "Reserved 3", … (translated protocol names).
    [[nodiscard]] static QString opcodeName(int opcode);
    // "0x1  Text", "0x3  Reserved 3 ⚠" for the opcode combo box.
    [[nodiscard]] static QString opcodeLabel(int opcode);
    // "Normal Closure", …, "not a close code".
    [[nodiscard]] static QString closeCodeName(int code);
    // "1000 Normal Closure", "1005 No Status Received (invalid on the wire)".
    [[nodiscard]] static QString closeCodeLabel(int code);
};

} // namespace wsi::gui
