/// The mean of an anonymous role's reviews (rekan or bawahan) and how many reviewers it comes from.
///
/// Rule implemented: docs/domain-rules.md "Anonymity: peer and subordinate scores are shown only as aggregates of
/// at least 3 reviewers (config)". Rows carry the aggregate only (computed by the query), never an
/// individual review; the rules ignore an aggregate of fewer reviewers than the anonymity minimum.
public struct AnonymousAggregate: Sendable, Hashable, Codable {
    /// Mean over the reviewers of their mean over the seven BerAKHLAK values (1–5).
    public var mean: Double
    public var reviewerCount: Int

    public init(mean: Double, reviewerCount: Int) {
        self.mean = mean
        self.reviewerCount = reviewerCount
    }
}

/// What happened to a subject's own self-assessment in a period.
public enum SelfAssessmentStatus: Sendable, Hashable, Codable {
    /// Submitted by the due date.
    case onTime
    /// Submitted `days` whole days after the due date (1 or more).
    case late(days: Int)
    /// Not submitted when the cycle closed.
    case missing
}

/// One subject in one closed period, as one row of a set-based query over closed cycles' results.
public struct SubjectPeriodRecord: Sendable, Hashable, Codable {
    public var subject: NIP
    public var period: Period
    /// The predikat of the period, when both ratings were known.
    public var predikat: Predikat?
    /// The weighted 360 perilaku mean (1–5).
    public var perilakuMean: Double?
    /// The self-assessment's mean over the seven values.
    public var selfMean: Double?
    /// The atasan's review mean over the seven values (the atasan is not anonymous: the subject sees
    /// the atasan's evaluation in the dialog kinerja).
    public var atasanMean: Double?
    /// `nil` when no self-assessment was assigned that period.
    public var selfAssessment: SelfAssessmentStatus?
    public var rekan: AnonymousAggregate?
    public var bawahan: AnonymousAggregate?

    public init(subject: NIP, period: Period, predikat: Predikat? = nil, perilakuMean: Double? = nil,
                selfMean: Double? = nil, atasanMean: Double? = nil, selfAssessment: SelfAssessmentStatus? = nil,
                rekan: AnonymousAggregate? = nil, bawahan: AnonymousAggregate? = nil) {
        self.subject = subject
        self.period = period
        self.predikat = predikat
        self.perilakuMean = perilakuMean
        self.selfMean = selfMean
        self.atasanMean = atasanMean
        self.selfAssessment = selfAssessment
        self.rekan = rekan
        self.bawahan = bawahan
    }

    /// The aggregate of an anonymous role (`rekan` or `bawahan`; `nil` for the others).
    public func aggregate(_ role: ReviewerRole) -> AnonymousAggregate? {
        switch role {
        case .rekan: return rekan
        case .bawahan: return bawahan
        case .selfAssessment, .atasan: return nil
        }
    }
}

/// One reviewer's reviews in one closed period, counted (not listed), as one row of a set-based query.
///
/// No subject and no score appears here: `perfunctory_reviewer` needs only these counts, so a flag
/// about a reviewer cannot reveal what they scored anyone.
public struct ReviewerPeriodActivity: Sendable, Hashable, Codable {
    public var reviewer: NIP
    public var period: Period
    /// Reviews submitted in other roles than self.
    public var reviews: Int
    /// Of those, reviews with the same score on all seven values.
    public var uniformReviews: Int
    /// Of those, reviews with a comment.
    public var commentedReviews: Int

    public init(reviewer: NIP, period: Period, reviews: Int, uniformReviews: Int, commentedReviews: Int) {
        self.reviewer = reviewer
        self.period = period
        self.reviews = reviews
        self.uniformReviews = uniformReviews
        self.commentedReviews = commentedReviews
    }
}

/// A subject's history over closed periods: the input of the subject rules.
public struct SubjectHistory: Sendable, Hashable {
    public var subject: NIP
    public var records: [Period: SubjectPeriodRecord]
    /// The date of the subject's most recent training, if any is recorded.
    public var lastTraining: CalendarDate?

    /// Rows of other subjects are ignored; of two rows for the same period the first is kept.
    public init<Records: Sequence<SubjectPeriodRecord>>(subject: NIP, records: Records, lastTraining: CalendarDate? = nil) {
        self.subject = subject
        var byPeriod: [Period: SubjectPeriodRecord] = [:]
        for r in records where r.subject == subject && byPeriod[r.period] == nil { byPeriod[r.period] = r }
        self.records = byPeriod
        self.lastTraining = lastTraining
    }
}

/// A reviewer's activity over closed periods: the input of `perfunctory_reviewer`.
public struct ReviewerHistory: Sendable, Hashable {
    public var reviewer: NIP
    public var activity: [Period: ReviewerPeriodActivity]

    /// Rows of other reviewers are ignored; of two rows for the same period the first is kept.
    public init<Activity: Sequence<ReviewerPeriodActivity>>(reviewer: NIP, activity: Activity) {
        self.reviewer = reviewer
        var byPeriod: [Period: ReviewerPeriodActivity] = [:]
        for a in activity where a.reviewer == reviewer && byPeriod[a.period] == nil { byPeriod[a.period] = a }
        self.activity = byPeriod
    }
}

/// What the rules look at besides one person's history: which periods are closed, and today.
public struct MotivationContext: Sendable, Hashable {
    /// The organisation's closed periods, oldest first, without repeats. A subject without a record
    /// in one of them was not evaluated then (a gap in their history).
    public var closedPeriods: [Period]
    /// The day the window is judged at (for "no training in the last N months"): the end of the
    /// latest closed period, or the day of the run when that is earlier, never a later day, so a
    /// past period is judged as it stood then.
    public var asOf: CalendarDate

    /// `closedPeriods` is sorted and de-duplicated here.
    public init(closedPeriods: [Period], asOf: CalendarDate) {
        self.closedPeriods = Array(Set(closedPeriods)).sorted()
        self.asOf = asOf
    }
}
