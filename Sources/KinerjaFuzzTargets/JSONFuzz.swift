import Varlink

/// Properties of the JSON parser and serializer (the decoding half of every Varlink message):
/// - an error names an offset inside the input (0...count);
/// - an accepted value serializes (compact and pretty) to text without NUL that parses back to the
///   same value, and serializing that again gives the same bytes (with sorted keys);
/// - a lower depth limit never accepts what the default limit rejects.
enum JSONFuzz {
    static func check(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let value: JSONValue
        do {
            value = try JSONParser().parse(bytes)
        } catch {
            guard (0...bytes.count).contains(error.offset) else {
                throw FuzzFailure(.json, "error offset \(error.offset) outside the input of \(bytes.count) bytes: \(error)")
            }
            if (try? JSONParser(maxDepth: 4).parse(bytes)) != nil {
                throw FuzzFailure(.json, "accepted with maxDepth 4 but rejected with the default: \(error)")
            }
            return
        }
        try roundTrip(value, target: .json)
    }

    /// `value` written compact and pretty parses back to itself; sorted output is stable.
    static func roundTrip(_ value: JSONValue, target: FuzzTarget) throws(FuzzFailure) {
        for options in [JSONSerializer.Options.compact, .pretty, .init(sortedKeys: true)] {
            let text = value.serialized(options)
            if text.contains(0) {
                throw FuzzFailure(target, "serialized JSON contains a NUL byte (would cut a Varlink frame)")
            }
            let again: JSONValue
            do {
                again = try JSONParser().parse(bytes: text)
            } catch {
                throw FuzzFailure(target, "serialized JSON does not parse: \(error); text: \(String(decoding: text, as: UTF8.self))")
            }
            guard again == value else {
                throw FuzzFailure(target, "value changed in a round trip: \(value) became \(again)")
            }
            if options.sortedKeys, again.serialized(options) != text {
                throw FuzzFailure(target, "sorted serialization is not stable for \(value)")
            }
        }
    }
}
