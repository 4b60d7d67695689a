/// The `org.varlink.service` interface every Varlink service provides.
public enum VarlinkServiceInterface {
    /// `org.varlink.service`.
    public static let name = "org.varlink.service"

    /// Its definition, as returned by `GetInterfaceDescription("org.varlink.service")`.
    public static let description = """
        # The Varlink service interface: every Varlink service provides it, so that a generic client
        # can find out what the service is and which interfaces it implements.
        interface org.varlink.service

        # Describes the implementation and lists the interfaces of this service.
        method GetInfo() -> (
          vendor: string,
          product: string,
          version: string,
          url: string,
          interfaces: []string
        )

        # Returns the definition text of one interface of this service.
        method GetInterfaceDescription(interface: string) -> (description: string)

        # No interface of this name is provided here.
        error InterfaceNotFound (interface: string)

        # The interface has no method of this name.
        error MethodNotFound (method: string)

        # The interface declares the method, but this service does not implement it.
        error MethodNotImplemented (method: string)

        # A parameter is missing, of the wrong type, or not declared; the name says which.
        error InvalidParameter (parameter: string)

        # The caller may not call this method.
        error PermissionDenied ()

        # The method must be called with 'more' set.
        error ExpectedMore ()

        """

    /// The parsed definition.
    public static let interface: VarlinkInterface = {
        do {
            return try VarlinkInterface(parsing: description)
        } catch {
            preconditionFailure("org.varlink.service definition does not parse: \(error)")
        }
    }()
}
