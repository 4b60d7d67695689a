import Foundation
import KinerjaDomain
import KinerjaStore
import Varlink

/// `--- Motivation flags ---` in io.kinerjad.Admin: list, show, acknowledge, resolve,
/// dismiss, summary. Changes record the caller from the socket's peer credentials (uid and user
/// name). Replies carry evidence as stored: aggregates only for rekan and bawahan, counts only for a
/// perfunctory reviewer; never an individual reviewer's scores about a subject.
extension AdminService {
    static let flagHandlers: [String: Handler] = [
        "ListFlags": { service, call, reply in
            let filter = try service.flagFilter(call)
            let hidden = try await service.runtime.withDatabase { db in try db.hiddenClearedFlags(filter) }
            try await service.streamList(call, reply, key: "flags", limit: filter.limit,
                                         extra: ["hidden_cleared": .int(Int64(hidden))],
                                         page: { db, after, rows in try db.flagPage(filter, after: after, limit: rows) },
                                         encode: service.flagJSON)
        },
        "ShowFlag": { service, call, reply in
            let id = try Self.flagID(call)
            let detail = try await service.runtime.withDatabase { db in try db.flag(id: id) }
            try await reply.reply(try service.flagDetailJSON(detail))
        },
        "AckFlag": { service, call, reply in
            try await reply.reply(["flag": try await service.changeFlag(call, .acknowledge)])
        },
        "ResolveFlag": { service, call, reply in
            try await reply.reply(["flag": try await service.changeFlag(call, .resolve)])
        },
        "DismissFlag": { service, call, reply in
            try await reply.reply(["flag": try await service.changeFlag(call, .dismiss)])
        },
        "FlagSummary": { service, _, reply in
            let counts = try await service.runtime.withDatabase { db in try db.flagSummary() }
            try await reply.reply(["counts": .array(counts.map { c in
                .object([
                    "unit": .string(c.unit), "rule": .string(c.rule.rawValue), "open": .int(Int64(c.open)),
                    "acknowledged": .int(Int64(c.acknowledged)), "resolved": .int(Int64(c.resolved)),
                    "dismissed": .int(Int64(c.dismissed)), "cleared": .int(Int64(c.conditionCleared)),
                ])
            })])
        },
    ]

    static func flagID(_ call: VarlinkCall) throws -> Int64 {
        guard let id = call.parameters["id"]?.intValue, id > 0 else { throw AdminError.invalidInput(["id: a flag id (a positive number) is required"]) }
        return id
    }

    /// The caller as the flag history records them: uid and user name from the peer credentials.
    static func flagActor(_ call: VarlinkCall) -> FlagActor {
        guard let peer = call.peer else { return FlagActor(uid: nil, name: "unknown peer") }
        return FlagActor(uid: Int64(peer.uid), name: UnixUserDatabase.user(withID: peer.uid)?.name ?? "uid \(peer.uid)")
    }

    func flagFilter(_ call: VarlinkCall) throws -> FlagFilter {
        var filter = FlagFilter()
        filter.includeCleared = call.parameters["include_cleared"]?.boolValue ?? false
        var problems: [String] = []
        if let text = call.parameters["status"]?.stringValue {
            switch text.lowercased() {
            case "active": filter.statuses = [.open, .acknowledged]
            case "all": filter.statuses = Set(FlagStatus.allCases)
            default:
                if let s = FlagStatus(rawValue: text.lowercased()) {
                    filter.statuses = [s]
                } else {
                    problems.append("status: '\(text)' is not one of open, acknowledged, resolved, dismissed, active, all")
                }
            }
        }
        if let text = call.parameters["rule"]?.stringValue {
            if let r = MotivationRule(rawValue: text.lowercased().replacingOccurrences(of: "-", with: "_")) {
                filter.rule = r
            } else {
                problems.append("rule: '\(text)' is not one of \(MotivationRule.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let text = call.parameters["severity"]?.stringValue {
            if let s = FlagSeverity(rawValue: text.lowercased()) {
                filter.severity = s
            } else {
                problems.append("severity: '\(text)' is not one of info, warning, critical")
            }
        }
        if let text = call.parameters["nip"]?.stringValue {
            switch NIP.parse(text) {
            case .success(let nip): filter.nip = nip
            case .failure(let error): problems.append("nip: '\(text)' is not a valid NIP: \(error.message)")
            }
        }
        filter.unit = call.parameters["unit"]?.stringValue
        let limit = call.parameters["limit"]?.intValue ?? 1000
        if !(1...100_000).contains(limit) { problems.append("limit: must be 1 to 100000, found \(limit)") }
        filter.limit = Int(limit)
        if !problems.isEmpty { throw AdminError.invalidInput(problems) }
        return filter
    }

    func changeFlag(_ call: VarlinkCall, _ action: FlagAction) async throws -> JSONValue {
        let id = try Self.flagID(call)
        var resolution: FlagResolution?
        if action == .resolve {
            let text = call.parameters["action"]?.stringValue ?? ""
            guard let parsed = FlagResolution(parsing: text) else {
                throw AdminError.invalidInput(["action: '\(text)' is not one of \(FlagResolution.spellings)"])
            }
            resolution = parsed
        }
        let detail = try await ChangeFlag(runtime: runtime)(id, action, resolution: resolution,
                                                            note: call.parameters["note"]?.stringValue ?? "",
                                                            by: Self.flagActor(call), peer: call.peerDescription)
        return flagJSON(detail.flag)
    }

    func flagJSON(_ f: FlagRecord) -> JSONValue {
        .object([
            "id": .int(f.id), "rule": .string(f.rule.rawValue), "title": .string(f.rule.title), "nip": .string(f.nip.description),
            "name": f.name.map(JSONValue.string) ?? .null, "unit": f.unit.map(JSONValue.string) ?? .null,
            "window_start": .string(f.window.start.code), "window_end": .string(f.window.end.code),
            "severity": .string(f.severity.rawValue), "status": .string(f.status.rawValue),
            "condition_cleared": .bool(f.conditionCleared), "cleared_at": f.clearedAt.map(encoding.time) ?? .null,
            "follow_up": .string(f.followUp.rawValue), "resolution": f.resolution.map { .string($0.rawValue) } ?? .null,
            "created_at": encoding.time(f.createdAt), "updated_at": encoding.time(f.updatedAt),
        ])
    }

    func flagDetailJSON(_ d: FlagDetail) throws -> [String: JSONValue] {
        var evidence = try encoding.object(d.evidence)
        if case .object(var series)? = evidence["series"] {
            series["sparkline"] = .string(d.evidence.series.sparkline)
            evidence["series"] = .object(series)
        }
        return [
            "flag": flagJSON(d.flag), "ratio": .double(d.flag.ratio),
            "concurrent_rules": .array(d.flag.concurrentRules.map { .string($0.rawValue) }),
            "follow_up_name": .string(d.flag.followUp.name),
            "evidence": .object(evidence),
            "events": .array(d.events.map { e in
                .object([
                    "at": encoding.time(e.at), "action": .string(e.action), "actor": .string(e.actor),
                    "actor_uid": e.actorUID.map(JSONValue.int) ?? .null, "note": e.note.map(JSONValue.string) ?? .null,
                    "from_status": e.fromStatus.map { .string($0.rawValue) } ?? .null,
                    "to_status": e.toStatus.map { .string($0.rawValue) } ?? .null,
                    "from_severity": e.fromSeverity.map { .string($0.rawValue) } ?? .null,
                    "to_severity": e.toSeverity.map { .string($0.rawValue) } ?? .null,
                ])
            }),
        ]
    }
}

extension AdminService {
    /// A CycleReport reply with `flags` (rule → count) in each unit and in the total.
    static func addingFlagCounts(_ counts: [String: [MotivationRule: Int]], to reply: [String: JSONValue]) -> [String: JSONValue] {
        func object(_ byRule: [MotivationRule: Int]) -> JSONValue {
            .object(Dictionary(uniqueKeysWithValues: byRule.map { ($0.key.rawValue, JSONValue.int(Int64($0.value))) }))
        }
        var result = reply
        var total: [MotivationRule: Int] = [:]
        let units = (reply["units"]?.arrayValue ?? []).map { unit -> JSONValue in
            guard case .object(var u) = unit, let code = u["unit"]?.stringValue else { return unit }
            let byRule = counts[code] ?? counts.first { $0.key.lowercased() == code.lowercased() }?.value ?? [:]
            for (rule, n) in byRule { total[rule, default: 0] += n }
            u["flags"] = object(byRule)
            return .object(u)
        }
        result["units"] = .array(units)
        if case .object(var t)? = reply["total"] {
            t["flags"] = object(total)
            result["total"] = .object(t)
        }
        return result
    }
}
