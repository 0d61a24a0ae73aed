// SPDX-License-Identifier: MIT
#include "trace/framediff.h"

#include <QHash>

#include <algorithm>

namespace wsi {

namespace {

// The alignment works on one key per frame: what the frame is (its opcode and the payload it
// carried), not how it was written (flags, masking, length encoding), so that a frame whose
// flags changed still lines up with its counterpart and its changes are reported field by field.
quint64 alignmentKey(const Trace &trace, const FrameRecord &frame)
{
    const QByteArray head = wirePayload(trace, frame, FrameDiffOptions::kKeyPayloadOctets);
    return quint64(qHashMulti(0, frame.opcode, wirePayloadSize(frame), head));
}

struct Side
{
    std::vector<qint64> frames; // indices into Trace::frames() of one direction
    std::vector<quint64> keys;
};

Side sideOf(const Trace &trace, Direction direction)
{
    Side side;
    const FrameVector &frames = trace.frames();
    for (size_t i = 0; i < frames.size(); ++i) {
        if (frames[i].direction != direction)
            continue;
        side.frames.push_back(qint64(i));
        side.keys.push_back(alignmentKey(trace, frames[i]));
    }
    return side;
}

// One step of an alignment: a frame on both sides with the same key, or on one side.
enum class Step : quint8 { Match, LeftOnly, RightOnly };

// Myers' greedy shortest edit script (1986) over a[0, n) and b[0, m), keeping each round's
// furthest reaching points to walk the script back. False when it needs more than maxD edits
// or more than maxWork key comparisons: the caller then pairs by position.
bool shortestEdit(const quint64 *a, qint64 n, const quint64 *b, qint64 m, int maxD, qint64 maxWork,
                  std::vector<Step> &script)
{
    // rounds[d][k + d]: the furthest x on diagonal k (y = x - k) with d edits, -1 if none. Moves
    // never leave the grid, so every point kept is a real position of both sequences.
    std::vector<std::vector<qint32>> rounds;
    // The start of round d's point on diagonal k: from round d - 1, one frame only on the right
    // (down, from diagonal k + 1) or only on the left (right, from k - 1), whichever is further.
    const auto start = [&](qint64 d, qint64 k, bool &down) -> qint64 {
        const std::vector<qint32> &prev = rounds[size_t(d - 1)];
        const auto at = [&](qint64 kk) -> qint64 {
            return kk < -(d - 1) || kk > d - 1 ? -1 : qint64(prev[size_t(kk + d - 1)]);
        };
        const qint64 fromAbove = at(k + 1); // its y + 1 must stay within b
        const qint64 fromLeft = at(k - 1);  // its x + 1 must stay within a
        const qint64 xDown = fromAbove >= 0 && fromAbove - (k + 1) < m ? fromAbove : -1;
        const qint64 xRight = fromLeft >= 0 && fromLeft < n ? fromLeft + 1 : -1;
        down = xDown >= xRight;
        return std::max(xDown, xRight);
    };
    qint64 work = 0;
    const qint64 limit = std::min<qint64>(n + m, maxD);
    for (qint64 d = 0; d <= limit; ++d) {
        rounds.emplace_back(size_t(2 * d + 1), -1);
        for (qint64 k = -d; k <= d; k += 2) {
            bool down = false;
            qint64 x = d == 0 ? 0 : start(d, k, down);
            if (x < 0)
                continue;
            qint64 y = x - k;
            const qint64 snakeStart = x;
            while (x < n && y < m && a[x] == b[y]) {
                ++x;
                ++y;
            }
            work += 1 + (x - snakeStart);
            rounds[size_t(d)][size_t(k + d)] = qint32(x);
            if (x == n && y == m) {
                // Walk back from (n, m): each round one edit and the matches that followed it.
                std::vector<Step> reversed;
                qint64 cx = n, cy = m;
                for (qint64 r = d; r > 0; --r) {
                    const qint64 ck = cx - cy;
                    bool wentDown = false;
                    const qint64 sx = start(r, ck, wentDown); // where the matches began
                    for (qint64 i = 0; i < cx - sx; ++i)
                        reversed.push_back(Step::Match);
                    reversed.push_back(wentDown ? Step::RightOnly : Step::LeftOnly);
                    cx = wentDown ? sx : sx - 1;
                    cy = cx - (wentDown ? ck + 1 : ck - 1);
                }
                for (qint64 i = 0; i < cx; ++i) // round 0: matches from the start
                    reversed.push_back(Step::Match);
                script.assign(reversed.rbegin(), reversed.rend());
                return true;
            }
            if (work > maxWork)
                return false;
        }
    }
    return false;
}

// Positions alike compared side by side, the longer side's rest on its own.
void pairByPosition(qint64 n, qint64 m, std::vector<Step> &script)
{
    script.clear();
    for (qint64 i = 0; i < std::min(n, m); ++i)
        script.push_back(Step::Match);
    for (qint64 i = m; i < n; ++i)
        script.push_back(Step::LeftOnly);
    for (qint64 i = n; i < m; ++i)
        script.push_back(Step::RightOnly);
}

int octetAt(const QByteArray &kept, qint64 size, qint64 offset)
{
    if (offset >= size)
        return kPayloadEnded;
    if (offset >= kept.size())
        return kPayloadNotKept;
    return quint8(kept[qsizetype(offset)]);
}

void comparePayloads(const Trace &lt, const FrameRecord &l, const Trace &rt, const FrameRecord &r,
                     FrameDiffRow &row)
{
    const qint64 ls = wirePayloadSize(l);
    const qint64 rs = wirePayloadSize(r);
    const QByteArray lp = wirePayload(lt, l);
    const QByteArray rp = wirePayload(rt, r);
    const qint64 kept = std::min(lp.size(), rp.size());
    const auto mismatch = std::mismatch(lp.cbegin(), lp.cbegin() + kept, rp.cbegin());
    qint64 at = -1;
    if (mismatch.first != lp.cbegin() + kept) {
        at = mismatch.first - lp.cbegin();
    } else if (ls != rs) {
        // Equal as far as both were kept; they differ at the shorter one's end at the latest.
        const qint64 end = std::min(ls, rs);
        if (kept >= end) {
            at = end;
        } else {
            row.differs |= FrameField::Payload; // the sizes differ; where first is not known
            row.payloadOffset = -1;
            return;
        }
    } else if (lp.size() < ls || rp.size() < rs) {
        row.unknown |= FrameField::Payload;
        row.payloadOffset = kept;
        return;
    }
    if (at < 0)
        return;
    row.differs |= FrameField::Payload;
    row.payloadOffset = at;
    row.leftOctet = octetAt(lp, ls, at);
    row.rightOctet = octetAt(rp, rs, at);
}

} // namespace

FrameDiffRow compareFrames(const Trace &leftTrace, const FrameRecord &left, const Trace &rightTrace,
                           const FrameRecord &right, const FrameDiffOptions &options)
{
    FrameDiffRow row;
    row.direction = left.direction;
    const auto mark = [&row](FrameField field, bool differs) {
        if (differs)
            row.differs |= field;
    };
    mark(FrameField::Opcode, left.opcode != right.opcode);
    mark(FrameField::PayloadLength, left.payloadLength != right.payloadLength);
    mark(FrameField::Violations, left.violations != right.violations);
    if (frameOctetsUnknown(left) || frameOctetsUnknown(right)) {
        // A file of messages knows no header: one message is shown as one frame, and its flags,
        // masking and length field are not the wire's.
        row.unknown |= FrameField::Fin | FrameField::Rsv1 | FrameField::Rsv2 | FrameField::Rsv3 |
                       FrameField::MaskBit | FrameField::MaskKey | FrameField::LengthEncoding;
    } else {
        mark(FrameField::Fin, left.fin != right.fin);
        mark(FrameField::Rsv1, ((left.rsv ^ right.rsv) & 4) != 0);
        mark(FrameField::Rsv2, ((left.rsv ^ right.rsv) & 2) != 0);
        mark(FrameField::Rsv3, ((left.rsv ^ right.rsv) & 1) != 0);
        mark(FrameField::MaskBit, left.masked != right.masked);
        const auto random = [](const FrameRecord &f) {
            return f.tx && f.tx->maskMode == MaskMode::Random;
        };
        const bool bothRandom = left.hasKey && right.hasKey && random(left) && random(right);
        if (!bothRandom || options.compareRandomMaskKeys)
            mark(FrameField::MaskKey,
                 left.hasKey != right.hasKey || (left.hasKey && left.maskKey != right.maskKey));
        mark(FrameField::LengthEncoding, left.extendedLengthSize != right.extendedLengthSize);
    }
    comparePayloads(leftTrace, left, rightTrace, right, row);
    row.kind = row.differs ? FrameDiffRow::Kind::Differs : FrameDiffRow::Kind::Equal;
    return row;
}

FrameDiff diffFrames(const Trace &left, const Trace &right, const FrameDiffOptions &options)
{
    FrameDiff diff;
    std::vector<FrameDiffRow> byDirection[2];
    for (const Direction direction : {Direction::Tx, Direction::Rx}) {
        const Side l = sideOf(left, direction);
        const Side r = sideOf(right, direction);
        const qint64 n = qint64(l.keys.size());
        const qint64 m = qint64(r.keys.size());
        // The common start and end cost nothing to align; only what lies between is searched.
        qint64 head = 0;
        while (head < n && head < m && l.keys[size_t(head)] == r.keys[size_t(head)])
            ++head;
        qint64 tail = 0;
        while (tail < n - head && tail < m - head &&
               l.keys[size_t(n - 1 - tail)] == r.keys[size_t(m - 1 - tail)])
            ++tail;
        std::vector<Step> middle;
        const qint64 mn = n - head - tail;
        const qint64 mm = m - head - tail;
        if (!shortestEdit(l.keys.data() + head, mn, r.keys.data() + head, mm,
                          options.maxEditDistance, options.maxAlignmentWork, middle)) {
            pairByPosition(mn, mm, middle);
            diff.aligned[int(direction)] = false;
        }
        std::vector<Step> script(size_t(head), Step::Match);
        script.insert(script.end(), middle.begin(), middle.end());
        script.insert(script.end(), size_t(tail), Step::Match);

        // A frame changed in place is one row that says what changed, not a frame removed and
        // one added.
        std::vector<FrameDiffRow> &rows = byDirection[int(direction)];
        qint64 li = 0, ri = 0;
        std::vector<qint64> lonelyLeft, lonelyRight;
        const auto pairRow = [&](qint64 a, qint64 b) {
            FrameDiffRow row = compareFrames(left, left.frames()[size_t(a)], right,
                                             right.frames()[size_t(b)], options);
            row.left = a;
            row.right = b;
            rows.push_back(row);
        };
        const auto onlyRow = [&](FrameDiffRow::Kind kind, qint64 frame) {
            FrameDiffRow row;
            row.kind = kind;
            row.direction = direction;
            (kind == FrameDiffRow::Kind::OnlyLeft ? row.left : row.right) = frame;
            rows.push_back(row);
        };
        // Frames between two aligned ones: those of the same opcode line up (a text frame
        // changed in place pairs with the changed text frame, a close with the close); what
        // is left between those pairs by position, and the rest is on one side only.
        const auto flush = [&] {
            if (lonelyLeft.empty() && lonelyRight.empty())
                return;
            std::vector<quint64> lo, ro;
            for (const qint64 i : lonelyLeft)
                lo.push_back(left.frames()[size_t(i)].opcode);
            for (const qint64 i : lonelyRight)
                ro.push_back(right.frames()[size_t(i)].opcode);
            std::vector<Step> byOpcode;
            if (!shortestEdit(lo.data(), qint64(lo.size()), ro.data(), qint64(ro.size()),
                              options.maxEditDistance, options.maxAlignmentWork, byOpcode))
                pairByPosition(qint64(lo.size()), qint64(ro.size()), byOpcode);
            size_t a = 0, b = 0;
            std::vector<qint64> restLeft, restRight;
            const auto flushRest = [&] {
                const size_t paired = std::min(restLeft.size(), restRight.size());
                for (size_t i = 0; i < paired; ++i)
                    pairRow(restLeft[i], restRight[i]);
                for (size_t i = paired; i < restLeft.size(); ++i)
                    onlyRow(FrameDiffRow::Kind::OnlyLeft, restLeft[i]);
                for (size_t i = paired; i < restRight.size(); ++i)
                    onlyRow(FrameDiffRow::Kind::OnlyRight, restRight[i]);
                restLeft.clear();
                restRight.clear();
            };
            for (const Step step : byOpcode) {
                if (step == Step::Match) {
                    flushRest();
                    pairRow(lonelyLeft[a++], lonelyRight[b++]);
                } else if (step == Step::LeftOnly) {
                    restLeft.push_back(lonelyLeft[a++]);
                } else {
                    restRight.push_back(lonelyRight[b++]);
                }
            }
            flushRest();
            lonelyLeft.clear();
            lonelyRight.clear();
        };
        for (const Step step : script) {
            switch (step) {
            case Step::Match:
                flush();
                pairRow(l.frames[size_t(li++)], r.frames[size_t(ri++)]);
                break;
            case Step::LeftOnly:
                lonelyLeft.push_back(l.frames[size_t(li++)]);
                break;
            case Step::RightOnly:
                lonelyRight.push_back(r.frames[size_t(ri++)]);
                break;
            }
        }
        flush();
    }

    // One list, as the frame table shows a connection: each direction keeps its order, and the
    // two interleave by time on the left connection's clock. A frame only on the right is put
    // on it by the offset between the two clocks at the pair before it in its direction.
    std::vector<qint64> times[2];
    for (const Direction direction : {Direction::Tx, Direction::Rx}) {
        qint64 offset = 0; // left time minus right time at the last pair
        for (const FrameDiffRow &row : byDirection[int(direction)]) {
            if (row.left >= 0 && row.right >= 0)
                offset = left.frames()[size_t(row.left)].timeNs -
                         right.frames()[size_t(row.right)].timeNs;
            times[int(direction)].push_back(
                row.left >= 0 ? left.frames()[size_t(row.left)].timeNs
                              : right.frames()[size_t(row.right)].timeNs + offset);
        }
    }
    const std::vector<FrameDiffRow> &tx = byDirection[int(Direction::Tx)];
    const std::vector<FrameDiffRow> &rx = byDirection[int(Direction::Rx)];
    const std::vector<qint64> &txTimes = times[int(Direction::Tx)];
    const std::vector<qint64> &rxTimes = times[int(Direction::Rx)];
    diff.rows.reserve(tx.size() + rx.size());
    size_t t = 0, x = 0;
    while (t < tx.size() || x < rx.size()) {
        const bool takeTx = x >= rx.size() || (t < tx.size() && txTimes[t] <= rxTimes[x]);
        diff.rows.push_back(takeTx ? tx[t++] : rx[x++]);
    }
    for (const FrameDiffRow &row : diff.rows) {
        switch (row.kind) {
        case FrameDiffRow::Kind::Equal:
            ++diff.summary.equal;
            break;
        case FrameDiffRow::Kind::Differs:
            ++diff.summary.differing;
            break;
        case FrameDiffRow::Kind::OnlyLeft:
            ++diff.summary.onlyLeft;
            break;
        case FrameDiffRow::Kind::OnlyRight:
            ++diff.summary.onlyRight;
            break;
        }
        if (row.unknown)
            ++diff.summary.withUnknown;
    }
    return diff;
}

ClosingSide closingSideOf(const Trace &trace)
{
    ClosingSide side;
    side.behavior = analyzeClosing(trace);
    side.verdict = sessionClosingVerdict(trace, side.behavior);
    return side;
}

std::vector<ClosingDifference> diffClosing(const ClosingSide &left, const ClosingSide &right)
{
    std::vector<ClosingDifference> out;
    const auto add = [&out](const QString &field, const QString &l, const QString &r) {
        if (l != r)
            out.push_back({field, l, r});
    };
    // The values as the report writes them: the comparison says what the two reports would.
    for (const ClosingField &field : closingFields())
        add(QString::fromLatin1(field.key), closingFieldValue(left.behavior, field.key),
            closingFieldValue(right.behavior, field.key));
    add(QStringLiteral("behaviorClose"), verdictText(left.verdict.verdict),
        verdictText(right.verdict.verdict));
    add(QStringLiteral("resultClose"), left.verdict.text, right.verdict.text);
    add(QStringLiteral("tcpEnd"), tcpEndDescription(left.behavior),
        tcpEndDescription(right.behavior));
    return out;
}

} // namespace wsi
