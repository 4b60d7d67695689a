import Foundation
import KinerjaDomain
import KinerjaStore
import Varlink

/// `--- Follow-up tasks ---` in io.kinerjad.Admin: list, show, record. All admin (see the IDL).
extension AdminService {
    static let followupHandlers: [String: Handler] = [
        "ListFollowups": { service, call, reply in
            let filter = try Self.followupFilter(call)
            try await service.streamList(call, reply, key: "followups", limit: filter.limit,
                                         page: { db, after, rows in try db.followupPage(filter, after: after, limit: rows) },
                                         encode: service.followupJSON)
        },
        "ShowFollowup": { service, call, reply in
            let id = try Self.followupID(call)
            guard let (record, events) = try await service.runtime.withDatabase({ db in try db.followup(id: id) }) else {
                throw NotFound("follow-up", "\(id)")
            }
            let trainings = try await service.runtime.withDatabase { db in try db.followupTrainings(id) }
            try await reply.reply([
                "followup": service.followupJSON(record),
                "events": .array(events.map { e in
                    .object(["at": service.encoding.time(e.at), "actor": .string(e.actor), "action": .string(e.action),
                             "note": e.note.map(JSONValue.string) ?? .null])
                }),
                "trainings": .array(trainings.map(Self.trainingJSON)),
            ])
        },
        "RecordFollowup": { service, call, reply in
            let id = try Self.followupID(call)
            let p = call.parameters
            var problems: [String] = []
            for key in ["held_on", "action"] where p[key]?.stringValue == nil { problems.append("\(key): required") }
            if !problems.isEmpty { throw AdminError.invalidInput(problems) }
            let fields = RecordFollowup.Fields(heldOn: p["held_on"]?.stringValue ?? "", action: p["action"]?.stringValue ?? "",
                                               note: p["note"]?.stringValue ?? "", nextCheck: p["next_check"]?.stringValue)
            let record = try await RecordFollowup(runtime: service.runtime)(id: id, fields, by: Self.flagActor(call).name, via: "admin")
            try await reply.reply(["followup": service.followupJSON(record)])
        },
        "ImportTrainingCatalogue": { service, call, reply in
            let header = try service.record(call.parameters["header"], path: "header")
            let records = try (call.parameters["records"]?.arrayValue ?? []).enumerated().map { i, r in
                try service.record(r, path: "records[\(i)]")
            }
            let courses: [TrainingCourse]
            switch TrainingCatalogue.parse(header: header, records: records) {
            case .success(let c): courses = c
            case .failure(let error): throw AdminError.invalidInput(error.problems)
            }
            let dryRun = call.parameters["dry_run"]?.boolValue ?? false
            if !dryRun {
                let now = service.runtime.now()
                _ = try await service.runtime.withDatabase { db in try db.replaceTrainingCatalogue(courses, now: now) }
                service.runtime.logger.notice("Training catalogue imported", metadata: ["courses": "\(courses.count)", "peer": "\(call.peerDescription)"])
            }
            try await reply.reply(["courses": .int(Int64(courses.count)), "dry_run": .bool(dryRun)])
        },
        "FollowupReport": { service, call, reply in
            var since: Period?
            if let text = call.parameters["since"]?.stringValue {
                guard let period = try? Period(parsing: text) else {
                    throw AdminError.invalidInput(["since: '\(text)' is not a period such as 2026-Q1, 2026-03, 2026-S1 or 2026"])
                }
                since = period
            }
            let minimum = service.runtime.config.followup.reportMinimum
            let start = since?.start
            let rows = try await service.runtime.withDatabase { db in try db.followupEffectRows(since: start) }
            func number(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
            try await reply.reply([
                "since": since.map { .string($0.code) } ?? .null, "minimum": .int(Int64(minimum)),
                "cells": .array(FollowupEffect.cells(rows, minimum: minimum).map { c in
                    .object([
                        "unit": c.unit.map(JSONValue.string) ?? .null, "group": .string(c.group), "flags": .int(Int64(c.flags)),
                        "suppressed": .bool(c.suppressed), "held_on_time": c.heldOnTime.map { .int(Int64($0)) } ?? .null,
                        "median_days": number(c.medianDaysToDialog), "cleared_within_one": number(c.clearedWithinOne),
                        "cleared_within_two": number(c.clearedWithinTwo), "mean_perilaku_change": number(c.meanPerilakuChange),
                        "mean_predikat_change": number(c.meanPredikatChange),
                    ])
                }),
            ])
        },
    ]

    static func trainingJSON(_ t: FollowupTrainingRow) -> JSONValue {
        .object(["code": .string(t.course.code), "title": .string(t.course.title), "provider": .string(t.course.provider),
                 "mode": .string(t.course.mode.rawValue), "hours": .double(t.course.hours), "reason": .string(t.reason),
                 "attended_on": t.attendedOn.map { .string($0.description) } ?? .null])
    }

    static func followupID(_ call: VarlinkCall) throws -> Int64 {
        guard let id = call.parameters["id"]?.intValue, id > 0 else {
            throw AdminError.invalidInput(["id: a follow-up id (a positive number) is required"])
        }
        return id
    }

    static func followupFilter(_ call: VarlinkCall) throws -> FollowupFilter {
        var filter = FollowupFilter()
        var problems: [String] = []
        let p = call.parameters
        switch p["status"]?.stringValue?.lowercased() ?? "awaiting" {
        case "awaiting": filter.statuses = [.open, .overdue, .escalated]
        case "all": break
        case let text:
            if let s = FollowupStatus(rawValue: text) {
                filter.statuses = [s]
            } else {
                problems.append("status: '\(text)' is not one of open, held, closed, overdue, escalated, awaiting, all")
            }
        }
        for (key, path) in [("appraiser", \FollowupFilter.appraiser), ("nip", \FollowupFilter.subject)] {
            guard let text = p[key]?.stringValue else { continue }
            switch NIP.parse(text) {
            case .success(let nip): filter[keyPath: path] = nip
            case .failure(let error): problems.append("\(key): '\(text)' is not a valid NIP: \(error.message)")
            }
        }
        filter.unit = p["unit"]?.stringValue
        let limit = p["limit"]?.intValue ?? 1000
        if !(1...100_000).contains(limit) { problems.append("limit: must be 1 to 100000, found \(limit)") }
        filter.limit = Int(limit)
        if !problems.isEmpty { throw AdminError.invalidInput(problems) }
        return filter
    }

    func followupJSON(_ f: FollowupRecord) -> JSONValue {
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        return .object([
            "id": .int(f.id), "flag_id": .int(f.flagID), "rule": .string(f.rule.rawValue), "severity": .string(f.severity.rawValue),
            "nip": .string(f.subject.description), "name": text(f.subjectName), "unit": text(f.unit),
            "appraiser_nip": text(f.appraiser?.description), "appraiser_name": text(f.appraiserName),
            "appraiser_source": text(f.appraiserSource), "recommendation": .string(f.recommendation.rawValue),
            "status": .string(f.status.rawValue), "created_at": encoding.time(f.createdAt), "due_date": .string(f.due.description),
            "seen": .string(f.seen), "held_on": text(f.outcome?.heldOn.description), "action": text(f.outcome?.action.rawValue),
            "note": text(f.outcome?.note), "next_check": text(f.outcome?.nextCheck?.description),
            "recorded_by": text(f.recordedBy), "recorded_via": text(f.recordedVia),
        ])
    }
}
