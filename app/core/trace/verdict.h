// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace wsi {

// The content verdict of a case, "behavior" in the reports (docs/reports.md §2.1, docs/cases.md
// §3.1). Unimplemented is what a case gives when the server lacks the feature it tests (the
// permessage-deflate groups); no case of groups 1–10 gives it.
enum class Verdict : quint8 {
    Ok,
    NonStrict,
    Failed,
    Informational,
    Unimplemented,
};

// The closing verdict, "behaviorClose" (docs/closing.md §7.2). Pending: the connection is not
// closed yet, so nothing is final (never written to a case report).
enum class CloseVerdict : quint8 {
    Ok,
    Failed,
    Unclean,
    WrongCode,
    FailedByClient,
    Informational,
    Pending,
};

// How a verdict is shown: the colour family of its report cell and of the window's cells.
enum class VerdictTone : quint8 {
    Pass,    // OK
    Almost,  // FAILED BY CLIENT: the close was right, but the server did not close TCP first
    Warning, // NON-STRICT, WRONG CODE
    Info,    // INFORMATIONAL
    Fail,    // FAILED, UNCLEAN
    Neutral, // UNIMPLEMENTED, PENDING, no result
};

// The word of the reports and of the JSON: "OK", "NON-STRICT", "FAILED", "INFORMATIONAL",
// "UNIMPLEMENTED".
[[nodiscard]] QString verdictText(Verdict verdict);
// "OK", "FAILED", "UNCLEAN", "WRONG CODE", "FAILED BY CLIENT", "INFORMATIONAL", "PENDING".
[[nodiscard]] QString verdictText(CloseVerdict verdict);
// The reverse, for reports read back and scenario files; nullopt for any other text.
[[nodiscard]] std::optional<Verdict> verdictFromText(QStringView text);
[[nodiscard]] std::optional<CloseVerdict> closeVerdictFromText(QStringView text);

// The master table's content cell word (docs/reports.md §2.1): Pass, Non-Strict, Fail, Info,
// Unimplemented.
[[nodiscard]] QString verdictCellWord(Verdict verdict);
// The detail page's and the text report's word: as the cell, but "Informational".
[[nodiscard]] QString verdictWord(Verdict verdict);

[[nodiscard]] VerdictTone verdictTone(Verdict verdict);
[[nodiscard]] VerdictTone verdictTone(CloseVerdict verdict);

// The one pass rule (the CLI's exit status, the case browser's pass count): a case passes when
// its content verdict is OK, NON-STRICT or INFORMATIONAL, as the reference's master table counts
// it; the closing verdict does not decide it.
[[nodiscard]] constexpr bool isPassing(Verdict verdict)
{
    return verdict == Verdict::Ok || verdict == Verdict::NonStrict ||
           verdict == Verdict::Informational;
}

} // namespace wsi
