extension ServiceConfiguration {
    /// `subject` under this deployment's subject prefix, for subjects that are not rpc methods
    /// (events, job notices).
    public func prefixed(_ subject: String) -> String {
        RPCWire.subject(subject, prefix: subjectPrefix)
    }
}
