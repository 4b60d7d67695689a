import Foundation

/// Validated reviews kept compactly while a large file arrives (the daemon's streamed import):
/// one 56-byte row per review and every comment's text in one shared buffer, instead of a
/// `ReviewSubmission` of 96 bytes plus a separately allocated string per comment. 150,000 reviews
/// take about 11 MB. Reads back as `ReviewSubmission` values, in the order they were appended.
public struct ReviewSubmissions: RandomAccessCollection, Sendable {
    struct Row: Sendable {
        var line: Int32
        var flags: UInt8
        var role: UInt8
        var hasil: UInt8
        var scores: UInt64
        var id: Int64
        var subject: UInt64
        var reviewer: UInt64
        var submittedAt: Double
        var commentStart: Int32
        var commentLength: Int32
    }

    static let hasID: UInt8 = 1, hasKey: UInt8 = 2, hasTime: UInt8 = 4, hasComment: UInt8 = 8

    private var rows: [Row] = []
    private var text: [UInt8] = []

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { rows.count }

    mutating func reserveCapacity(_ count: Int) {
        rows.reserveCapacity(count)
    }

    mutating func append(_ s: ReviewSubmission) {
        var row = Row(line: Int32(clamping: s.line), flags: 0, role: 0, hasil: 0, scores: s.review.scores.packed, id: 0,
                      subject: 0, reviewer: 0, submittedAt: 0, commentStart: 0, commentLength: 0)
        if let id = s.reference.id {
            row.flags |= Self.hasID
            row.id = id
        }
        if let key = s.reference.key {
            row.flags |= Self.hasKey
            row.subject = key.subject.value
            row.reviewer = key.reviewer.value
            row.role = UInt8(ReviewerRole.allCases.firstIndex(of: key.role)!)
        }
        if let at = s.submittedAt {
            row.flags |= Self.hasTime
            row.submittedAt = at.timeIntervalSince1970
        }
        if let h = s.review.hasilKerja { row.hasil = UInt8(Rating.allCases.firstIndex(of: h)! + 1) }
        if let comment = s.review.comment {
            row.flags |= Self.hasComment
            row.commentStart = Int32(text.count)
            text.append(contentsOf: comment.utf8)
            row.commentLength = Int32(text.count) - row.commentStart
        }
        rows.append(row)
    }

    public subscript(position: Int) -> ReviewSubmission {
        let row = rows[position]
        var key: AssignmentKey?
        if row.flags & Self.hasKey != 0 {
            key = AssignmentKey(subject: NIP(unchecked: row.subject), reviewer: NIP(unchecked: row.reviewer),
                                role: ReviewerRole.allCases[Int(row.role)])
        }
        var comment: String?
        if row.flags & Self.hasComment != 0 {
            let start = Int(row.commentStart)
            comment = String(decoding: text[start..<(start + Int(row.commentLength))], as: UTF8.self)
        }
        return ReviewSubmission(
            line: Int(row.line),
            reference: AssignmentReference(id: row.flags & Self.hasID != 0 ? row.id : nil, key: key),
            review: Review(scores: BerAKHLAKScores(packed: row.scores), comment: comment,
                           hasilKerja: row.hasil == 0 ? nil : Rating.allCases[Int(row.hasil) - 1]),
            submittedAt: row.flags & Self.hasTime != 0 ? Date(timeIntervalSince1970: row.submittedAt) : nil)
    }
}

/// A checked submission as the integers and text a store spools on disk between the batches of an
/// import and its commit (so the daemon holds none of them), and reads back as the same submission.
/// The scores are packed one per byte into `scores`; roles and ratings are small codes.
public struct SpooledReview: Sendable, Equatable {
    public var line: Int64
    public var id: Int64?
    public var subject: Int64?
    public var reviewer: Int64?
    public var role: Int64?
    public var scores: Int64
    public var comment: String?
    public var hasilKerja: Int64?
    public var submittedAt: Double?

    public init(line: Int64, id: Int64?, subject: Int64?, reviewer: Int64?, role: Int64?, scores: Int64,
                comment: String?, hasilKerja: Int64?, submittedAt: Double?) {
        self.line = line
        self.id = id
        self.subject = subject
        self.reviewer = reviewer
        self.role = role
        self.scores = scores
        self.comment = comment
        self.hasilKerja = hasilKerja
        self.submittedAt = submittedAt
    }

    public init(_ s: ReviewSubmission) {
        let key = s.reference.key
        self.init(line: Int64(s.line), id: s.reference.id, subject: key.map { Int64(bitPattern: $0.subject.value) },
                  reviewer: key.map { Int64(bitPattern: $0.reviewer.value) },
                  role: key.map { Int64(ReviewerRole.allCases.firstIndex(of: $0.role)!) },
                  scores: Int64(bitPattern: s.review.scores.packed), comment: s.review.comment,
                  hasilKerja: s.review.hasilKerja.map { Int64(Rating.allCases.firstIndex(of: $0)!) },
                  submittedAt: s.submittedAt?.timeIntervalSince1970)
    }

    /// The submission again. Only for values made by `init(_:)` (they are not checked again).
    public var submission: ReviewSubmission {
        var key: AssignmentKey?
        if let subject, let reviewer, let role {
            key = AssignmentKey(subject: NIP(unchecked: UInt64(bitPattern: subject)), reviewer: NIP(unchecked: UInt64(bitPattern: reviewer)),
                                role: ReviewerRole.allCases[Int(role)])
        }
        return ReviewSubmission(
            line: Int(line), reference: AssignmentReference(id: id, key: key),
            review: Review(scores: BerAKHLAKScores(packed: UInt64(bitPattern: scores)), comment: comment,
                           hasilKerja: hasilKerja.map { Rating.allCases[Int($0)] }),
            submittedAt: submittedAt.map(Date.init(timeIntervalSince1970:)))
    }
}
