import Foundation
import KinerjaTestSupport
import Testing
@testable import Varlink

@Suite struct VarlinkIDLTests {
    @Test func parsesTheServiceInterface() throws {
        let interface = VarlinkServiceInterface.interface
        #expect(interface.name == "org.varlink.service")
        #expect(interface.methods.map(\.name) == ["GetInfo", "GetInterfaceDescription"])
        let getInfo = try #require(interface.method(named: "GetInfo"))
        #expect(getInfo.input.isEmpty)
        #expect(getInfo.output.map(\.name) == ["vendor", "product", "version", "url", "interfaces"])
        #expect(getInfo.output.last?.type == .array(.string))
        #expect(interface.error(named: "PermissionDenied")?.parameters == [])
        #expect(interface.error(named: "InvalidParameter")?.parameters == [VarlinkField(name: "parameter", type: .string)])
        #expect(getInfo.doc == [" Describes the implementation and lists the interfaces of this service."])
    }

    @Test func certificationInterfaceRoundTrips() async throws {
        let directory = try await pythonVarlinkDirectory()
        let text = try String(contentsOfFile: "\(directory)/tests/org.varlink.certification.varlink", encoding: .utf8)
        let interface = try VarlinkInterface(parsing: text)
        #expect(interface.name == "org.varlink.certification")
        #expect(interface.doc.first == " Interface to test varlink implementations against.")
        let myType = try #require(interface.type(named: "MyType"))
        guard case .structure(let fields) = myType.type else {
            Issue.record("MyType is not a struct")
            return
        }
        #expect(fields.first { $0.name == "stringset" }?.type == .dictionary(.structure([])))
        #expect(fields.first { $0.name == "enum" }?.type
            == .enumeration([.init(name: "one"), .init(name: "two"), .init(name: "three")]))
        #expect(fields.first { $0.name == "nullable_array_struct" }?.type
            == .optional(.array(.structure([.init(name: "first", type: .int), .init(name: "second", type: .string)]))))
        let foo = try #require(interface.type(named: "Interface")).type
        #expect(foo == .structure([
            .init(name: "foo", type: .optional(.array(.optional(.dictionary(.enumeration([
                .init(name: "foo"), .init(name: "bar"), .init(name: "baz"),
            ])))))),
            .init(name: "anon", type: .structure([.init(name: "foo", type: .bool), .init(name: "bar", type: .bool)])),
        ]))
        #expect(interface.method(named: "Test10")?.doc == [" returns more than one reply with \"continues\""])

        let printed = interface.formatted
        let reparsed = try VarlinkInterface(parsing: printed)
        #expect(reparsed == interface)
        #expect(reparsed.formatted == printed)
        #expect(printed.contains("method Start() -> (client_id: string)\n"))
        #expect(printed.contains("method Test05(client_id: string, string: string) -> (\n  bool: bool,\n"))
        #expect(printed.contains("error CertificationError (wants: object, got: object)\n"))
    }

    @Test func serviceInterfaceRoundTrips() throws {
        let interface = VarlinkServiceInterface.interface
        #expect(try VarlinkInterface(parsing: interface.formatted) == interface)
        #expect(interface.formatted == VarlinkServiceInterface.description)
    }

    @Test func keepsCommentsOnFieldsEnumValuesAndTheEnd() throws {
        let text = """
            # Admin interface.
            interface io.example.admin-api

            # A user.
            type User (
              # Login name.
              name: string,
              # Role.
              role: (
                # May do everything.
                admin,
                viewer
              ),
              groups: ?[]string,
              labels: [string]string,
              extra: ?object
            )

            # List users. [access: read]
            method List(filter: ?(role: ?string)) -> (users: []User)

            method Delete(name: string) -> ()

            error NotFound (name: string)

            # trailing note
            """
        let interface = try VarlinkInterface(parsing: text)
        #expect(interface.name == "io.example.admin-api")
        #expect(interface.method(named: "List")?.accessClass == .read)
        #expect(interface.method(named: "Delete")?.accessClass == .admin)
        #expect(interface.trailingComments == [" trailing note"])
        guard case .structure(let fields)? = interface.type(named: "User")?.type else {
            Issue.record("User is not a struct")
            return
        }
        #expect(fields[0].doc == [" Login name."])
        guard case .enumeration(let values) = fields[1].type else {
            Issue.record("role is not an enum")
            return
        }
        #expect(values[0].doc == [" May do everything."])
        let printed = interface.formatted
        #expect(try VarlinkInterface(parsing: printed) == interface)
        #expect(printed.contains("    # May do everything.\n    admin,\n"))
        #expect(printed.hasSuffix("\n# trailing note\n"))
    }

    @Test func keywordsAreValidFieldNames() throws {
        let interface = try VarlinkInterface(parsing: """
            interface org.example.keywords
            method M(bool: bool, int: int, type: string, method: object, error: ?float) -> ()
            """)
        #expect(interface.method(named: "M")?.input.map(\.name) == ["bool", "int", "type", "method", "error"])
    }

    @Test func printerBreaksLongDeclarations() throws {
        let interface = try VarlinkInterface(parsing: """
            interface org.example.long
            method VeryLongMethodNameForTesting(first_parameter: string, second_parameter: int, third_parameter: ?[]string) -> (result_one: string, result_two: [string]int)
            """)
        #expect(interface.formatted == """
            interface org.example.long

            method VeryLongMethodNameForTesting(
              first_parameter: string,
              second_parameter: int,
              third_parameter: ?[]string
            ) -> (result_one: string, result_two: [string]int)

            """)
    }

    @Test(arguments: [
        ("", 1, 1, "expected 'interface' as the first keyword, found end of input"),
        ("interface foo", 1, 11, "'foo' is not a valid interface name (reverse-domain, e.g. org.example.ftl)"),
        ("interface org.example\nmethod lower() -> ()", 2, 8, "'lower' is not a valid method name (an uppercase letter, then letters and digits)"),
        ("interface org.example\nmethod M() -> (a: Missing)", 2, 19, "unknown type 'Missing'"),
        ("interface org.example\ntype T (a: int, b)", 2, 17, "expected ':' and a type after field 'b'"),
        ("interface org.example\ntype T (a, b: int)", 2, 13, "enum value 'b' cannot have a type"),
        ("interface org.example\ntype T (a: int, a: string)", 2, 17, "duplicate name 'a'"),
        ("interface org.example\ntype T (a: int)\nerror T ()", 3, 1, "'T' is already declared at line 2"),
        ("interface org.example\nmethod M() -> (a: ??int)", 2, 20, "'?' cannot follow '?'"),
        ("interface org.example\nmethod M() -> (a: [int]string)", 2, 20, "expected ']' or 'string' after '[', found 'int'"),
        ("interface org.example\nmethod M() -> (a: int", 2, 22, "expected ',' or ')' after 'a', found end of input"),
        ("interface org.example\nmethod M(a, b) -> ()", 2, 9, "expected a struct as the input of method 'M', found an enum"),
        ("interface org.example\nmethod M() (a: int)", 2, 12, "expected '->' after the input of method 'M', found '('"),
        ("interface org.example\ntype T string", 2, 8, "expected '(' to begin the definition of type 'T', found 'string'"),
        ("interface org.example\nmethod M() -> (a_: int)", 2, 16, "'a_' is not a valid field name (letters and digits, single '_' inside)"),
        ("interface org.example\nmethod M() -> (a: int) $", 2, 24, "unexpected character '$'"),
        ("interface org.example\nfunction F()", 2, 1, "expected 'type', 'method' or 'error', found 'function'"),
        ("interface org.example\nmethod M() -> (a: int,)", 2, 23, "expected a field name, found ')'"),
    ])
    func errorsNameLineAndColumn(text: String, line: Int, column: Int, message: String) {
        #expect(throws: VarlinkIDLError(line: line, column: column, message: message)) {
            try VarlinkInterface(parsing: text)
        }
    }

    /// Found by the idl fuzz target (Fuzz/regressions/idl/comment-ending-in-two-carriage-returns.varlink):
    /// a comment line ending in several CRs lost one per print and parse.
    @Test func commentEndingInCarriageReturnsRoundTrips() throws {
        let interface = try VarlinkInterface(parsing: "# a\r\r\n#\r\r\r\ninterface org.example.cr\nmethod M() -> ()\n")
        #expect(interface.doc == [" a", ""])
        #expect(try VarlinkInterface(parsing: interface.formatted) == interface)
    }
}
