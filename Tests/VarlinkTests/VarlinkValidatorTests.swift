import Testing
import Varlink

@Suite struct VarlinkValidatorTests {
    static let interface = try! VarlinkInterface(parsing: """
        interface org.example.validate

        type Filter (unit: string, grade: ?int, role: ?(admin, viewer))

        method Find(filter: Filter, ids: ?[]int, labels: ?[string]string, ratio: ?float, raw: ?object, tags: ?[string]()) -> ()
        """)

    func check(_ parameters: [String: JSONValue]) -> String? {
        let method = Self.interface.method(named: "Find")!
        do {
            try VarlinkValidator(interface: Self.interface).validate(parameters, against: method.input)
            return nil
        } catch {
            #expect(error.varlinkError == .invalidParameter(error.path))
            return error.path
        }
    }

    @Test func acceptsValidParameters() {
        #expect(check(["filter": ["unit": "BKPSDM"]]) == nil)
        #expect(check([
            "filter": ["unit": "DLHK", "grade": 3.0, "role": "admin"], "ids": [1, 2], "labels": ["a": "b"],
            "ratio": 2, "raw": ["anything": [1, nil]], "tags": ["x": [:]],
        ]) == nil)
        #expect(check(["filter": ["unit": "DLHK", "grade": nil], "ids": nil]) == nil)
    }

    @Test func namesTheOffendingParameter() {
        #expect(check([:]) == "filter")
        #expect(check(["filter": ["unit": "X"], "extra": 1]) == "extra")
        #expect(check(["filter": "BKPSDM"]) == "filter")
        #expect(check(["filter": [:]]) == "filter.unit")
        #expect(check(["filter": ["unit": 5]]) == "filter.unit")
        #expect(check(["filter": ["unit": "X", "grade": 1.5]]) == "filter.grade")
        #expect(check(["filter": ["unit": "X", "role": "root"]]) == "filter.role")
        #expect(check(["filter": ["unit": "X", "shoe": 42]]) == "filter.shoe")
        #expect(check(["filter": ["unit": nil]]) == "filter.unit")
        #expect(check(["filter": ["unit": "X"], "ids": [1, "2"]]) == "ids[1]")
        #expect(check(["filter": ["unit": "X"], "labels": ["k": 1]]) == "labels[k]")
        #expect(check(["filter": ["unit": "X"], "ratio": "1.0"]) == "ratio")
        #expect(check(["filter": ["unit": "X"], "raw": [1]]) == "raw")
        #expect(check(["filter": ["unit": "X"], "tags": ["x": ["y": 1]]]) == "tags[x].y")
    }
}
