// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

namespace wsi {

// Incremental, fail-fast UTF-8 validator (RFC 3629 as RFC 6455 §8.1 requires): rejects at the
// earliest impossible octet, e.g. E0 must be followed by A0–BF, ED by 80–9F, F0 by 90–BF,
// F4 by 80–8F; C0, C1, F5–FF never occur. Noncharacters are valid.
class Utf8Validator
{
public:
    enum class State : quint8 { Valid, Incomplete, Invalid };

    void reset();
    // Feeds more octets. Returns the state after them. Once Invalid, stays Invalid.
    State feed(const char *data, qsizetype size);
    [[nodiscard]] State state() const { return m_state; }
    // Total octets fed so far (across feed() calls).
    [[nodiscard]] qint64 position() const { return m_position; }
    // Offset (from the first octet fed after reset()) of the first impossible octet, or -1.
    [[nodiscard]] qint64 errorOffset() const { return m_errorOffset; }
    // True if the octets fed so far end on a code-point boundary and are valid.
    [[nodiscard]] bool isCompleteAndValid() const { return m_state == State::Valid; }

    // One-shot helper: -1 if `data` is complete valid UTF-8, else the offset of the first bad
    // octet (data.size() when it ends inside a code point).
    [[nodiscard]] static qint64 firstInvalidOffset(const char *data, qsizetype size);

private:
    State m_state = State::Valid;
    quint8 m_need = 0;     // continuation octets still needed
    quint8 m_lower = 0x80; // allowed range of the next continuation octet
    quint8 m_upper = 0xBF;
    qint64 m_position = 0;
    qint64 m_errorOffset = -1;
};

} // namespace wsi
