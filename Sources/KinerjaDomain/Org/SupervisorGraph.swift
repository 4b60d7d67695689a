/// Cycle detection in a "supervisor of" graph where every node has at most one outgoing edge.
///
/// Rule implemented: "the supervisor chain must have no loop" (docs/domain-rules.md "Domain rules"). Iterative
/// walk with three colours, O(n) time and memory, no recursion (safe at 25,000 employees and for a
/// chain of any length).
public enum SupervisorGraph {
    /// Every cycle in the graph `parent` (`parent[i]` is the index of `i`'s supervisor, or -1).
    /// Each cycle is listed once, in supervisor direction (`c[k+1]` is the supervisor of `c[k]`),
    /// starting at the member with the smallest index. A self-loop is a cycle of one.
    public static func cycles(parent: [Int]) -> [[Int]] {
        let n = parent.count
        var state = [UInt8](repeating: 0, count: n)  // 0 new, 1 on the current walk, 2 finished
        var positionInWalk = [Int](repeating: -1, count: n)
        var result: [[Int]] = []
        var walk: [Int] = []
        for start in 0..<n where state[start] == 0 {
            walk.removeAll(keepingCapacity: true)
            var v = start
            while v >= 0, v < n, state[v] == 0 {
                state[v] = 1
                positionInWalk[v] = walk.count
                walk.append(v)
                v = parent[v]
            }
            if v >= 0, v < n, state[v] == 1 {
                var cycle = Array(walk[positionInWalk[v]...])
                if let minAt = cycle.indices.min(by: { cycle[$0] < cycle[$1] }), minAt != 0 {
                    cycle = Array(cycle[minAt...] + cycle[..<minAt])
                }
                result.append(cycle)
            }
            for w in walk { state[w] = 2 }
        }
        return result
    }
}
