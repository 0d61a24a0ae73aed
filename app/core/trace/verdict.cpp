// SPDX-License-Identifier: MIT
#include "trace/verdict.h"

#include <array>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

constexpr std::array<std::pair<Verdict, QStringView>, 5> kVerdictTexts{{
    {Verdict::Ok, u"OK"},
    {Verdict::NonStrict, u"NON-STRICT"},
    {Verdict::Failed, u"FAILED"},
    {Verdict::Informational, u"INFORMATIONAL"},
    {Verdict::Unimplemented, u"UNIMPLEMENTED"},
}};

constexpr std::array<std::pair<CloseVerdict, QStringView>, 7> kCloseVerdictTexts{{
    {CloseVerdict::Ok, u"OK"},
    {CloseVerdict::Failed, u"FAILED"},
    {CloseVerdict::Unclean, u"UNCLEAN"},
    {CloseVerdict::WrongCode, u"WRONG CODE"},
    {CloseVerdict::FailedByClient, u"FAILED BY CLIENT"},
    {CloseVerdict::Informational, u"INFORMATIONAL"},
    {CloseVerdict::Pending, u"PENDING"},
}};

template <typename Enum, size_t N>
QString textOf(const std::array<std::pair<Enum, QStringView>, N> &table, Enum value)
{
    for (const auto &[v, text] : table) {
        if (v == value)
            return text.toString();
    }
    return {};
}

template <typename Enum, size_t N>
std::optional<Enum> valueOf(const std::array<std::pair<Enum, QStringView>, N> &table,
                            QStringView text)
{
    for (const auto &[v, t] : table) {
        if (t == text)
            return v;
    }
    return std::nullopt;
}

} // namespace

QString verdictText(Verdict verdict)
{
    return textOf(kVerdictTexts, verdict);
}

QString verdictText(CloseVerdict verdict)
{
    return textOf(kCloseVerdictTexts, verdict);
}

std::optional<Verdict> verdictFromText(QStringView text)
{
    return valueOf(kVerdictTexts, text);
}

std::optional<CloseVerdict> closeVerdictFromText(QStringView text)
{
    return valueOf(kCloseVerdictTexts, text);
}

QString verdictCellWord(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Ok:
        return u"Pass"_s;
    case Verdict::NonStrict:
        return u"Non-Strict"_s;
    case Verdict::Informational:
        return u"Info"_s;
    case Verdict::Unimplemented:
        return u"Unimplemented"_s;
    case Verdict::Failed:
        break;
    }
    return u"Fail"_s;
}

QString verdictWord(Verdict verdict)
{
    return verdict == Verdict::Informational ? u"Informational"_s : verdictCellWord(verdict);
}

VerdictTone verdictTone(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Ok:
        return VerdictTone::Pass;
    case Verdict::NonStrict:
        return VerdictTone::Warning;
    case Verdict::Informational:
        return VerdictTone::Info;
    case Verdict::Unimplemented:
        return VerdictTone::Neutral;
    case Verdict::Failed:
        break;
    }
    return VerdictTone::Fail;
}

VerdictTone verdictTone(CloseVerdict verdict)
{
    switch (verdict) {
    case CloseVerdict::Ok:
        return VerdictTone::Pass;
    case CloseVerdict::FailedByClient:
        return VerdictTone::Almost;
    case CloseVerdict::WrongCode:
        return VerdictTone::Warning;
    case CloseVerdict::Informational:
        return VerdictTone::Info;
    case CloseVerdict::Pending:
        return VerdictTone::Neutral;
    case CloseVerdict::Failed:
    case CloseVerdict::Unclean:
        break;
    }
    return VerdictTone::Fail;
}

} // namespace wsi
