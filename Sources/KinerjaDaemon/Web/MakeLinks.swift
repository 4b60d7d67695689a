import Foundation
import KinerjaDomain
import KinerjaStore

/// Makes or revokes a reviewer's personal link: a new token from the CSPRNG, stored as its SHA-256,
/// the URL built from `web.public_base_url`. The token leaves the daemon only in the returned URL.
public struct MakeReviewLink: Sendable {
    public struct Outcome: Sendable {
        public var url: String?
        public var grant: ReviewLinkGrant?
        public var cycle: CycleInfo
        public var revoked: Int
    }

    let runtime: DaemonRuntime

    public init(runtime: DaemonRuntime) {
        self.runtime = runtime
    }

    /// `web.public_base_url`, or a refusal naming the key when it is not set (a link without the
    /// web front's address would not open anywhere).
    static func baseURL(_ config: DaemonConfig) throws -> String {
        guard let base = config.web.publicBaseURL else {
            throw Refusal("web.public_base_url is not set in the configuration, so no link can be made; set it to the address "
                          + "reviewers and the public open (e.g. https://kinerja.bandung.go.id)")
        }
        return base
    }

    public func callAsFunction(reviewer: NIP, cycle: CycleReference?, revoke: Bool, by: String) async throws -> Outcome {
        let now = runtime.now()
        if revoke {
            let (c, n) = try await runtime.withDatabase { db in try db.revokeReviewLinks(reviewer: reviewer, cycle: cycle, now: now) }
            runtime.logger.notice("Review links revoked", metadata: ["cycle": "\(c.period)", "nip": "\(reviewer)", "count": "\(n)", "peer": "\(by)"])
            return Outcome(url: nil, grant: nil, cycle: c, revoked: n)
        }
        let base = try Self.baseURL(runtime.config)
        let token = WebToken.generate()
        let expires = runtime.config.web.linkLifetime.map { now.addingTimeInterval(TimeInterval($0.components.seconds)) }
        let grant = try await runtime.withDatabase { db in
            try db.createReviewLink(reviewer: reviewer, cycle: cycle, tokenHash: token.sha256, expiresAt: expires, now: now, by: by)
        }
        runtime.logger.notice("Review link made", metadata: ["cycle": "\(grant.cycle.period)", "nip": "\(reviewer)", "peer": "\(by)"])
        return Outcome(url: "\(base)/r/\(token.text)", grant: grant, cycle: grant.cycle, revoked: 0)
    }
}

/// Makes or revokes a unit's public survey link for a period (default: the period of the first
/// configured cycle kind that contains today).
public struct MakeSurveyLink: Sendable {
    public struct Outcome: Sendable {
        public var url: String?
        public var unitName: String?
        public var period: Period
        public var revoked: Int
    }

    let runtime: DaemonRuntime

    public init(runtime: DaemonRuntime) {
        self.runtime = runtime
    }

    /// The survey period of today: the period of the first of `cycles.kinds` that contains it.
    static func currentPeriod(_ runtime: DaemonRuntime) throws -> Period {
        let today = CalendarDate(runtime.now(), in: runtime.config.cycles.zone)
        guard let period = Period.containing(today, kind: runtime.config.cycles.kinds.first ?? .quarterly) else {
            throw Refusal("period: no period contains \(today)")
        }
        return period
    }

    public func callAsFunction(unit: String, period: Period?, revoke: Bool, by: String) async throws -> Outcome {
        let now = runtime.now()
        let period = try period ?? Self.currentPeriod(runtime)
        if revoke {
            let n = try await runtime.withDatabase { db in try db.revokeSurveyLinks(unit: unit, period: period, now: now) }
            runtime.logger.notice("Survey links revoked", metadata: ["unit": "\(unit)", "period": "\(period)", "count": "\(n)", "peer": "\(by)"])
            return Outcome(url: nil, unitName: nil, period: period, revoked: n)
        }
        let base = try MakeReviewLink.baseURL(runtime.config)
        let token = WebToken.generate()
        let grant = try await runtime.withDatabase { db in
            try db.createSurveyLink(unit: unit, period: period, tokenHash: token.sha256, now: now, by: by)
        }
        runtime.logger.notice("Survey link made", metadata: ["unit": "\(unit)", "period": "\(period)", "peer": "\(by)"])
        return Outcome(url: "\(base)/s/\(token.text)", unitName: grant.unitName, period: period, revoked: 0)
    }
}
