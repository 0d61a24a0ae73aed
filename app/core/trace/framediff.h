// SPDX-License-Identifier: MIT
#pragma once

#include "trace/closing.h"
#include "trace/trace.h"

#include <QFlags>
#include <QString>

#include <vector>

// Two connections' frames compared (docs/captures.md §7): the frames of each direction aligned
// with the other trace's frames of that direction, and for each pair what differs. The window's
// Compare view shows this and nothing else, so the rules live here.
namespace wsi {

// What a pair of frames can differ in.
enum class FrameField : quint16 {
    None = 0,
    Opcode = 1 << 0,
    Fin = 1 << 1,
    Rsv1 = 1 << 2,
    Rsv2 = 1 << 3,
    Rsv3 = 1 << 4,
    MaskBit = 1 << 5,
    MaskKey = 1 << 6,        // the key, or that one frame has a key and the other none
    PayloadLength = 1 << 7,  // the header's length field
    LengthEncoding = 1 << 8, // 7-bit, 16-bit or 64-bit length field
    Payload = 1 << 9,        // the unmasked wire payload's octets (or its size)
    Violations = 1 << 10,    // the rules the frame breaks
};
Q_DECLARE_FLAGS(FrameFields, FrameField)
Q_DECLARE_OPERATORS_FOR_FLAGS(FrameFields)

struct FrameDiffOptions
{
    // A key chosen at random by the sender (MaskMode::Random, on both frames) differs between
    // two runs by design: it is not counted as a difference unless asked to.
    bool compareRandomMaskKeys = false;
    // The alignment's bounds. Its memory grows with the square of the edit distance (the
    // frames inserted or removed between the common start and end) and its time with the frames
    // times that distance; past either bound the frames in between are paired by their position.
    int maxEditDistance = kMaxEditDistance;
    qint64 maxAlignmentWork = kMaxAlignmentWork;

    static constexpr int kMaxEditDistance = 2000;            // ≤ 16 MiB of alignment state
    static constexpr qint64 kMaxAlignmentWork = 400'000'000; // frame comparisons
    static constexpr qint64 kKeyPayloadOctets = 4096;        // hashed into the alignment key
};

// Octet values of FrameDiffRow::leftOctet and rightOctet besides 0–255.
inline constexpr int kPayloadEnded = -1;   // that payload ends before the offset
inline constexpr int kPayloadNotKept = -2; // the trace did not keep the octet

// One row of the comparison: a frame of each side, or a frame on one side only.
struct FrameDiffRow
{
    enum class Kind : quint8 { Equal, Differs, OnlyLeft, OnlyRight };

    Kind kind = Kind::Equal;
    Direction direction = Direction::Tx;
    qint64 left = -1;  // index into the left trace's frames(), -1 for OnlyRight
    qint64 right = -1; // index into the right trace's frames(), -1 for OnlyLeft
    FrameFields differs;
    // Fields that cannot be compared: a frame read from a file of messages (frameOctetsUnknown())
    // has no known FIN, RSV, mask or length encoding; a payload not kept by the trace is not
    // known beyond what was kept. An unknown field is never counted as a difference.
    FrameFields unknown;
    // Payload in `differs`: the first payload offset where they differ, and each side's octet
    // there (0–255, kPayloadEnded, kPayloadNotKept); -1 when the payloads' sizes differ but the
    // octets up to the shorter end were not all kept. Payload in `unknown`: the octets compared
    // (equal) before what was not kept.
    qint64 payloadOffset = -1;
    int leftOctet = kPayloadEnded;
    int rightOctet = kPayloadEnded;

    [[nodiscard]] bool isDifference() const { return kind != Kind::Equal; }
};

struct FrameDiffSummary
{
    qint64 equal = 0;
    qint64 differing = 0;
    qint64 onlyLeft = 0;
    qint64 onlyRight = 0;
    qint64 withUnknown = 0; // pairs (equal or not) with a field that could not be compared

    [[nodiscard]] qint64 differences() const { return differing + onlyLeft + onlyRight; }
};

// One field of the closing behaviour that differs, with each side's value as the reports write
// it. `field` is the report's name: one of closingFields()' keys, "behaviorClose" (the closing
// verdict), "resultClose" (its text) or "tcpEnd" (how TCP ended, tcpEndDescription()).
struct ClosingDifference
{
    QString field;
    QString left;
    QString right;
};

// A connection's closing behaviour and the verdict it is shown with (a case's own verdict, or
// the free session's, see closingSideOf()).
struct ClosingSide
{
    ClosingBehavior behavior;
    ClosingVerdict verdict;
};
// analyzeClosing() and sessionClosingVerdict() of the trace: a free session's closing.
[[nodiscard]] ClosingSide closingSideOf(const Trace &trace);

struct FrameDiff
{
    // Both directions, each in its frames' order, merged by time (the left frame's, else the
    // right one's).
    std::vector<FrameDiffRow> rows;
    FrameDiffSummary summary;
    // Per direction (Direction as index): the frames were aligned; false when the bounds of
    // FrameDiffOptions were passed and the frames between the common start and end were paired
    // by their position instead.
    bool aligned[2] = {true, true};
};

// Compares two frames of the same direction (row.left and row.right are left at -1).
[[nodiscard]] FrameDiffRow compareFrames(const Trace &leftTrace, const FrameRecord &left,
                                         const Trace &rightTrace, const FrameRecord &right,
                                         const FrameDiffOptions &options = {});

// The frames of both traces compared, direction by direction: each direction's frames are
// aligned on their opcode and payload (a frame inserted or missing on one side is a row of its
// own, and the frames after it still pair with their counterparts), and frames that do not
// align with a counterpart between two that do are paired in order.
[[nodiscard]] FrameDiff diffFrames(const Trace &left, const Trace &right,
                                   const FrameDiffOptions &options = {});

// The closing-behaviour fields that differ, in the report's order, then the verdict and how
// TCP ended. Empty when the two closed alike.
[[nodiscard]] std::vector<ClosingDifference> diffClosing(const ClosingSide &left,
                                                         const ClosingSide &right);

} // namespace wsi
