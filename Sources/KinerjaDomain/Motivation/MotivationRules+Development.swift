extension MotivationRules {
    /// `stalled_development`: the latest closed period's predikat is `predikatAtMost` or lower, and no
    /// training is recorded in the `trainingMonths` months up to `context.asOf` (the end of that
    /// period; `history.lastTraining` is the latest training up to that day).
    ///
    /// A training on the day exactly `trainingMonths` months before `asOf`, or later, is recent (no
    /// flag). Window start: the first period of the run of consecutive low predikat ending at the
    /// latest period. Ratio: whole months since the last training ÷ `trainingMonths` (1 when no
    /// training is recorded), plus 0.5 for each further consecutive low period.
    public static func stalledDevelopment(_ history: SubjectHistory, context: MotivationContext,
                                          thresholds: MotivationThresholds) -> FlagFinding? {
        let p = periods(context, thresholds)
        let th = thresholds.stalledDevelopment
        guard th.trainingMonths >= 1, let t = p.indices.last else { return nil }
        func predikat(_ i: Int) -> Predikat? { history.records[p[i]]?.predikat }
        func low(_ i: Int) -> Bool { predikat(i).map { $0 <= th.predikatAtMost } ?? false }
        guard low(t) else { return nil }
        let since = monthsBefore(context.asOf, th.trainingMonths)
        if let last = history.lastTraining, last >= since { return nil }
        let start = runStart(latest: t, holds: low)
        let lowRun = t - start + 1
        let months = history.lastTraining.map { wholeMonths(from: $0, to: context.asOf) }
        let ratio = (months.map { Double($0) / Double(th.trainingMonths) } ?? 1) + 0.5 * Double(lowRun - 1)

        var measurements = (start...t).map { i in
            EvidenceMeasurement(period: p[i], name: "predikat", value: Double(predikat(i)!.rank), text: predikat(i)!.rawValue)
        }
        var comparisons = [EvidenceComparison(
            quantity: "predikat", period: p[t], observed: Double(predikat(t)!.rank), relation: .atMost,
            threshold: Double(th.predikatAtMost.rank), thresholdKey: "motivation.stalled_development.predikat_at_most")]
        if let months {
            measurements.append(EvidenceMeasurement(period: p[t], name: "months_since_training", value: Double(months),
                                                    text: history.lastTraining!.description))
            comparisons.append(EvidenceComparison(
                quantity: "months_since_training", observed: Double(months), threshold: Double(th.trainingMonths),
                thresholdKey: "motivation.stalled_development.training_months"))
        } else {
            measurements.append(EvidenceMeasurement(period: p[t], name: "months_since_training", text: "none_recorded"))
            comparisons.append(EvidenceComparison(
                quantity: "trainings_recorded", observed: 0, relation: .atMost, threshold: 0,
                thresholdKey: "motivation.stalled_development.training_months"))
        }
        let runEN = lowRun > 1 ? " (low for \(lowRun) consecutive periods)" : ""
        let runID = lowRun > 1 ? " (rendah selama \(lowRun) periode berturut-turut)" : ""
        let lastEN = history.lastTraining.map { "last training: \($0), \(months!) months earlier" } ?? "no training recorded"
        let lastID = history.lastTraining.map { "pelatihan terakhir: \(IndonesianFormat.date($0)), \(months!) bulan sebelumnya" }
            ?? "belum ada pelatihan tercatat"
        let english = "The predikat of \(p[t].code) is \(predikat(t)!.name)\(runEN), at or below "
            + "\(th.predikatAtMost.name), and no training is recorded in the \(th.trainingMonths) months up to "
            + "\(context.asOf) (\(lastEN))."
        let indonesian = "Predikat periode \(p[t].code) adalah \(predikat(t)!.name)\(runID), sama dengan atau di bawah "
            + "\(th.predikatAtMost.name), dan tidak ada pelatihan tercatat dalam \(th.trainingMonths) bulan sampai "
            + "\(IndonesianFormat.date(context.asOf)) (\(lastID))."
        let evidence = FlagEvidence(
            periods: Array(p[start...t]), measurements: measurements, comparisons: comparisons,
            series: EvidenceSeries(name: "predikat", lower: 0, upper: 4, periods: p,
                                   values: p.indices.map { predikat($0).map { Double($0.rank) } }),
            explanation: english, penjelasan: indonesian)
        return finding(.stalledDevelopment, subject: history.subject, window: PeriodWindow(start: p[start], end: p[t]),
                       ratio: ratio, evidence: evidence, thresholds: thresholds)
    }

    /// `perfunctory_reviewer` (flags the reviewer): over the last `window` closed periods the reviewer
    /// gave at least `minimumReviews` reviews, and at least `uniformShare` of them have the same score
    /// on all seven values, or (when `flagNeverCommenting`) none has a comment ("penilaian hanya
    /// formalitas").
    ///
    /// Only counts are read (see `ReviewerPeriodActivity`); the evidence names no reviewee and no score.
    /// Window start: the first period with reviews of the earliest window in the current run of windows
    /// where the rule holds. Ratio: uniform share ÷ `uniformShare` when that pattern holds, 1 for the
    /// comment pattern alone, the larger plus 0.5 when both hold.
    public static func perfunctoryReviewer(_ history: ReviewerHistory, context: MotivationContext,
                                           thresholds: MotivationThresholds) -> FlagFinding? {
        let p = periods(context, thresholds)
        let th = thresholds.perfunctoryReviewer
        guard th.window >= 1, let t = p.indices.last else { return nil }
        func activity(_ i: Int) -> ReviewerPeriodActivity? { history.activity[p[i]] }
        func totals(_ end: Int) -> (reviews: Int, uniform: Int, commented: Int) {
            window(endingAt: end, size: th.window).reduce((0, 0, 0)) { sum, i in
                guard let a = activity(i) else { return sum }
                return (sum.0 + a.reviews, sum.1 + a.uniformReviews, sum.2 + a.commentedReviews)
            }
        }
        func patterns(_ end: Int) -> (uniform: Bool, silent: Bool) {
            let s = totals(end)
            guard s.reviews >= max(1, th.minimumReviews) else { return (false, false) }
            return (Double(s.uniform) / Double(s.reviews) + tolerance >= th.uniformShare,
                    th.flagNeverCommenting && s.commented == 0)
        }
        func holds(_ end: Int) -> Bool { let x = patterns(end); return x.uniform || x.silent }
        guard holds(t) else { return nil }
        let s = runStart(latest: t, holds: holds)
        let start = window(endingAt: s, size: th.window).first { (activity($0)?.reviews ?? 0) > 0 }!
        let latest = window(endingAt: t, size: th.window)
        let sum = totals(t)
        let (uniform, silent) = patterns(t)
        let share = Double(sum.uniform) / Double(sum.reviews)
        let uniformRatio = share / th.uniformShare
        let ratio = uniform && silent ? max(uniformRatio, 1) + 0.5 : uniform ? uniformRatio : 1

        var measurements: [EvidenceMeasurement] = []
        for i in latest {
            guard let a = activity(i) else { continue }
            measurements.append(EvidenceMeasurement(period: p[i], name: "reviews", value: Double(a.reviews)))
            measurements.append(EvidenceMeasurement(period: p[i], name: "uniform_reviews", value: Double(a.uniformReviews)))
            measurements.append(EvidenceMeasurement(period: p[i], name: "commented_reviews", value: Double(a.commentedReviews)))
            if a.reviews > 0 {
                measurements.append(EvidenceMeasurement(period: p[i], name: "uniform_share",
                                                        value: Double(a.uniformReviews) / Double(a.reviews)))
            }
        }
        var comparisons = [EvidenceComparison(
            quantity: "reviews", observed: Double(sum.reviews), threshold: Double(th.minimumReviews),
            thresholdKey: "motivation.perfunctory_reviewer.minimum_reviews")]
        if uniform {
            comparisons.append(EvidenceComparison(quantity: "uniform_share", observed: share, threshold: th.uniformShare,
                                                  thresholdKey: "motivation.perfunctory_reviewer.uniform_share"))
        }
        if silent {
            comparisons.append(EvidenceComparison(quantity: "commented_reviews", observed: 0, relation: .atMost,
                                                  threshold: 0, thresholdKey: "motivation.perfunctory_reviewer.flag_never_commenting"))
        }
        let span = PeriodWindow(start: p[latest.lowerBound], end: p[t]).description
        var english = "In \(span) this reviewer gave \(sum.reviews) reviews"
        var indonesian = "Pada \(span) penilai ini memberikan \(sum.reviews) penilaian"
        if uniform {
            english += "; \(sum.uniform) of them (\(percent(share))) give the same score on all seven BerAKHLAK values"
            indonesian += "; \(sum.uniform) di antaranya (\(percent(share))) memberi nilai yang sama pada ketujuh nilai BerAKHLAK"
        }
        if silent {
            english += (uniform ? ", and" : ";") + " none has a comment"
            indonesian += (uniform ? ", dan" : ";") + " tidak satu pun disertai komentar"
        }
        english += " (rule: at least \(th.minimumReviews) reviews"
            + " with at least \(percent(th.uniformShare)) uniform" + (th.flagNeverCommenting ? " or no comment at all" : "") + ")."
        indonesian += " (aturan: minimal \(th.minimumReviews) penilaian"
            + " dengan minimal \(percent(th.uniformShare)) bernilai seragam" + (th.flagNeverCommenting ? " atau tanpa komentar sama sekali" : "") + ")."
        let evidence = FlagEvidence(
            periods: latest.map { p[$0] }, measurements: measurements, comparisons: comparisons,
            series: EvidenceSeries(name: "uniform_share", lower: 0, upper: 1, periods: p, values: p.indices.map { i in
                activity(i).flatMap { $0.reviews > 0 ? Double($0.uniformReviews) / Double($0.reviews) : nil }
            }),
            explanation: english, penjelasan: indonesian)
        return finding(.perfunctoryReviewer, subject: history.reviewer, window: PeriodWindow(start: p[start], end: p[t]),
                       ratio: ratio, evidence: evidence, thresholds: thresholds)
    }
}
