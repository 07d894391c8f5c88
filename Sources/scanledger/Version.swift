let scanLedgerVersion = "0.1.0"
