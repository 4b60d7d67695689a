extension MotivationRules {
    /// `recognition_gap`: the self-assessment mean exceeds the atasan's mean by at least `margin` in at
    /// least `minimumPeriods` of the last `window` closed periods ("my effort is not reflected").
    ///
    /// A period counts only when both means are known. Window start: the first qualifying period of the
    /// earliest window in the current run of windows where the rule holds. Ratio: the mean gap over the
    /// qualifying periods of the latest window ÷ `margin`.
    public static func recognitionGap(_ history: SubjectHistory, context: MotivationContext,
                                      thresholds: MotivationThresholds) -> FlagFinding? {
        let p = periods(context, thresholds)
        let th = thresholds.recognitionGap
        guard th.window >= 1, th.minimumPeriods >= 1, let t = p.indices.last else { return nil }
        func record(_ i: Int) -> SubjectPeriodRecord? { history.records[p[i]] }
        func gap(_ i: Int) -> Double? {
            guard let s = record(i)?.selfMean, let a = record(i)?.atasanMean else { return nil }
            return s - a
        }
        func qualifies(_ i: Int) -> Bool { gap(i).map { $0 + tolerance >= th.margin } ?? false }
        func holds(_ end: Int) -> Bool { window(endingAt: end, size: th.window).filter(qualifies).count >= th.minimumPeriods }
        guard holds(t) else { return nil }
        let s = runStart(latest: t, holds: holds)
        let start = window(endingAt: s, size: th.window).first(where: qualifies)!
        let latest = window(endingAt: t, size: th.window)
        let qualifying = latest.filter(qualifies)
        let meanGap = qualifying.map { gap($0)! }.reduce(0, +) / Double(qualifying.count)

        var measurements: [EvidenceMeasurement] = []
        var comparisons: [EvidenceComparison] = []
        for i in latest {
            guard let r = record(i) else { continue }
            if let v = r.selfMean { measurements.append(EvidenceMeasurement(period: p[i], name: "self_mean", value: v)) }
            if let v = r.atasanMean { measurements.append(EvidenceMeasurement(period: p[i], name: "atasan_mean", value: v)) }
            if let g = gap(i) {
                measurements.append(EvidenceMeasurement(period: p[i], name: "self_minus_atasan", value: g))
                comparisons.append(EvidenceComparison(quantity: "self_minus_atasan", period: p[i], observed: g,
                                                      threshold: th.margin, thresholdKey: "motivation.recognition_gap.margin"))
            }
        }
        comparisons.append(EvidenceComparison(
            quantity: "periods_with_gap", observed: Double(qualifying.count), threshold: Double(th.minimumPeriods),
            thresholdKey: "motivation.recognition_gap.minimum_periods"))
        let detailsEN = qualifying.map { i in
            "\(p[i].code) self \(en(record(i)!.selfMean!)) vs atasan \(en(record(i)!.atasanMean!)) (\(signedEN(gap(i)!)))"
        }
        let detailsID = qualifying.map { i in
            "\(p[i].code) diri \(id(record(i)!.selfMean!)) vs atasan \(id(record(i)!.atasanMean!)) (\(signedID(gap(i)!)))"
        }
        let english = "The self-assessment exceeded the atasan's assessment by at least \(en(th.margin)) in "
            + "\(qualifying.count) of \(lastPeriodsEN(latest.count)): " + detailsEN.joined(separator: "; ")
            + " (rule: in at least \(th.minimumPeriods) of \(th.window) periods)."
        let indonesian = "Penilaian diri melebihi penilaian atasan minimal \(id(th.margin)) poin pada "
            + "\(qualifying.count) dari \(lastPeriodsID(latest.count)): " + detailsID.joined(separator: "; ")
            + " (aturan: minimal pada \(th.minimumPeriods) dari \(th.window) periode)."
        let evidence = FlagEvidence(
            periods: latest.map { p[$0] }, measurements: measurements, comparisons: comparisons,
            series: EvidenceSeries(name: "self_minus_atasan", lower: -4, upper: 4, periods: p, values: p.indices.map(gap)),
            explanation: english, penjelasan: indonesian)
        return finding(.recognitionGap, subject: history.subject, window: PeriodWindow(start: p[start], end: p[t]),
                       ratio: meanGap / th.margin, evidence: evidence, thresholds: thresholds)
    }

    /// `disengaged`: the own self-assessment was missing, or more than `lateGraceDays` days late, in at
    /// least `minimumPeriods` of the last `window` closed periods.
    ///
    /// A period without a self-assessment assigned (or without a record) does not count either way.
    /// Window start: as for `recognition_gap`. Ratio: late-or-missing periods in the latest window ÷
    /// `minimumPeriods`.
    public static func disengaged(_ history: SubjectHistory, context: MotivationContext,
                                  thresholds: MotivationThresholds) -> FlagFinding? {
        let p = periods(context, thresholds)
        let th = thresholds.disengaged
        guard th.window >= 1, th.minimumPeriods >= 1, let t = p.indices.last else { return nil }
        func status(_ i: Int) -> SelfAssessmentStatus? { history.records[p[i]]?.selfAssessment }
        func qualifies(_ i: Int) -> Bool {
            switch status(i) {
            case .missing: return true
            case .late(let days): return days > th.lateGraceDays
            case .onTime, nil: return false
            }
        }
        func holds(_ end: Int) -> Bool { window(endingAt: end, size: th.window).filter(qualifies).count >= th.minimumPeriods }
        guard holds(t) else { return nil }
        let s = runStart(latest: t, holds: holds)
        let start = window(endingAt: s, size: th.window).first(where: qualifies)!
        let latest = window(endingAt: t, size: th.window)
        let qualifying = latest.filter(qualifies)

        var measurements: [EvidenceMeasurement] = []
        for i in latest {
            switch status(i) {
            case .onTime: measurements.append(EvidenceMeasurement(period: p[i], name: "self_assessment", value: 0, text: "on_time"))
            case .late(let d):
                measurements.append(EvidenceMeasurement(period: p[i], name: "self_assessment", value: Double(d), text: "late"))
            case .missing: measurements.append(EvidenceMeasurement(period: p[i], name: "self_assessment", text: "missing"))
            case nil: measurements.append(EvidenceMeasurement(period: p[i], name: "self_assessment", text: "not_assigned"))
            }
        }
        let comparisons = [EvidenceComparison(
            quantity: "periods_late_or_missing", observed: Double(qualifying.count), threshold: Double(th.minimumPeriods),
            thresholdKey: "motivation.disengaged.minimum_periods")]
        func describe(_ i: Int, english: Bool) -> String {
            switch status(i) {
            case .late(let d): return "\(p[i].code) " + (english ? "\(d) days late" : "terlambat \(d) hari")
            default: return "\(p[i].code) " + (english ? "missing" : "tidak diisi")
            }
        }
        let grace = th.lateGraceDays
        let english = "The own self-assessment was late or missing in \(qualifying.count) of \(lastPeriodsEN(latest.count)): "
            + qualifying.map { describe($0, english: true) }.joined(separator: "; ")
            + " (rule: in at least \(th.minimumPeriods) of \(th.window) periods"
            + (grace > 0 ? ", late meaning more than \(grace) days)." : ").")
        let indonesian = "Penilaian diri sendiri terlambat atau tidak diisi pada \(qualifying.count) dari "
            + "\(lastPeriodsID(latest.count)): " + qualifying.map { describe($0, english: false) }.joined(separator: "; ")
            + " (aturan: minimal pada \(th.minimumPeriods) dari \(th.window) periode"
            + (grace > 0 ? ", terlambat berarti lebih dari \(grace) hari)." : ").")
        // Delay in days, a missing self-assessment drawn at the top of the scale.
        let delays: [Double?] = p.indices.map { i in
            switch status(i) {
            case .onTime: return 0
            case .late(let d): return Double(d)
            case .missing: return .infinity
            case nil: return nil
            }
        }
        let top = max(14, delays.compactMap { $0 }.filter(\.isFinite).max() ?? 0)
        let evidence = FlagEvidence(
            periods: latest.map { p[$0] }, measurements: measurements, comparisons: comparisons,
            series: EvidenceSeries(name: "self_assessment_days_late", lower: 0, upper: top, periods: p,
                                   values: delays.map { $0.map { $0.isFinite ? $0 : top } }),
            explanation: english, penjelasan: indonesian)
        return finding(.disengaged, subject: history.subject, window: PeriodWindow(start: p[start], end: p[t]),
                       ratio: Double(qualifying.count) / Double(th.minimumPeriods), evidence: evidence,
                       thresholds: thresholds)
    }
}
