/// Runs the six rules over rows loaded in bulk and combines the severities.
///
/// Rule implemented: the history is loaded in bulk by set-based queries (never one query per
/// employee, which would not scale to a city) — the inputs are flat arrays of rows, grouped here in
/// one pass each — and "Severity … from how far past the threshold and how many rules hold at once".
public enum MotivationAnalysis {
    /// Every finding for the given rows, severities combined, sorted by identity (subject, rule,
    /// window start).
    ///
    /// - Parameters:
    ///   - subjectRows: one row per subject and closed period (any order; sorted by subject, they are
    ///     read in place without a grouped copy, which halves the memory at 25,000 employees).
    ///   - lastTraining: each employee's latest training date (absent: none recorded).
    ///   - reviewerRows: one row per reviewer and closed period (any order; sorted by reviewer, read
    ///     in place).
    public static func analyze(subjectRows: [SubjectPeriodRecord], lastTraining: [NIP: CalendarDate],
                               reviewerRows: [ReviewerPeriodActivity], context: MotivationContext,
                               thresholds: MotivationThresholds) -> [FlagFinding] {
        var findings: [FlagFinding] = []
        forEachGroup(subjectRows, by: \.subject) { subject, rows in
            let history = SubjectHistory(subject: subject, records: rows, lastTraining: lastTraining[subject])
            findings += subjectFindings(history, context: context, thresholds: thresholds)
        }
        forEachGroup(reviewerRows, by: \.reviewer) { reviewer, rows in
            if let f = MotivationRules.perfunctoryReviewer(ReviewerHistory(reviewer: reviewer, activity: rows),
                                                           context: context, thresholds: thresholds) {
                findings.append(f)
            }
        }
        return combine(findings, thresholds: thresholds)
    }

    /// Calls `body` once per person with that person's rows, in their order: as runs of the array
    /// when it is sorted by person (no copy), else grouped through a dictionary.
    static func forEachGroup<Row>(_ rows: [Row], by person: (Row) -> NIP, _ body: (NIP, ArraySlice<Row>) -> Void) {
        if zip(rows, rows.dropFirst()).allSatisfy({ person($0) <= person($1) }) {
            var start = rows.startIndex
            while start < rows.endIndex {
                let key = person(rows[start])
                var end = start + 1
                while end < rows.endIndex && person(rows[end]) == key { end += 1 }
                body(key, rows[start..<end])
                start = end
            }
        } else {
            var groups: [NIP: [Row]] = [:]
            for row in rows { groups[person(row), default: []].append(row) }
            for (key, group) in groups { body(key, group[...]) }
        }
    }

    /// The five subject rules for one history, in rule order (severities not yet combined).
    public static func subjectFindings(_ history: SubjectHistory, context: MotivationContext,
                                       thresholds: MotivationThresholds) -> [FlagFinding] {
        [
            MotivationRules.decliningTrend(history, context: context, thresholds: thresholds),
            MotivationRules.recognitionGap(history, context: context, thresholds: thresholds),
            MotivationRules.disengaged(history, context: context, thresholds: thresholds),
            MotivationRules.feedbackDrop(history, context: context, thresholds: thresholds),
            MotivationRules.stalledDevelopment(history, context: context, thresholds: thresholds),
        ].compactMap { $0 }
    }

    /// Raises severities where several rules hold for the same person.
    ///
    /// For each person (the subject, or the reviewer of `perfunctory_reviewer`: both are signs about
    /// the same employee), the number of distinct rules that hold sets a floor (`SeverityPolicy.floor`);
    /// each finding's severity becomes the higher of its base severity and that floor, its
    /// `concurrentRules` lists the person's other rules, and its follow-up is looked up again for the
    /// new severity. Sorted by identity.
    public static func combine(_ findings: [FlagFinding], thresholds: MotivationThresholds) -> [FlagFinding] {
        var rulesBySubject: [NIP: Set<MotivationRule>] = [:]
        for f in findings { rulesBySubject[f.subject, default: []].insert(f.rule) }
        return findings.map { f in
            var combined = f
            let rules = rulesBySubject[f.subject] ?? [f.rule]
            combined.severity = max(f.baseSeverity, thresholds.severity.floor(rules: rules.count))
            combined.concurrentRules = rules.subtracting([f.rule]).sorted()
            combined.followUp = thresholds.followUp.action(f.rule, combined.severity)
            return combined
        }.sorted { $0.identity < $1.identity }
    }
}
