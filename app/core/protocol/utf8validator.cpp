// SPDX-License-Identifier: MIT
#include "protocol/utf8validator.h"

#include <cstring>

namespace wsi {

namespace {

constexpr quint64 HighBits = 0x8080808080808080ull;

} // namespace

void Utf8Validator::reset()
{
    *this = Utf8Validator();
}

Utf8Validator::State Utf8Validator::feed(const char *data, qsizetype size)
{
    if (size <= 0)
        return m_state;
    if (m_state == State::Invalid) {
        m_position += size;
        return m_state;
    }

    const auto *p = reinterpret_cast<const uchar *>(data);
    qsizetype i = 0;
    quint8 need = m_need;
    uchar lower = m_lower;
    uchar upper = m_upper;

    while (i < size) {
        if (need == 0) {
            // Between code points: skip ASCII 32, then eight octets at a time.
            while (i + 32 <= size) {
                quint64 words[4];
                std::memcpy(words, p + i, sizeof words);
                if ((words[0] | words[1] | words[2] | words[3]) & HighBits)
                    break;
                i += 32;
            }
            while (i + 8 <= size) {
                quint64 word;
                std::memcpy(&word, p + i, sizeof word);
                if (word & HighBits)
                    break;
                i += 8;
            }
            while (i < size && p[i] < 0x80)
                ++i;
            if (i == size)
                break;
            // A lead octet. The range of the first continuation octet rules out overlong forms
            // (E0, F0), surrogates (ED) and values above U+10FFFF (F4) at the earliest octet,
            // as Hoehrmann's DFA does.
            const uchar c = p[i];
            if (c < 0xC2 || c > 0xF4) {
                // Stray continuation octet, C0/C1 (always overlong) or F5–FF (never used).
                m_errorOffset = m_position + i;
                break;
            }
            if (c < 0xE0) {
                need = 1;
                lower = 0x80;
                upper = 0xBF;
            } else if (c < 0xF0) {
                need = 2;
                lower = c == 0xE0 ? 0xA0 : 0x80;
                upper = c == 0xED ? 0x9F : 0xBF;
            } else {
                need = 3;
                lower = c == 0xF0 ? 0x90 : 0x80;
                upper = c == 0xF4 ? 0x8F : 0xBF;
            }
            ++i;
        } else {
            const uchar c = p[i];
            if (c < lower || c > upper) {
                m_errorOffset = m_position + i;
                break;
            }
            lower = 0x80;
            upper = 0xBF;
            --need;
            ++i;
        }
    }

    m_position += size;
    if (m_errorOffset >= 0) {
        m_state = State::Invalid;
        return m_state;
    }
    m_need = need;
    m_lower = lower;
    m_upper = upper;
    m_state = need == 0 ? State::Valid : State::Incomplete;
    return m_state;
}

qint64 Utf8Validator::firstInvalidOffset(const char *data, qsizetype size)
{
    Utf8Validator validator;
    switch (validator.feed(data, size)) {
    case State::Valid:
        return -1;
    case State::Incomplete:
        return size;
    case State::Invalid:
        break;
    }
    return validator.errorOffset();
}

} // namespace wsi
