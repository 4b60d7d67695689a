extension UnitDistribution {
    /// A distribution from counts per predikat (missing predikat count 0; the total is their sum), as
    /// a store's `GROUP BY unit, predikat` gives them.
    public init(unit: String, counts: [Predikat: Int]) {
        var all = counts
        for p in Predikat.allCases where all[p] == nil { all[p] = 0 }
        self.init(unit: unit, total: all.values.reduce(0, +), counts: all)
    }
}
