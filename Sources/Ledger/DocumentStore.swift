import ScanModel

/// A small, generic store of JSON documents, append-only journals and
/// never-repeating counters, kept IN the ledger database so one file (and one
/// backup) holds the stock and everything a station needs to resume. The
/// ledger knows nothing about what the documents mean: the service keeps
/// expected data (ASNs, orders), open station sessions and count results here.
/// Writes go through the ledger's writer thread and are durable on return.
public struct StoredDocument: Sendable, Equatable {
    /// A namespace, e.g. "asn", "order", "session", "count".
    public var kind: String
    public var key: String
    /// The document's text (JSON by convention).
    public var body: String
    /// Other names the document is found by (an ASN's SSCCs, an order's tote).
    public var aliases: [String]
    public init(kind: String, key: String, body: String, aliases: [String] = []) {
        self.kind = kind; self.key = key; self.body = body; self.aliases = aliases
    }
    /// This document as one a posting writes with itself.
    public func posting(sequencePath: String?) -> PostingDocument {
        PostingDocument(kind: kind, key: key, body: body, aliases: aliases, sequencePath: sequencePath)
    }
}

/// Where a station's open session lives among the documents: its snapshot
/// (kind `session`, key the station) and its journal. The service's session
/// store and the posting engine (`PostingRequest.closesSession`) share it.
public enum SessionDocuments {
    public static let kind = "session"
    public static func journal(_ station: String) -> String { "session/\(station)" }

    /// Deletes a station's session inside the caller's transaction.
    static func delete(station: String, db: Connection) throws {
        try Ledger.delete(kind: kind, key: station, clearingJournal: journal(station), db: db)
    }
}

extension Ledger {
    /// Adds or replaces documents, all or nothing. A replaced document's old
    /// aliases are dropped; it keeps its place in `documents(kind:)` order.
    public func putDocuments(_ documents: [StoredDocument]) throws(LedgerError) {
        try writeAndWait { db in
            for d in documents { try Ledger.put(d, db: db) }
        }
    }

    /// Adds or replaces documents and closes a station's session in the same
    /// transaction (a count's result is recorded exactly when its session ends).
    public func putDocuments(_ documents: [StoredDocument], closingSession station: String) throws(LedgerError) {
        try writeAndWait { db in
            for d in documents { try Ledger.put(d, db: db) }
            try SessionDocuments.delete(station: station, db: db)
        }
    }

    /// Replaces one document and empties the journal named `journal` in the
    /// same transaction (a session snapshot supersedes its journal).
    public func putDocument(_ document: StoredDocument, clearingJournal journal: String?) throws(LedgerError) {
        try writeAndWait { db in
            try Ledger.put(document, db: db)
            if let journal { try db.prepare("DELETE FROM journal_entries WHERE journal = ?").run(.text(journal)) }
        }
    }

    /// Deletes a document (and, in the same transaction, a journal).
    public func deleteDocument(kind: String, key: String, clearingJournal journal: String? = nil) throws(LedgerError) {
        try writeAndWait { db in try Ledger.delete(kind: kind, key: key, clearingJournal: journal, db: db) }
    }

    static func delete(kind: String, key: String, clearingJournal journal: String?, db: Connection) throws {
        try db.prepare("DELETE FROM document_aliases WHERE kind = ? AND key = ?").run(.text(kind), .text(key))
        try db.prepare("DELETE FROM documents WHERE kind = ? AND key = ?").run(.text(kind), .text(key))
        if let journal { try db.prepare("DELETE FROM journal_entries WHERE journal = ?").run(.text(journal)) }
    }

    /// Appends one entry to a journal; durable on return.
    public func appendJournal(_ journal: String, entry: String) throws(LedgerError) {
        try writeAndWait { db in
            let next = (try db.scalarInt("SELECT ifnull(max(position), 0) + 1 FROM journal_entries WHERE journal = ?", .text(journal))) ?? 1
            try db.prepare("INSERT INTO journal_entries(journal, position, body) VALUES (?, ?, ?)").run(.text(journal), .int(next), .text(entry))
        }
    }

    /// The next value of a named counter: 1, 2, 3… never repeated, even
    /// after a crash (the increment is committed before it is returned).
    public func nextCounterValue(_ name: String) throws(LedgerError) -> UInt64 {
        let box = CounterBox()
        try writeAndWait { db in
            try db.prepare("INSERT INTO counters(name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1").run(.text(name))
            box.value = try db.scalarInt("SELECT value FROM counters WHERE name = ?", .text(name)) ?? 0
        }
        return UInt64(clamping: box.value)
    }

    public func document(kind: String, key: String) throws -> String? { try read { try $0.document(kind: kind, key: key) } }
    /// The document of this kind that has `alias` as key or alias.
    public func document(kind: String, keyOrAlias alias: String) throws -> String? {
        try read { r in try r.document(kind: kind, key: alias) ?? r.document(kind: kind, alias: alias) }
    }
    /// Every document of a kind, in the order they were first stored.
    public func documents(kind: String) throws -> [(key: String, body: String)] { try read { try $0.documents(kind: kind) } }
    public func journal(_ journal: String) throws -> [String] { try read { try $0.journal(journal) } }

    /// Writes a document a posting carries, with the posting's sequence at
    /// its `sequencePath`, inside the posting's transaction. A path that names
    /// nothing in the body refuses the posting rather than store a document
    /// without its sequence.
    static func put(_ d: PostingDocument, sequence seq: Int64, db: Connection) throws {
        try put(StoredDocument(kind: d.kind, key: d.key, body: d.body, aliases: d.aliases), db: db)
        guard let path = d.sequencePath else { return }
        guard try db.scalarInt("SELECT json_type(body, ?) IS NOT NULL FROM documents WHERE kind = ? AND key = ?",
                               .text(path), .text(d.kind), .text(d.key)) == 1 else {
            throw LedgerError.invalidPosting("document \(d.kind)/\(d.key): its body has no value at \(path) for the posting's sequence")
        }
        try db.prepare("UPDATE documents SET body = json_set(body, ?, ?) WHERE kind = ? AND key = ?")
            .run(.text(path), .int(seq), .text(d.kind), .text(d.key))
    }

    static func put(_ d: StoredDocument, db: Connection) throws {
        try db.prepare("""
            INSERT INTO documents(kind, key, body) VALUES (?, ?, ?)
            ON CONFLICT(kind, key) DO UPDATE SET body = excluded.body
            """).run(.text(d.kind), .text(d.key), .text(d.body))
        try db.prepare("DELETE FROM document_aliases WHERE kind = ? AND key = ?").run(.text(d.kind), .text(d.key))
        for a in Set(d.aliases) {
            // An alias moves to the newest document that names it (a re-announced pallet).
            try db.prepare("INSERT OR REPLACE INTO document_aliases(kind, alias, key) VALUES (?, ?, ?)").run(.text(d.kind), .text(a), .text(d.key))
        }
    }
}

/// Carries a value out of a writer-thread closure.
private final class CounterBox: @unchecked Sendable { var value: Int64 = 0 }

extension LedgerReader {
    func document(kind: String, key: String) throws -> String? {
        let s = try db.prepare("SELECT body FROM documents WHERE kind = ? AND key = ?")
        try s.bind([.text(kind), .text(key)])
        defer { s.reset() }
        return try s.step() ? s.text(0) : nil
    }

    func document(kind: String, alias: String) throws -> String? {
        let s = try db.prepare("SELECT d.body FROM document_aliases a JOIN documents d ON d.kind = a.kind AND d.key = a.key WHERE a.kind = ? AND a.alias = ?")
        try s.bind([.text(kind), .text(alias)])
        defer { s.reset() }
        return try s.step() ? s.text(0) : nil
    }

    func documents(kind: String) throws -> [(key: String, body: String)] {
        let s = try db.prepare("SELECT key, body FROM documents WHERE kind = ? ORDER BY rowid")
        try s.bind([.text(kind)])
        defer { s.reset() }
        var out: [(key: String, body: String)] = []
        while try s.step() { out.append((s.text(0), s.text(1))) }
        return out
    }

    func journal(_ journal: String) throws -> [String] {
        let s = try db.prepare("SELECT body FROM journal_entries WHERE journal = ? ORDER BY position")
        try s.bind([.text(journal)])
        defer { s.reset() }
        var out: [String] = []
        while try s.step() { out.append(s.text(0)) }
        return out
    }
}
