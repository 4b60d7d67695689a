import Testing
@testable import KinerjaDomain

@Suite("Flag life cycle: open → acknowledged → resolved or dismissed")
struct FlagStatusTests {
    @Test(arguments: [
        (FlagAction.acknowledge, FlagStatus.open, FlagStatus?.some(.acknowledged)),
        (.acknowledge, .acknowledged, nil), (.acknowledge, .resolved, nil), (.acknowledge, .dismissed, nil),
        (.resolve, .open, .resolved), (.resolve, .acknowledged, .resolved), (.resolve, .resolved, nil), (.resolve, .dismissed, nil),
        (.dismiss, .open, .dismissed), (.dismiss, .acknowledged, .dismissed), (.dismiss, .resolved, nil), (.dismiss, .dismissed, nil),
    ])
    func transitions(action: FlagAction, from: FlagStatus, expected: FlagStatus?) throws {
        if let expected {
            #expect(try action.transition(from: from) == expected)
        } else {
            #expect(throws: FlagTransitionError(action: action, status: from)) { try action.transition(from: from) }
        }
    }

    @Test func refusalsSayWhy() {
        #expect(FlagTransitionError(action: .acknowledge, status: .acknowledged).description.contains("already acknowledged"))
        let final = FlagTransitionError(action: .dismiss, status: .resolved).description
        #expect(final.contains("resolved") && final.contains("final"))
    }

    @Test func activeStatuses() {
        #expect(FlagStatus.allCases.filter(\.isActive) == [.open, .acknowledged])
    }

    @Test func resolutionSpellings() {
        #expect(FlagResolution(parsing: " Dialog-Kinerja ") == .dialogKinerja)
        #expect(FlagResolution(parsing: "other") == .other)
        #expect(FlagResolution(parsing: "nothing") == nil)
        // Every follow-up the table can recommend can be recorded as what was done.
        #expect(FollowUpAction.allCases.allSatisfy { FlagResolution(rawValue: $0.rawValue) != nil })
    }
}
