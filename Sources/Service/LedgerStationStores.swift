import Foundation
import Ledger
import ScanModel
import Stations

/// Expected data (ASNs, pack orders), open station sessions and count results,
/// kept as documents in the ledger database (see Ledger's DocumentStore).
/// Document kinds: "asn" (aliases: SSCCs), "order" (alias: tote), "rma", "session"
/// (journal "session/<station>", counter "session/<station>"), "count".
public final class LedgerStationStores: ExpectedDataStore, SessionStore, CountReviewStore, @unchecked Sendable {
    public let ledger: Ledger
    public init(ledger: Ledger) { self.ledger = ledger }

    static func encode<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return String(decoding: try e.encode(value), as: UTF8.self)
    }
    static func decode<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(text.utf8)) } catch {
            throw StoreError(message: "stored \(what) cannot be read: \(error)")
        }
    }

    // MARK: ExpectedDataStore

    public func asn(number: String) throws -> ASN? {
        try ledger.document(kind: "asn", key: number).map { try Self.decode(ASN.self, $0, what: "ASN \(number)") }
    }
    public func asn(containingSSCC sscc: String) throws -> ASN? {
        try ledger.document(kind: "asn", keyOrAlias: sscc).map { try Self.decode(ASN.self, $0, what: "ASN for SSCC \(sscc)") }
    }
    public func order(numberOrTote key: String) throws -> PackOrder? {
        try ledger.document(kind: "order", keyOrAlias: key).map { try Self.decode(PackOrder.self, $0, what: "order \(key)") }
    }
    static func document(_ a: ASN) throws -> StoredDocument {
        StoredDocument(kind: "asn", key: a.number, body: try encode(a), aliases: a.ssccs.sorted())
    }
    static func document(_ o: PackOrder) throws -> StoredDocument {
        StoredDocument(kind: "order", key: o.number, body: try encode(o), aliases: o.tote.map { [$0] } ?? [])
    }
    static func document(_ r: RMA) throws -> StoredDocument {
        StoredDocument(kind: "rma", key: r.number, body: try encode(r))
    }
    static func document(_ r: CountResult) throws -> StoredDocument {
        StoredDocument(kind: "count", key: r.id, body: try encode(r))
    }
    public func store(asns: [ASN], orders: [PackOrder]) throws {
        try ledger.putDocuments(try asns.map(Self.document) + orders.map(Self.document))
    }
    // The ledger writes these with the posting that completes them.
    public func postingDocument(asn: ASN, sequencePath: String) throws -> PostingDocument? {
        try Self.document(asn).posting(sequencePath: sequencePath)
    }
    public func postingDocument(order: PackOrder, sequencePath: String) throws -> PostingDocument? {
        try Self.document(order).posting(sequencePath: sequencePath)
    }
    public func postingDocument(rma: RMA, sequencePath: String) throws -> PostingDocument? {
        try Self.document(rma).posting(sequencePath: sequencePath)
    }
    public func markASN(_ number: String, status: DocumentStatus) throws {
        guard var a = try asn(number: number) else { return }
        a.status = status
        try store(asns: [a], orders: [])
    }
    public func markOrder(_ number: String, status: DocumentStatus) throws {
        guard let raw = try ledger.document(kind: "order", key: number) else { return }
        var o = try Self.decode(PackOrder.self, raw, what: "order \(number)")
        o.status = status
        try store(asns: [], orders: [o])
    }
    public func rma(number: String) throws -> RMA? {
        try ledger.document(kind: "rma", key: number).map { try Self.decode(RMA.self, $0, what: "RMA \(number)") }
    }
    public func store(rmas: [RMA]) throws {
        try ledger.putDocuments(try rmas.map(Self.document))
    }
    public func markRMA(_ number: String, status: DocumentStatus) throws {
        guard var r = try rma(number: number) else { return }
        r.status = status
        try store(rmas: [r])
    }
    /// Every stored ASN, oldest first (for the control socket).
    public func allASNs() throws -> [ASN] { try ledger.documents(kind: "asn").map { try Self.decode(ASN.self, $0.body, what: "ASN \($0.key)") } }

    // MARK: SessionStore

    private static func journal(_ station: String) -> String { SessionDocuments.journal(station) }

    public func loadSession(station: String) throws -> SavedSession? {
        guard let snapshot = try ledger.document(kind: SessionDocuments.kind, key: station) else { return nil }
        let journal = try ledger.journal(Self.journal(station)).map { Data($0.utf8) }
        return SavedSession(snapshot: Data(snapshot.utf8), journal: journal)
    }
    public func saveSession(station: String, snapshot: Data) throws {
        try ledger.putDocument(StoredDocument(kind: SessionDocuments.kind, key: station, body: String(decoding: snapshot, as: UTF8.self)),
                               clearingJournal: Self.journal(station))
    }
    public func appendToSession(station: String, entry: Data) throws {
        guard try ledger.document(kind: SessionDocuments.kind, key: station) != nil else {
            throw StoreError(message: "station \(station): journal entry without a session snapshot")
        }
        try ledger.appendJournal(Self.journal(station), entry: String(decoding: entry, as: UTF8.self))
    }
    public func removeSession(station: String) throws {
        try ledger.deleteDocument(kind: SessionDocuments.kind, key: station, clearingJournal: Self.journal(station))
    }
    public func nextSessionNumber(station: String) throws -> UInt64 {
        try ledger.nextCounterValue("session/\(station)")
    }
    /// Stations with a saved (open) session.
    public func openSessions() throws -> [String] { try ledger.documents(kind: "session").map(\.key) }

    // MARK: CountReviewStore

    public func save(_ result: CountResult) throws {
        try ledger.putDocuments([try Self.document(result)])
    }
    public func save(_ result: CountResult, closingSession station: String) throws {
        try ledger.putDocuments([try Self.document(result)], closingSession: station)
    }
    public func postingDocument(result: CountResult, sequencePath: String) throws -> PostingDocument? {
        try Self.document(result).posting(sequencePath: sequencePath)
    }
    public func result(id: String) throws -> CountResult? {
        try ledger.document(kind: "count", key: id).map { try Self.decode(CountResult.self, $0, what: "count \(id)") }
    }
    public func all() throws -> [CountResult] {
        try ledger.documents(kind: "count").map { try Self.decode(CountResult.self, $0.body, what: "count \($0.key)") }
    }
}

public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
