import Varlink

/// Properties of the Varlink interface definition parser and printer:
/// - an error names a line and column inside the text;
/// - an accepted interface printed and parsed again is the same interface (comments included), and
///   printing is stable;
/// - every method of an accepted interface validates its own empty call consistently: a method whose
///   input fields are all optional accepts `{}`, any other rejects it naming a required field.
enum IDLFuzz {
    static func check(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let text = FuzzInput.text(bytes)
        let interface: VarlinkInterface
        do {
            interface = try VarlinkInterface(parsing: text)
        } catch {
            let lines = FuzzInput.physicalLineCount(Array(text.utf8))
            guard (1...lines).contains(error.line), error.column >= 1 else {
                throw FuzzFailure(.idl, "error at line \(error.line), column \(error.column) outside the \(lines) lines of the text: \(error)")
            }
            return
        }
        let printed = interface.formatted
        let reparsed: VarlinkInterface
        do {
            reparsed = try VarlinkInterface(parsing: printed)
        } catch {
            throw FuzzFailure(.idl, "printed interface does not parse: \(error)\n\(printed)")
        }
        guard reparsed == interface else {
            throw FuzzFailure(.idl, "interface changed in a print/parse round trip:\n\(printed)")
        }
        guard reparsed.formatted == printed else {
            throw FuzzFailure(.idl, "printing is not stable:\n\(printed)\n---\n\(reparsed.formatted)")
        }
        let validator = VarlinkValidator(interface: interface)
        for method in interface.methods {
            let allOptional = method.input.allSatisfy { if case .optional = $0.type { true } else { false } }
            do {
                try validator.validate([:], against: method.input)
                guard allOptional else {
                    throw FuzzFailure(.idl, "method \(method.name) accepts {} although it has required fields")
                }
            } catch let failure as VarlinkValidator.Failure {
                guard !allOptional, method.input.contains(where: { $0.name == failure.path }) else {
                    throw FuzzFailure(.idl, "method \(method.name) rejects {}: \(failure)")
                }
            } catch let failure as FuzzFailure {
                throw failure
            } catch {
                throw FuzzFailure(.idl, "unexpected error \(error)")
            }
        }
    }
}
