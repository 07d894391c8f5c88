import Ledger

// The module and its main class are both named `Ledger`, so `Ledger.X` cannot
// name the module's types where Stations' types of the same name are visible.
// This file imports only Ledger and gives them unambiguous names.
typealias LedgerPostingRequest = PostingRequest
typealias LedgerPostingLine = PostingLine
typealias LedgerPostingKind = PostingKind
typealias LedgerTracking = Tracking
