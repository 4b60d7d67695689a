extension MotivationRules {
    /// `declining_trend`: the perilaku mean or the predikat fell in each of the last K closed periods.
    ///
    /// A fall of the mean between two consecutive closed periods counts when it is at least
    /// `minimumFall` (and above zero); a fall of the predikat is any step down. The latest closed
    /// period must have the value, and a gap breaks the run. Holds when the run of falls ending at the
    /// latest period is K or longer, for either series. Window: from the period before the run's first
    /// fall. Ratio: the longest holding run ÷ K.
    public static func decliningTrend(_ history: SubjectHistory, context: MotivationContext,
                                      thresholds: MotivationThresholds) -> FlagFinding? {
        let p = periods(context, thresholds)
        let k = thresholds.decliningTrend.periods
        let minimumFall = thresholds.decliningTrend.minimumFall
        guard k >= 1, let t = p.indices.last, history.records[p[t]] != nil else { return nil }
        func mean(_ i: Int) -> Double? { history.records[p[i]]?.perilakuMean }
        func predikat(_ i: Int) -> Predikat? { history.records[p[i]]?.predikat }
        func meanFell(_ i: Int) -> Bool {
            guard let a = mean(i - 1), let b = mean(i) else { return false }
            return a - b > tolerance && a - b + tolerance >= minimumFall
        }
        func predikatFell(_ i: Int) -> Bool {
            guard let a = predikat(i - 1), let b = predikat(i) else { return false }
            return b < a
        }
        func run(_ fell: (Int) -> Bool) -> Int {
            var r = 0
            while t - r >= 1, fell(t - r) { r += 1 }
            return r
        }
        let meanRun = run(meanFell), predikatRun = run(predikatFell)
        let meanHolds = meanRun >= k, predikatHolds = predikatRun >= k
        guard meanHolds || predikatHolds else { return nil }
        let longest = max(meanHolds ? meanRun : 0, predikatHolds ? predikatRun : 0)
        let start = t - longest
        let shown = Array(p[start...t])

        var measurements: [EvidenceMeasurement] = []
        for i in start...t {
            if let m = mean(i) { measurements.append(EvidenceMeasurement(period: p[i], name: "perilaku_mean", value: m)) }
            if let d = predikat(i) {
                measurements.append(EvidenceMeasurement(period: p[i], name: "predikat", value: Double(d.rank), text: d.rawValue))
            }
        }
        var comparisons: [EvidenceComparison] = []
        var english: [String] = []
        var indonesian: [String] = []
        if meanHolds {
            for i in (t - meanRun + 1)...t {
                comparisons.append(EvidenceComparison(
                    quantity: "fall_of_perilaku_mean", period: p[i], observed: mean(i - 1)! - mean(i)!,
                    threshold: minimumFall, thresholdKey: "motivation.declining_trend.minimum_fall"))
            }
            comparisons.append(EvidenceComparison(
                quantity: "consecutive_falls_of_perilaku_mean", observed: Double(meanRun), threshold: Double(k),
                thresholdKey: "motivation.declining_trend.periods"))
            let range = (t - meanRun)...t
            english.append("The perilaku mean fell in each of \(lastPeriodsEN(meanRun)): "
                           + range.map { "\(p[$0].code) \(en(mean($0)!))" }.joined(separator: " → ")
                           + " (rule: a fall of at least \(en(minimumFall)) in each of \(k) consecutive periods).")
            indonesian.append("Rata-rata perilaku kerja turun pada setiap \(lastPeriodsID(meanRun)): "
                              + range.map { "\(p[$0].code) \(id(mean($0)!))" }.joined(separator: " → ")
                              + " (aturan: turun minimal \(id(minimumFall)) pada \(k) periode berturut-turut).")
        }
        if predikatHolds {
            for i in (t - predikatRun + 1)...t {
                comparisons.append(EvidenceComparison(
                    quantity: "fall_of_predikat", period: p[i], observed: Double(predikat(i - 1)!.rank - predikat(i)!.rank),
                    threshold: 1, thresholdKey: "motivation.declining_trend.periods"))
            }
            comparisons.append(EvidenceComparison(
                quantity: "consecutive_falls_of_predikat", observed: Double(predikatRun), threshold: Double(k),
                thresholdKey: "motivation.declining_trend.periods"))
            let range = (t - predikatRun)...t
            let steps = range.map { "\(p[$0].code) \(predikat($0)!.name)" }.joined(separator: " → ")
            english.append("The predikat fell in each of \(lastPeriodsEN(predikatRun)): \(steps) (rule: \(k) consecutive falls).")
            indonesian.append("Predikat turun pada setiap \(lastPeriodsID(predikatRun)): \(steps) (aturan: \(k) kali turun berturut-turut).")
        }
        let series = meanHolds
            ? EvidenceSeries(name: "perilaku_mean", lower: 1, upper: 5, periods: p, values: p.indices.map(mean))
            : EvidenceSeries(name: "predikat", lower: 0, upper: 4, periods: p,
                             values: p.indices.map { predikat($0).map { Double($0.rank) } })
        let evidence = FlagEvidence(periods: shown, measurements: measurements, comparisons: comparisons, series: series,
                                    explanation: english.joined(separator: " "), penjelasan: indonesian.joined(separator: " "))
        return finding(.decliningTrend, subject: history.subject, window: PeriodWindow(start: p[start], end: p[t]),
                       ratio: Double(longest) / Double(k), evidence: evidence, thresholds: thresholds)
    }

    /// `feedback_drop`: the rekan or bawahan mean of the latest closed period is at least `margin`
    /// below that of the closed period before it.
    ///
    /// Only aggregates of at least `anonymityMinimum` reviewers are used, in both periods; with fewer
    /// the role is not compared at all, and the evidence holds only such aggregates (mean and count).
    /// Window: from the period before the latest. Ratio: the largest drop ÷ `margin`.
    public static func feedbackDrop(_ history: SubjectHistory, context: MotivationContext,
                                    thresholds: MotivationThresholds) -> FlagFinding? {
        let p = periods(context, thresholds)
        let margin = thresholds.feedbackDrop.margin
        let minimum = max(1, thresholds.anonymityMinimum)
        guard p.count >= 2, let t = p.indices.last,
              let current = history.records[p[t]], let previous = history.records[p[t - 1]] else { return nil }
        func usable(_ a: AnonymousAggregate?) -> AnonymousAggregate? {
            guard let a, a.reviewerCount >= minimum, a.mean.isFinite else { return nil }
            return a
        }
        var drops: [(role: ReviewerRole, before: AnonymousAggregate, after: AnonymousAggregate, drop: Double)] = []
        for role in [ReviewerRole.rekan, .bawahan] {
            guard let before = usable(previous.aggregate(role)), let after = usable(current.aggregate(role)) else { continue }
            let drop = before.mean - after.mean
            if drop > tolerance, drop + tolerance >= margin { drops.append((role, before, after, drop)) }
        }
        guard let largest = drops.max(by: { $0.drop < $1.drop }) else { return nil }

        var measurements: [EvidenceMeasurement] = []
        var comparisons: [EvidenceComparison] = []
        var english: [String] = []
        var indonesian: [String] = []
        for d in drops {
            let name = d.role.rawValue
            for (period, aggregate) in [(p[t - 1], d.before), (p[t], d.after)] {
                measurements.append(EvidenceMeasurement(period: period, name: "\(name)_mean", value: aggregate.mean))
                measurements.append(EvidenceMeasurement(period: period, name: "\(name)_reviewers",
                                                        value: Double(aggregate.reviewerCount)))
                comparisons.append(EvidenceComparison(
                    quantity: "\(name)_reviewers", period: period, observed: Double(aggregate.reviewerCount),
                    threshold: Double(minimum), thresholdKey: "motivation.anonymity_minimum"))
            }
            comparisons.append(EvidenceComparison(
                quantity: "drop_of_\(name)_mean", period: p[t], observed: d.drop, threshold: margin,
                thresholdKey: "motivation.feedback_drop.margin"))
            let who = d.role == .rekan ? ("rekan (peers)", "rekan kerja") : ("bawahan (subordinates)", "bawahan")
            english.append("The mean score from \(who.0) fell from \(en(d.before.mean)) (\(p[t - 1].code), "
                           + "\(d.before.reviewerCount) reviewers) to \(en(d.after.mean)) (\(p[t].code), "
                           + "\(d.after.reviewerCount) reviewers), a drop of \(en(d.drop)).")
            indonesian.append("Rata-rata nilai dari \(who.1) turun dari \(id(d.before.mean)) (\(p[t - 1].code), "
                              + "\(d.before.reviewerCount) penilai) menjadi \(id(d.after.mean)) (\(p[t].code), "
                              + "\(d.after.reviewerCount) penilai), turun \(id(d.drop)).")
        }
        english.append("Rule: a drop of at least \(en(margin)), each mean from at least \(minimum) reviewers.")
        indonesian.append("Aturan: turun minimal \(id(margin)), setiap rata-rata dari minimal \(minimum) penilai.")
        let series = EvidenceSeries(
            name: "\(largest.role.rawValue)_mean", lower: 1, upper: 5, periods: p,
            values: p.map { usable(history.records[$0]?.aggregate(largest.role))?.mean })
        let evidence = FlagEvidence(periods: [p[t - 1], p[t]], measurements: measurements, comparisons: comparisons,
                                    series: series, explanation: english.joined(separator: " "),
                                    penjelasan: indonesian.joined(separator: " "))
        return finding(.feedbackDrop, subject: history.subject, window: PeriodWindow(start: p[t - 1], end: p[t]),
                       ratio: largest.drop / margin, evidence: evidence, thresholds: thresholds)
    }
}
