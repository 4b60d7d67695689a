import Foundation
import KinerjaDomain
import KinerjaStore
import Logging
import Varlink

/// `io.kinerjad.Review`: what the web front may ask, each call opened by a link's token. It reads and
/// writes only what the token's link grants, through the same use cases as the admin's door
/// (`SubmitReview`) and the same store code as imports (`addSKMResponse`).
public struct ReviewService: VarlinkService {
    public static let interfaceName = "io.kinerjad.Review"
    public static let idl = String(decoding: PackageResources.io_kinerjad_Review_varlink, as: UTF8.self)
    public static let maxSuggestionLength = 1000

    public let runtime: DaemonRuntime
    public var interfaceDescription: String { Self.idl }

    public init(runtime: DaemonRuntime) {
        self.runtime = runtime
    }

    var encoding: ControlEncoding { ControlEncoding(timeZone: runtime.config.cycles.zone) }

    public func handle(_ call: VarlinkCall, reply: VarlinkReplySink) async throws {
        do {
            switch call.method {
            case "GetReviewerPage": try await reply.reply(try await reviewerPage(call))
            case "SubmitReview": try await reply.reply(try await submitReview(call))
            case "GetSurvey":
                let grant = try await surveyGrant(call)
                try await reply.reply(["unit": .string(grant.unit), "unit_name": .string(grant.unitName), "period": .string(grant.period.code)])
            case "SubmitSurvey": try await reply.reply(try await submitSurvey(call))
            case "GetFollowupPage": try await reply.reply(try await followupPage(call))
            case "RecordFollowup": try await reply.reply(try await recordFollowup(call))
            default: throw VarlinkError.methodNotImplemented(call.qualifiedMethod)
            }
        } catch let error as VarlinkError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw interfaceError(error, method: call.method)
        }
    }

    // MARK: Errors

    static func invalidToken() -> VarlinkError { VarlinkError(name: "io.kinerjad.Review.InvalidToken") }

    static func invalidInput(_ problems: [String]) -> VarlinkError {
        VarlinkError(name: "io.kinerjad.Review.InvalidInput", parameters: ["problems": .array(problems.map { .string($0) })])
    }

    static func readOnly(_ reason: String) -> VarlinkError {
        VarlinkError(name: "io.kinerjad.Review.ReadOnly", parameters: ["reason": .string(reason)])
    }

    /// Refusals of the store become InvalidInput; anything else is logged and answered as a failure of
    /// the daemon, without the details (the web front shows a generic page).
    func interfaceError(_ error: any Error, method: String) -> VarlinkError {
        switch error {
        case let refusal as Refusal: return Self.invalidInput(refusal.problems)
        case let failure as ImportFailure: return Self.invalidInput(ControlEncoding.problemLines(failure))
        case CycleStoreError.refused(let message): return Self.readOnly(message)
        default:
            runtime.logger.error("io.kinerjad.Review.\(method) failed: \(StorageDiagnosis.explain(error, path: runtime.database.path) ?? runtime.describe(error))")
            return VarlinkError(name: "io.kinerjad.Review.InvalidInput", parameters: ["problems": .array([.string("the daemon could not do this now; try again later")])])
        }
    }

    // MARK: Tokens

    func token(_ call: VarlinkCall, kind: String) throws -> WebToken {
        guard let token = WebToken(parsing: call.parameters["token"]?.stringValue ?? "") else { throw refused(kind, "malformed") }
        return token
    }

    func refused(_ kind: String, _ why: String) -> VarlinkError {
        runtime.logger.notice("Web token refused", metadata: ["message_id": "\(MessageIDs.webTokenRefused)", "kind": "\(kind)", "reason": "\(why)"])
        return Self.invalidToken()
    }

    /// What a review link's token opens, read in one trip to the database: its grant and its
    /// assignments in the link's cycle (`only`: the one with that id, when it is the link's), with
    /// the stored reviews of the submitted ones when `withReviews`. Throws InvalidToken for a token
    /// no working link has.
    func reviewLink(_ call: VarlinkCall, only id: Int64? = nil, withReviews: Bool = false) async throws
        -> (grant: ReviewLinkGrant, assignments: [AssignmentInfo], reviews: [Int64: Review]) {
        let hash = try token(call, kind: "review").sha256, now = runtime.now()
        let found = try await runtime.withDatabase { db -> (ReviewLinkGrant, [AssignmentInfo], [Int64: Review])? in
            guard let grant = try db.reviewLink(tokenHash: hash, now: now) else { return nil }
            var filter = AppDatabase.AssignmentFilter(cycle: .id(grant.cycle.id), reviewer: grant.reviewer, at: now, limit: 1000)
            filter.id = id
            let rows = try db.assignmentRows(filter)
            let reviews = withReviews ? try db.reviews(of: rows.filter { $0.submittedAt != nil }.map(\.id)) : [:]
            return (grant, rows, reviews)
        }
        guard let found else { throw refused("review", "unknown, revoked or expired") }
        return found
    }

    func surveyGrant(_ call: VarlinkCall) async throws -> SurveyLinkGrant {
        let hash = try token(call, kind: "survey").sha256
        guard let grant = try await runtime.withDatabase({ db in try db.surveyLink(tokenHash: hash) }) else {
            throw refused("survey", "unknown or revoked")
        }
        return grant
    }

    // MARK: Reviews

    func reviewerPage(_ call: VarlinkCall) async throws -> [String: JSONValue] {
        let (grant, rows, reviews) = try await reviewLink(call, withReviews: true)
        let dates = DueDates(now: runtime.now(), zone: runtime.config.cycles.zone)
        return [
            "reviewer_name": .string(grant.reviewerName ?? grant.reviewer.description),
            "cycle": .string(grant.cycle.period.code),
            "cycle_open": .bool(grant.cycle.status == .open),
            "anonymity_minimum": .int(Int64(runtime.config.results.anonymityMinimum)),
            "max_comment_length": .int(Int64(Review.maxCommentLength)),
            "assignments": .array(rows.map { .object(encode($0, cycle: grant.cycle, dates: dates, review: reviews[$0.id])) }),
        ]
    }

    /// The calendar that dates a reply's assignments, made once per reply.
    struct DueDates {
        let now: Date
        let calendar: Calendar
        let today: Date

        init(now: Date, zone: TimeZone) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            self.now = now
            self.calendar = calendar
            self.today = calendar.startOfDay(for: now)
        }
    }

    func encode(_ a: AssignmentInfo, cycle: CycleInfo, dates: DueDates, review: Review? = nil) -> [String: JSONValue] {
        let now = dates.now, calendar = dates.calendar
        let days = calendar.dateComponents([.day], from: dates.today, to: calendar.startOfDay(for: a.dueAt)).day ?? 0
        let due = calendar.dateComponents([.year, .month, .day], from: a.dueAt)
        let status = a.submittedAt != nil ? "submitted" : (a.dueAt < now ? "overdue" : "open")
        return [
            "id": .int(a.id),
            "subject_name": .string(a.subjectName ?? a.subject.description),
            "role": .string(a.role.rawValue),
            "due_at": encoding.time(a.dueAt),
            "due_date": .string(String(format: "%04d-%02d-%02d", due.year ?? 0, due.month ?? 0, due.day ?? 0)),
            "days_left": .int(Int64(days)),
            "status": .string(status),
            "submitted_at": encoding.time(a.submittedAt),
            "editable": .bool(cycle.status == .open && now <= a.dueAt),
            "needs_hasil_kerja": .bool(a.role == .atasan),
            "scores": review.map { r in
                .object(Dictionary(uniqueKeysWithValues: zip(BerAKHLAKValue.allCases.map(\.rawValue), r.scores.ordered.map { .int(Int64($0)) })))
            } ?? .null,
            "hasil_kerja": review?.hasilKerja.map { .string($0.rawValue) } ?? .null,
            "comment": review?.comment.map { .string($0) } ?? .null,
        ]
    }

    func submitReview(_ call: VarlinkCall) async throws -> [String: JSONValue] {
        let p = call.parameters
        let id = p["assignment_id"]?.intValue ?? 0
        let (grant, rows, _) = try await reviewLink(call, only: id)
        guard let assignment = rows.first else {
            throw Self.invalidInput(["assignment_id: \(id) is not one of this link's assignments"])
        }
        guard grant.cycle.status == .open else { throw Self.readOnly("cycle \(grant.cycle.period.code) is closed") }
        guard runtime.now() <= assignment.dueAt else {
            throw Self.readOnly("the due date \(Timestamp.format(assignment.dueAt, in: runtime.config.cycles.zone)) has passed")
        }
        var problems: [String] = []
        let content = ReviewContent.decode(p, problems: &problems)
        if let message = Review.hasilKerjaProblem(role: assignment.role, hasilKerja: content.hasilKerja) {
            problems.append("hasil_kerja: \(message)")
        }
        guard problems.isEmpty, let review = content.review else { throw Self.invalidInput(problems) }
        let key = AssignmentKey(subject: assignment.subject, reviewer: assignment.reviewer, role: assignment.role)
        let submission = ReviewSubmission(line: 0, reference: AssignmentReference(id: id, key: key), review: review, submittedAt: nil)
        let outcome = try await SubmitReview(runtime: runtime)(submission, cycle: .id(grant.cycle.id), source: "web")
        let dates = DueDates(now: runtime.now(), zone: runtime.config.cycles.zone)
        return ["assignment": .object(encode(outcome.assignment, cycle: grant.cycle, dates: dates)), "revised": .bool(outcome.revised)]
    }

    // MARK: Survey

    func submitSurvey(_ call: VarlinkCall) async throws -> [String: JSONValue] {
        let grant = try await surveyGrant(call)
        let answers = (call.parameters["answers"]?.arrayValue ?? []).map { Int($0.intValue ?? 0) }
        var problems: [String] = []
        let suggestion = call.parameters["suggestion"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let suggestion, suggestion.count > Self.maxSuggestionLength {
            problems.append("suggestion: \(suggestion.count) characters, at most \(Self.maxSuggestionLength) allowed")
        }
        var response: SKMResponse
        do {
            response = try SKMResponse(unit: grant.unit, period: grant.period, answers: answers)
        } catch {
            throw Self.invalidInput(["answers: \(error)"] + problems)
        }
        let given = call.parameters["respondent"]?.objectValue ?? [:]
        switch SKMRespondent.parse({ given[$0]?.stringValue }) {
        case .success(let respondent): response.respondent = respondent
        case .failure(let failure): problems += failure.problems.map { "respondent.\($0.message)" }
        }
        guard problems.isEmpty else { throw Self.invalidInput(problems) }
        let now = runtime.now(), stored = response
        try await runtime.withDatabase { db in try db.addSKMResponse(stored, suggestion: suggestion, now: now) }
        runtime.logger.notice("Public survey response stored", metadata: [
            "message_id": "\(MessageIDs.surveyAnswered)", "unit": "\(grant.unit)", "period": "\(grant.period.code)",
        ])
        return ["unit": .string(grant.unit), "period": .string(grant.period.code)]
    }
}
