import KinerjaDomain
import Varlink

/// The content of a review as both interfaces' `SubmitReview` take it: `scores` (the seven values,
/// each 1–5), `hasil_kerja` and `comment`. Every problem names its parameter.
enum ReviewContent {
    struct Decoded {
        /// Nil when a problem was found.
        var review: Review?
        var hasilKerja: Rating?
    }

    static func decode(_ p: [String: JSONValue], problems: inout [String]) -> Decoded {
        let before = problems.count
        var scores: [Int] = []
        for v in BerAKHLAKValue.allCases {
            let s = p["scores"]?[v.rawValue]?.intValue ?? 0
            if BerAKHLAKScores.range.contains(Int(s)) { scores.append(Int(s)) } else {
                problems.append("scores.\(v.rawValue): the score for \(v.name) must be 1–5, found \(s)")
            }
        }
        var hasil: Rating?
        if let text = p["hasil_kerja"]?.stringValue {
            hasil = Rating(parsing: text)
            if hasil == nil { problems.append("hasil_kerja: '\(text)' is not one of \(Rating.spellings)") }
        }
        let comment = p["comment"]?.stringValue
        if let comment, comment.count > Review.maxCommentLength {
            problems.append("comment: \(comment.count) characters, at most \(Review.maxCommentLength) allowed")
        }
        guard problems.count == before, let checked = try? BerAKHLAKScores(scores) else { return Decoded(review: nil, hasilKerja: hasil) }
        return Decoded(review: Review(scores: checked, comment: comment, hasilKerja: hasil), hasilKerja: hasil)
    }
}
