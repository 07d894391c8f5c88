/// An error that says whether the write it stands for failed because the
/// disk under the ledger had no room (SQLite's SQLITE_FULL, or an I/O error
/// with ENOSPC). The Ledger's errors answer it, so a station can tell its
/// operator "storage full" — a refusal of its own, not "try again" — without
/// importing the Ledger (stations depend on the kernel only).
public protocol StorageFullReporting: Error {
    var isStorageFull: Bool { get }
}

/// True when `error` is (or says it is) a write the disk had no room for.
public func isStorageFull(_ error: Error) -> Bool {
    (error as? StorageFullReporting)?.isStorageFull == true
}
