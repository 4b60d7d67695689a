extension IKMResult {
    /// The IKM from totals instead of answer rows (what a store's `SUM(u1) … SUM(u9)` gives): the same
    /// rule as `compute(unit:period:answers:)`, element mean = sum / respondents. `nil` without
    /// respondents or when there are not nine sums.
    public static func compute(unit: String, period: Period, respondents: Int, elementSums: [Int]) -> IKMResult? {
        guard respondents > 0, elementSums.count == 9 else { return nil }
        let n = Double(respondents)
        let ikm = Double(elementSums.reduce(0, +)) * 25 / (9 * n)
        return IKMResult(unit: unit, period: period, respondents: respondents,
                         elementMeans: elementSums.map { Double($0) / n }, ikm: ikm, mutu: Mutu(ikm: ikm))
    }
}
