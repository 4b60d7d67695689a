import Foundation
import KinerjaDomain
import KinerjaStore
import Logging
import Varlink

/// Handlers of the "Org, cycles, reviews, reports" block of io.kinerjad.Admin. Every handler takes
/// the time from `runtime.now()`, runs database work off the concurrency pool, and answers store
/// failures with the interface's errors (NotFound, InvalidInput, CycleNotClosable).
extension AdminService {
    static let cycleHandlers: [String: Handler] = [
        "OpenCycle": { service, call, reply in try await reply.reply(try await service.openCycle(call)) },
        "ListCycles": { service, call, reply in
            // Free text (close reasons) only for admins, as the access classes say.
            let privileged = call.accessLevel.isPrivileged
            try await service.streamList(call, reply, key: "cycles", withTotal: false,
                                         page: { db, after, rows in try db.cyclePage(after: after, limit: rows) },
                                         encode: { try service.encoding.value(privileged ? $0 : $0.withoutFreeText) })
        },
        "GetCycle": { service, call, reply in
            let reference = try service.cycleReference(call, "cycle")!
            let at = try service.encoding.instant(call.parameters["at"]?.stringValue, parameter: "at") ?? service.runtime.now()
            // One whole-cycle read at a time (see WorkLimiter), at a lower priority than the short calls
            // (see withDatabaseInBackground); the reply is built inside the turn.
            let object = try await service.runtime.wholeCycleReads.run {
                var detail = try await service.runtime.withDatabaseInBackground { db in try db.cycleDetail(reference, at: at) }
                if !call.accessLevel.isPrivileged { detail.cycle = detail.cycle.withoutFreeText }
                return try service.encoding.object(detail)
            }
            try await reply.reply(object)
        },
        "CloseCycle": { service, call, reply in try await reply.reply(try await service.closeCycle(call)) },
        "SubmitReview": { service, call, reply in try await reply.reply(try await service.submitReview(call)) },
        "ListReviews": { service, call, reply in
            var filter = try service.filter(call, status: nil)
            if let text = call.parameters["status"]?.stringValue {
                guard let status = AppDatabase.AssignmentFilter.Status(rawValue: text.lowercased()) else {
                    throw AdminError.invalidInput(["status: '\(text)' is not one of submitted, open, overdue"])
                }
                filter.status = status
            }
            try await service.streamAssignments(filter, call, reply)
        },
        "ListOverdue": { service, call, reply in
            try await service.streamAssignments(try service.filter(call, status: .overdue), call, reply)
        },
        "SetPerilakuOverride": { service, call, reply in
            let reference = try service.cycleReference(call, "cycle")!
            let subject = try service.nip(call, "subject")!
            let ratingText = call.parameters["rating"]?.stringValue ?? ""
            guard let rating = Rating(parsing: ratingText) else {
                throw AdminError.invalidInput(["rating: '\(ratingText)' is not one of \(Rating.spellings)"])
            }
            let override: PerilakuOverride
            do {
                override = try PerilakuOverride(rating: rating, reason: call.parameters["reason"]?.stringValue ?? "")
            } catch {
                throw AdminError.invalidInput(["reason: \(error)"])
            }
            let by = call.peerDescription, now = service.runtime.now()
            let cycle = try await service.runtime.withDatabase { db in
                try db.setPerilakuOverride(cycle: reference, subject: subject, override: override, by: by, at: now)
            }
            service.runtime.logger.notice("Perilaku rating overridden", metadata: [
                "cycle": "\(cycle.period)", "nip": "\(subject)", "rating": "\(rating.rawValue)", "peer": "\(by)",
            ])
            try await reply.reply(["cycle": .string(cycle.period.code), "subject": .string(subject.description),
                                   "rating": .string(rating.rawValue)])
        },
        "CycleReport": { service, call, reply in
            let reference = try service.cycleReference(call, "cycle")!
            let unit = call.parameters["unit"]?.stringValue
            // One whole-cycle read at a time (see WorkLimiter), at a lower priority than the short calls
            // (see withDatabaseInBackground); the reply is built inside the turn.
            let object = try await service.runtime.wholeCycleReads.run {
                let data = try await service.runtime.withDatabaseInBackground { db in try db.cycleReport(reference, unit: unit) }
                if let unit, data.units.isEmpty {
                    throw AdminError.notFound("unit in cycle \(data.cycle.period.code)", unit)
                }
                let builder = CycleReportBuilder(results: service.runtime.config.results, encoding: service.encoding)
                // Motivation flags per unit beside the predikat distribution and IKM (AdminService+Flags.swift).
                let flags = try await service.runtime.withDatabaseInBackground { db in
                    try db.flagCounts(overlapping: data.cycle.period, unit: unit)
                }
                var object = Self.addingFlagCounts(flags, to: try builder.reply(data))
                // Who has no predikat, counted by reason (ListWithoutPredikat names them).
                if data.cycle.status == .closed {
                    let missing = try await service.runtime.withDatabaseInBackground { db in
                        try db.withoutPredikat(reference, unit: unit).employees
                    }
                    var byReason: [String: JSONValue] = [:]
                    for m in missing { byReason[m.reasonCode] = .int((byReason[m.reasonCode]?.intValue ?? 0) + 1) }
                    object["without_predikat"] = .int(Int64(missing.count))
                    object["without_predikat_reasons"] = .object(byReason)
                }
                return object
            }
            try await reply.reply(object)
        },
        "ListWithoutPredikat": { service, call, reply in
            let reference = try service.cycleReference(call, "cycle")!
            let unit = call.parameters["unit"]?.stringValue
            let (cycle, missing, changes) = try await service.runtime.withDatabase { db in
                let (cycle, missing) = try db.withoutPredikat(reference, unit: unit)
                return (cycle, missing, try db.assignmentChanges(cycle: cycle.id))
            }
            try await reply.reply(["cycle": .string(cycle.period.code), "employees": try service.encoding.value(missing),
                                   "changes": try service.encoding.value(changes)])
        },
        "GetEmployee": { service, call, reply in
            let nip = try service.nip(call, "nip")!
            let (employee, history, training) = try await service.runtime.withDatabase { db in
                guard let e = try db.employee(nip) else { throw CycleStoreError.notFound(what: "employee", id: nip.description) }
                return (e, try db.history(of: nip), try db.training(of: nip))
            }
            try await reply.reply([
                "employee": try service.encoding.value(employee),
                "history": try service.encoding.value(history),
                "training": .array(training.map { .object(["course": .string($0.course), "date": .string($0.date.description),
                                                           "hours": .double($0.hours)]) }),
            ])
        },
    ]

    func filter(_ call: VarlinkCall, status: AppDatabase.AssignmentFilter.Status?) throws -> AppDatabase.AssignmentFilter {
        let at = try encoding.instant(call.parameters["at"]?.stringValue, parameter: "at") ?? runtime.now()
        let limit = call.parameters["limit"]?.intValue ?? 1000
        guard (1...1_000_000).contains(limit) else { throw AdminError.invalidInput(["limit: must be 1 to 1000000, found \(limit)"]) }
        return AppDatabase.AssignmentFilter(
            cycle: try cycleReference(call, "cycle"), reviewer: try nip(call, "reviewer"), subject: try nip(call, "subject"),
            unit: call.parameters["unit"]?.stringValue, role: try role(call, "role"), status: status, at: at, limit: Int(limit))
    }

    /// ListReviews and ListOverdue: the assignments matching `filter`, streamed (see `streamList`).
    func streamAssignments(_ filter: AppDatabase.AssignmentFilter, _ call: VarlinkCall, _ reply: VarlinkReplySink) async throws {
        try await streamList(call, reply, key: "assignments", limit: filter.limit,
                             page: { db, after, rows in try db.assignmentPage(filter, after: after, limit: rows) },
                             encode: encoding.value)
    }

    // MARK: Cycles

    func openCycle(_ call: VarlinkCall) async throws -> [String: JSONValue] {
        let text = call.parameters["period"]?.stringValue ?? ""
        let period: Period
        do {
            period = try Period(parsing: text)
        } catch {
            throw AdminError.invalidInput(["period: \(error.message)"])
        }
        let openedAt = try encoding.instant(call.parameters["opened_at"]?.stringValue, parameter: "opened_at") ?? runtime.now()
        let early = call.parameters["early"]?.boolValue ?? false
        return try encoding.object(try await OpenCycle(runtime: runtime)(period, openedAt: openedAt, early: early,
                                                                         by: call.peerDescription))
    }

    func closeCycle(_ call: VarlinkCall) async throws -> [String: JSONValue] {
        let reference = try cycleReference(call, "cycle")!
        let closedAt = try encoding.instant(call.parameters["closed_at"]?.stringValue, parameter: "closed_at") ?? runtime.now()
        let outcome = try await CloseCycle(runtime: runtime)(reference, force: call.parameters["force"]?.boolValue ?? false,
                                                             reason: call.parameters["reason"]?.stringValue, closedAt: closedAt,
                                                             by: call.peerDescription)
        return try encoding.object(outcome)
    }

    // MARK: Reviews

    func submitReview(_ call: VarlinkCall) async throws -> [String: JSONValue] {
        let p = call.parameters
        var problems: [String] = []
        let content = ReviewContent.decode(p, problems: &problems)
        let hasil = content.hasilKerja
        let id = p["assignment_id"]?.intValue
        var key: AssignmentKey?
        if p["reviewer"] != nil || p["subject"] != nil || p["role"] != nil {
            guard let reviewer = try nip(call, "reviewer"), let subject = try nip(call, "subject"), let role = try role(call, "role") else {
                throw AdminError.invalidInput(["reviewer, subject and role are needed together (or assignment_id alone)"])
            }
            if let message = Review.hasilKerjaProblem(role: role, hasilKerja: hasil) { problems.append("hasil_kerja: \(message)") }
            if (role == .selfAssessment) != (reviewer == subject) {
                problems.append("reviewer: a self review has reviewer equal to subject, other roles do not")
            }
            key = AssignmentKey(subject: subject, reviewer: reviewer, role: role)
        }
        if id == nil && key == nil { problems.append("assignment_id, or reviewer, subject and role, are required") }
        let submittedAt = try encoding.instant(p["submitted_at"]?.stringValue, parameter: "submitted_at")
        guard problems.isEmpty, let review = content.review else { throw AdminError.invalidInput(problems) }
        let submission = ReviewSubmission(line: 0, reference: AssignmentReference(id: id, key: key), review: review,
                                          submittedAt: submittedAt)
        let outcome = try await SubmitReview(runtime: runtime)(submission, cycle: try cycleReference(call, "cycle"),
                                                               source: "review by \(call.peerDescription)")
        return ["assignment": try encoding.value(outcome.assignment), "revised": .bool(outcome.revised)]
    }
}
